/**
 * Callback intake under load: the callback app (Fastify, PostgreSQL inbox, BullMQ) against the limit — a bare
 * node:http server doing only verify + decrypt + answer on the same inputs. The load generator is a separate
 * process (autocannon) sending valid, unique, encrypted callbacks at rising rates, then without a cap.
 *   node dist/bench/callback-ingest.js
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PrismaService, SecretCipher, SuiteRepository } from '@app/store';
import { freePort, freshDatabase, runNode, startNode, stop, waitForHttp } from './processes.js';
import { printSummary, printTable } from './support.js';

interface LoadResult {
  sent: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  statuses: Record<string, number>;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const RATES = [250, 500, 1000];
const secretKey = randomBytes(32);
const suite = { suiteId: 'wwbenchsuite', token: 'benchtoken', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
const redisPrefix = `bench${Date.now()}`;

const databaseUrl = await freshDatabase('wecom_isv_bench');
const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
await new SuiteRepository(prisma, new SecretCipher(secretKey)).upsert({ ...suite, secret: 'bench-secret', encodingAesKey: suite.aesKey });

const appPort = await freePort();
const limitPort = await freePort();
const app = startNode('dist/apps/callback/src/main.js', [], {
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: '20',
  REDIS_PREFIX: redisPrefix,
  SECRET_KEY: secretKey.toString('base64'),
  CALLBACK_PORT: String(appPort),
  LOG_LEVEL: 'log',
});
const limit = startNode('dist/bench/limit-server.js', [JSON.stringify({ port: limitPort, ...suite })], {});

const rows: (string | number)[][] = [];
const results: Record<string, Record<string, LoadResult>> = { ours: {}, limit: {} };
const warmups: Record<string, LoadResult> = {};
try {
  await waitForHttp(`http://127.0.0.1:${appPort}/health`);
  await waitForHttp(`http://127.0.0.1:${limitPort}/`);
  const path = `/callback/suites/${suite.suiteId}/command`;
  for (const [name, port] of [['ours', appPort], ['limit', limitPort]] as const) {
    const load = (rate: number | undefined, connections: number, run: string): LoadResult =>
      runNode<LoadResult>('dist/bench/load-generator.js', [
        JSON.stringify({ url: `http://127.0.0.1:${port}`, path, ...suite, durationSeconds: DURATION, connections, rate, runId: `${name}-${run}` }),
      ]);
    warmups[name] = load(500, 20, 'warmup');
    for (const rate of RATES) results[name][String(rate)] = load(rate, 32, `r${rate}`);
    results[name].saturation = load(undefined, 64, 'sat');
    for (const [label, r] of Object.entries(results[name])) {
      rows.push([name, label === 'saturation' ? 'max' : label, r.rps, r.p50, r.p99, r.errors + r.non2xx]);
    }
  }
  const acked = [warmups.ours, ...Object.values(results.ours)].reduce((n, r) => n + (r.statuses['200'] ?? 0), 0);
  const stored = await prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId, type: 'change_contact' } });

  process.stdout.write(`callback intake, ${DURATION} s per step; latency in ms; 'limit' = bare node:http verify+decrypt+answer\n`);
  printTable(['target', 'offered req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'errors'], rows);
  process.stdout.write(`acknowledged by the callback app (incl. warm-up): ${acked}, stored in the inbox: ${stored}\n`);
  printSummary({
    bench: 'callback-ingest',
    metric: 'req/s at saturation',
    ours: results.ours.saturation.rps,
    reference: results.limit.saturation.rps,
    p50_ms_at_500: round1(results.ours['500'].p50),
    p99_ms_at_500: round1(results.ours['500'].p99),
    p99_ms_at_1000: round1(results.ours['1000'].p99),
    errors: Object.values(results.ours).reduce((n, r) => n + r.errors + r.non2xx, 0),
    acked,
    stored,
  });
} finally {
  await Promise.all([stop(app), stop(limit)]);
  await prisma.onModuleDestroy();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${redisPrefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  redis.disconnect();
}
