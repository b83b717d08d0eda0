/**
 * Event delivery end to end: WeCom callbacks into the callback app (separate load-generator process), through the
 * inbox, the worker (platform event, delivery row, signed POST) to a local receiver that verifies every delivery
 * with `standardwebhooks`. Latency is from the platform's receipt of the callback (`receivedAt`) to the receiver's
 * verified arrival; open-loop fixed rates, then intake without a cap, where deliveries/s is compared with the
 * intake's own saturation in the same run (the goal: ratio ≥ 1, delivery keeps up with intake).
 *   node dist/bench/event-delivery.js        (BENCH_DURATION_SECONDS, default 8)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { newSigningSecret } from '@app/events';
import { PrismaService, SecretCipher, SuiteRepository, WebhookEndpointRepository } from '@app/store';
import { ReceivedWebhook, startWebhookReceiver } from '../scripts/webhook-receiver.js';
import { freePort, freshDatabase, runNode, startNode, stop, waitForHttp } from './processes.js';
import type { LoadResult } from './load-generator.js';
import { percentile, printSummary, printTable } from './support.js';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const RATES = [200, 1000];
const round1 = (n: number): number => Math.round(n * 10) / 10;
const secretKey = randomBytes(32);
const suite = { suiteId: 'wwbenchevents', token: 'benchtoken', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
const redisPrefix = `benchev${Date.now()}`;
const webhookSecret = newSigningSecret();

const byRun = new Map<string, ReceivedWebhook[]>();
const receiver = await startWebhookReceiver({
  secret: webhookSecret,
  onEvent: (w) => {
    const run = String(w.event.data.userId ?? '').split('-')[0];
    const list = byRun.get(run) ?? [];
    list.push(w);
    byRun.set(run, list);
  },
});

const databaseUrl = await freshDatabase('wecom_isv_bench_events');
const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
const cipher = new SecretCipher(secretKey);
await new SuiteRepository(prisma, cipher).upsert({ ...suite, secret: 'bench-secret', encodingAesKey: suite.aesKey });
await new WebhookEndpointRepository(prisma, cipher).create(
  suite.suiteId,
  { url: receiver.url, description: 'bench', eventTypes: ['contact.*'], corpIds: [], enabled: true, orderedByCorp: false, maxConcurrency: 64 },
  webhookSecret,
);

const common = {
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: '20',
  REDIS_PREFIX: redisPrefix,
  SECRET_KEY: secretKey.toString('base64'),
  LOG_LEVEL: 'warn',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  ...(process.env.BENCH_WECOM_CALLS_PER_MINUTE ? { WECOM_CALLS_PER_MINUTE: process.env.BENCH_WECOM_CALLS_PER_MINUTE } : {}),
};
const callbackPort = await freePort();
const workerPort = await freePort();
const callback = startNode('dist/apps/callback/src/main.js', [], { ...common, CALLBACK_PORT: String(callbackPort) });
const worker = startNode('dist/apps/worker/src/main.js', [], { ...common, WORKER_PORT: String(workerPort), WORKER_CONCURRENCY: '50', WEBHOOK_CONCURRENCY: '100' });

/** Waits until the receiver has verified `expected` distinct events of a run (or the timeout); returns them. */
async function delivered(run: string, expected: number, timeoutMs = 180_000): Promise<ReceivedWebhook[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = byRun.get(run) ?? [];
    if (new Set(list.map((w) => w.id)).size >= expected || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function latencies(list: ReceivedWebhook[]): number[] {
  const first = new Map<string, number>();
  for (const w of list) if (!first.has(w.id)) first.set(w.id, w.at - Date.parse(w.event.receivedAt));
  return [...first.values()].sort((a, b) => a - b);
}

const rows: (string | number)[][] = [];
const summary: Record<string, number> = {};
try {
  await waitForHttp(`http://127.0.0.1:${callbackPort}/health`);
  await waitForHttp(`http://127.0.0.1:${workerPort}/health`);
  const path = `/callback/suites/${suite.suiteId}/command`;
  const load = (rate: number | undefined, connections: number, run: string, seconds = DURATION): LoadResult =>
    runNode<LoadResult>('dist/bench/load-generator.js', [
      JSON.stringify({ url: `http://127.0.0.1:${callbackPort}`, path, ...suite, durationSeconds: seconds, connections, rate, runId: run }),
    ]);

  const warm = load(100, 16, 'warm', 3);
  await delivered('warm', warm.statuses['200'] ?? 0, 60_000);

  for (const rate of RATES) {
    const run = `r${rate}`;
    const r = load(rate, 32, run);
    const acked = r.statuses['200'] ?? 0;
    const list = await delivered(run, acked);
    const lat = latencies(list);
    rows.push([`${rate}/s`, r.rps, acked, lat.length, list.length - lat.length, percentile(lat, 50), percentile(lat, 99)]);
    summary[`p50_ms_at_${rate}`] = round1(percentile(lat, 50));
    summary[`p99_ms_at_${rate}`] = round1(percentile(lat, 99));
    // Distinct events delivered can exceed the acknowledged count: a callback stored whose answer the generator gave up on.
    summary[`lost_at_${rate}`] = Math.max(0, acked - lat.length);
  }

  const sat = load(undefined, 64, 'sat');
  const satAcked = sat.statuses['200'] ?? 0;
  const list = await delivered('sat', satAcked, 300_000);
  const lat = latencies(list);
  const arrivals = list.map((w) => w.at).sort((a, b) => a - b);
  const deliveriesPerSecond = arrivals.length > 1 ? (lat.length / (arrivals[arrivals.length - 1] - arrivals[0])) * 1000 : 0;
  rows.push(['max', sat.rps, satAcked, lat.length, list.length - lat.length, percentile(lat, 50), percentile(lat, 99)]);

  process.stdout.write(`event delivery, callback → verified webhook, ${DURATION} s per step; latency in ms from the callback's receipt\n`);
  printTable(['offered', 'intake req/s', 'acked', 'delivered (distinct)', 'duplicates', 'p50 ms', 'p99 ms'], rows);
  process.stdout.write(`saturation: intake ${Math.round(sat.rps)} callbacks/s; deliveries ${Math.round(deliveriesPerSecond)}/s from the first to the last arrival; rejected signatures ${receiver.rejected}\n`);
  printSummary({
    bench: 'event-delivery',
    metric: 'deliveries/s at saturation vs callback intake/s',
    ours: deliveriesPerSecond,
    reference: sat.rps,
    ...summary,
    lost_at_saturation: Math.max(0, satAcked - lat.length),
    rejected: receiver.rejected,
  });
} finally {
  await Promise.all([stop(callback), stop(worker)]);
  await receiver.close();
  await prisma.onModuleDestroy();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${redisPrefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  redis.disconnect();
}
