/**
 * Callback crypto: ours (libs/wecom) against WeCom's own npm package @wecom/crypto, same process, same inputs,
 * alternating rounds so that drift in machine speed hits both sides alike.
 *   node dist/bench/crypto.js
 */
import { randomBytes } from 'node:crypto';
import * as official from '@wecom/crypto';
import { WecomMsgCrypt } from '@app/wecom';
import { printSummary, printTable } from './support.js';

const ROUNDS = 10;
const ROUND_MS = 400;
const token = 'benchtoken';
const aesKey = randomBytes(32).toString('base64').slice(0, 43);
const receiverId = 'wwbenchsuite0001';
const payload = `<xml><ToUserName><![CDATA[${receiverId}]]></ToUserName><Content><![CDATA[${'x'.repeat(1024 - 120)}]]></Content><MsgType><![CDATA[text]]></MsgType></xml>`;
const timestamp = '1700000000';
const nonce = 'benchnonce';

const ours = new WecomMsgCrypt(token, aesKey);
const inputs = Array.from({ length: 64 }, () => {
  const encrypt = official.encrypt(aesKey, payload, receiverId);
  return { encrypt, signature: official.getSignature(token, timestamp, nonce, encrypt) };
});

const cases = {
  'verify+decrypt': {
    ours: (i: number) => {
      const { encrypt, signature } = inputs[i & 63];
      if (!ours.verifySignature(signature, timestamp, nonce, encrypt)) throw new Error('bad signature');
      return ours.decryptFor(encrypt, [receiverId]).message.length;
    },
    reference: (i: number) => {
      const { encrypt, signature } = inputs[i & 63];
      if (official.getSignature(token, timestamp, nonce, encrypt) !== signature) throw new Error('bad signature');
      const { message, id } = official.decrypt(aesKey, encrypt);
      if (id !== receiverId) throw new Error('receiver');
      return message.length;
    },
  },
  'encrypt+sign': {
    ours: (i: number) => ours.signature(timestamp, nonce, ours.encrypt(payload, receiverId)).length + i * 0,
    reference: (i: number) => official.getSignature(token, timestamp, nonce, official.encrypt(aesKey, payload, receiverId)).length + i * 0,
  },
};

function opsPerSecond(fn: (i: number) => number): number {
  let ops = 0;
  const end = performance.now() + ROUND_MS;
  let sink = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++) sink += fn(ops++);
  }
  if (sink < 0) throw new Error('unreachable');
  return (ops / ROUND_MS) * 1000;
}

const results: Record<string, { ours: number[]; reference: number[] }> = {};
for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
  const c = cases[name];
  opsPerSecond(c.ours);
  opsPerSecond(c.reference);
  results[name] = { ours: [], reference: [] };
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      results[name].ours.push(opsPerSecond(c.ours));
      results[name].reference.push(opsPerSecond(c.reference));
    } else {
      results[name].reference.push(opsPerSecond(c.reference));
      results[name].ours.push(opsPerSecond(c.ours));
    }
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(`1 KiB callback, ${ROUNDS} alternating rounds of ${ROUND_MS} ms, median ops/s\n`);
printTable(
  ['operation', 'ours ops/s', '@wecom/crypto ops/s', 'ratio'],
  Object.entries(results).map(([name, r]) => [name, median(r.ours), median(r.reference), (median(r.ours) / median(r.reference)).toFixed(2) + '×']),
);
const main = results['verify+decrypt'];
printSummary({
  bench: 'crypto',
  metric: 'verify+decrypt ops/s (1 KiB)',
  ours: median(main.ours),
  reference: median(main.reference),
  encrypt_ours: Math.round(median(results['encrypt+sign'].ours)),
  encrypt_reference: Math.round(median(results['encrypt+sign'].reference)),
});
