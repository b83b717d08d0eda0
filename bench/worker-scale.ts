/**
 * Callback-event throughput against the number of worker processes: N signed change_contact callbacks are stored
 * through the callback app with no worker running (they wait in the inbox and the queue), then 1 worker process is
 * started and events/s is measured until every inbox row is `processed` (read from the store: count over the span from
 * the first row's processedAt to the last, so worker start-up is left out; the wall time from start is shown too). The
 * inbox is emptied and the same is repeated with 2 worker processes, in the same run. No webhook endpoint exists, so
 * the fan-out finds no target and delivery is not part of the figure: this measures processing only.
 *   node dist/bench/worker-scale.js        (BENCH_EVENTS, default 3000)
 */
import { randomBytes } from 'node:crypto';
import { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { PrismaService, SecretCipher, SuiteRepository } from '@app/store';
import { WecomMsgCrypt } from '@app/wecom';
import { freePort, freshDatabase, startNode, stop, waitForHttp } from './processes.js';
import { printSummary, printTable } from './support.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const round1 = (n: number): number => Math.round(n * 10) / 10;
const secretKey = randomBytes(32);
const suite = { suiteId: 'wwbenchscale', token: 'benchtoken', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
const redisPrefix = `benchscale${Date.now()}`;
const crypt = new WecomMsgCrypt(suite.token, suite.aesKey);

const databaseUrl = await freshDatabase('wecom_isv_bench_scale');
const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
const cipher = new SecretCipher(secretKey);
await new SuiteRepository(prisma, cipher).upsert({ ...suite, secret: 'bench-secret', encodingAesKey: suite.aesKey });

const common = {
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: '20',
  REDIS_PREFIX: redisPrefix,
  SECRET_KEY: secretKey.toString('base64'),
  LOG_LEVEL: 'warn',
};
const callbackPort = await freePort();
const callback = startNode('dist/apps/callback/src/main.js', [], { ...common, CALLBACK_PORT: String(callbackPort) });
const workers: ChildProcess[] = [];

/** Posts `count` unique, validly signed change_contact command callbacks, 32 at a time; returns how many got 200. */
async function store(run: string, count: number): Promise<number> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  let next = 0;
  let ok = 0;
  const one = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const payload =
        `<xml><SuiteId><![CDATA[${suite.suiteId}]]></SuiteId><InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>${timestamp}</TimeStamp>` +
        `<AuthCorpId><![CDATA[wwbenchcorp]]></AuthCorpId><ChangeType><![CDATA[update_user]]></ChangeType>` +
        `<UserID><![CDATA[${run}-${i}]]></UserID></xml>`;
      const encrypt = crypt.encrypt(payload, suite.suiteId);
      const nonce = `${run}n${i}`;
      const query = `msg_signature=${crypt.signature(timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}`;
      const res = await fetch(`http://127.0.0.1:${callbackPort}/callback/suites/${suite.suiteId}/command?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<xml><ToUserName><![CDATA[${suite.suiteId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
      });
      await res.arrayBuffer();
      if (res.status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, one));
  return ok;
}

/** Starts `count` worker processes, waits until `expected` inbox rows are processed; returns seconds from the start. */
async function drain(count: number, expected: number, timeoutMs = 600_000): Promise<{ seconds: number; processed: number; busySeconds: number }> {
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    workers.push(startNode('dist/apps/worker/src/main.js', [], { ...common, WORKER_PORT: String(port), WORKER_CONCURRENCY: '50' }));
  }
  for (;;) {
    const processed = await prisma.client.callbackEvent.count({ where: { status: 'processed' } });
    if (processed >= expected || Date.now() - started > timeoutMs) {
      const seconds = (Date.now() - started) / 1000;
      // From the first row processed to the last, so worker start-up (Nest boot, connections) is left out.
      const span = await prisma.client.callbackEvent.aggregate({ where: { status: 'processed' }, _min: { processedAt: true }, _max: { processedAt: true } });
      const busySeconds = ((span._max.processedAt?.getTime() ?? 0) - (span._min.processedAt?.getTime() ?? 0)) / 1000;
      return { seconds, processed, busySeconds };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rows: (string | number)[][] = [];
const perSecond: Record<number, number> = {};
try {
  await waitForHttp(`http://127.0.0.1:${callbackPort}/health`);
  for (const count of [1, 2]) {
    // Reset: an empty inbox, then the backlog stored while no worker runs.
    await prisma.client.callbackEvent.deleteMany({});
    const stored = await store(`w${count}`, EVENTS);
    const { seconds, processed, busySeconds } = await drain(count, stored);
    perSecond[count] = busySeconds > 0 ? processed / busySeconds : 0;
    rows.push([String(count), stored, processed, round1(seconds), round1(busySeconds), perSecond[count]]);
    await Promise.all(workers.splice(0).map(stop));
  }
  const ratio = perSecond[1] ? Math.round((perSecond[2] / perSecond[1]) * 1000) / 1000 : null;
  process.stdout.write(`worker scale: ${EVENTS} stored change_contact callbacks drained by 1 then 2 worker processes\n`);
  printTable(['workers', 'stored', 'processed', 's from start', 's first→last', 'events/s (first→last)'], rows);
  process.stdout.write(`ratio 2-vs-1: ${ratio}\n`);
  printSummary({ bench: 'worker-scale', metric: 'events/s processed, 2 workers vs 1', ours: perSecond[2], reference: perSecond[1] });
  process.stdout.write(JSON.stringify({ oneWorker: round1(perSecond[1]), twoWorkers: round1(perSecond[2]), ratio }) + '\n');
} finally {
  await Promise.all([stop(callback), ...workers.map(stop)]);
  await prisma.onModuleDestroy();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${redisPrefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  redis.disconnect();
}
