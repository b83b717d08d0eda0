/**
 * The load generator for bench/callback-ingest, run as its own process so it does not share an event loop with
 * the server: pre-builds unique, validly signed callbacks, then fires them at a fixed rate (open loop) or as fast
 * as a number of connections can go (autocannon).
 *   node dist/bench/load-generator.js '<json options>'
 */
import autocannon from 'autocannon';
import { WecomMsgCrypt } from '@app/wecom';
import { openLoop } from './open-loop.js';

/** What a run prints (its last stdout line, JSON): requests sent, achieved rate, latency ms, failures by kind. */
export interface LoadResult {
  sent: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  statuses: Record<string, number>;
}

interface Options {
  url: string;
  path: string;
  suiteId: string;
  token: string;
  aesKey: string;
  durationSeconds: number;
  connections: number;
  rate?: number;
  /** makes ids unique across runs against the same inbox */
  runId: string;
}

const o = JSON.parse(process.argv[2]) as Options;
const crypt = new WecomMsgCrypt(o.token, o.aesKey);
const count = Math.ceil((o.rate ?? 6000) * o.durationSeconds * 1.2) + 1000;
const timestamp = String(Math.floor(Date.now() / 1000));
const padding = 'p'.repeat(600);
const requests: { path: string; body: string }[] = [];
for (let i = 0; i < count; i++) {
  const payload =
    `<xml><SuiteId><![CDATA[${o.suiteId}]]></SuiteId><InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>${timestamp}</TimeStamp>` +
    `<AuthCorpId><![CDATA[wwbenchcorp]]></AuthCorpId><ChangeType><![CDATA[update_user]]></ChangeType>` +
    `<UserID><![CDATA[${o.runId}-${i}]]></UserID><Name><![CDATA[${padding}]]></Name></xml>`;
  const encrypt = crypt.encrypt(payload, o.suiteId);
  const nonce = `n${i}`;
  requests.push({
    path: `${o.path}?msg_signature=${crypt.signature(timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}`,
    body: `<xml><ToUserName><![CDATA[${o.suiteId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
  });
}

if (o.rate) {
  // Fixed rates: open loop, latency from each request's due time (see open-loop.ts).
  const r = await openLoop({
    url: o.url,
    rate: o.rate,
    durationSeconds: o.durationSeconds,
    next: (i) => ({ ...requests[i % requests.length], method: 'POST', headers: { 'content-type': 'text/xml' } }),
  });
  process.stdout.write(JSON.stringify({ sent: r.sent, rps: r.achieved, p50: r.p50, p99: r.p99, errors: r.errors, non2xx: 0, statuses: r.statuses } satisfies LoadResult) + '\n');
  process.exit(0);
}

let next = 0;
const statuses: Record<string, number> = {};
const result = await autocannon({
  url: o.url,
  method: 'POST',
  headers: { 'content-type': 'text/xml' },
  connections: o.connections,
  duration: o.durationSeconds,
  overallRate: o.rate,
  timeout: 10,
  requests: [
    {
      setupRequest: (req) => {
        const r = requests[next++ % requests.length];
        return { ...req, path: r.path, body: r.body };
      },
      onResponse: (status: number) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
      },
    },
  ],
});

process.stdout.write(
  JSON.stringify({
    sent: next,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses,
  } satisfies LoadResult) + '\n',
);
