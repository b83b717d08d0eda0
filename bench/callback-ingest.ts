/**
 * Callback intake under load: the callback app (Fastify, PostgreSQL inbox, BullMQ) against two references in the same
 * run — the limit, a bare node:http server doing only verify + decrypt + answer on the same inputs, and the durable
 * limit, the same plus a group-committed INSERT with `pg` before answering (bench/durable-limit-server.ts). The goal is
 * ours ≥ 0.8 × the durable limit. The load generator is a separate process (autocannon) sending valid, unique,
 * encrypted callbacks at rising rates, then without a cap.
 *   node dist/bench/callback-ingest.js        (BENCH_CALLBACK_PROCESSES=2: two callback processes, connections split)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { PrismaService, SecretCipher, SuiteRepository } from '@app/store';
import { cpuSeconds, freePort, freshDatabase, runNodeAsync, startNode, stop, waitForHttp } from './processes.js';
import { countRoundTrips } from './round-trips.js';
import type { LoadResult } from './load-generator.js';
import { printSummary, printTable } from './support.js';

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Several generators' figures as one: rates and counts add up; latency percentiles are the worst part's. */
function combine(parts: LoadResult[]): LoadResult {
  if (parts.length === 1) return parts[0];
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const sum = (f: (p: LoadResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    sent: sum((p) => p.sent),
    rps: sum((p) => p.rps),
    p50: Math.max(...parts.map((p) => p.p50)),
    p99: Math.max(...parts.map((p) => p.p99)),
    errors: sum((p) => p.errors),
    non2xx: sum((p) => p.non2xx),
    statuses,
  };
}
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const RATES = [250, 500, 1000];
const secretKey = randomBytes(32);
const suite = { suiteId: 'wwbenchsuite', token: 'benchtoken', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
const redisPrefix = `bench${Date.now()}`;

const databaseUrl = await freshDatabase('wecom_isv_bench');
const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
await new SuiteRepository(prisma, new SecretCipher(secretKey)).upsert({ ...suite, secret: 'bench-secret', encodingAesKey: suite.aesKey });

const CALLBACK_PROCESSES = Number(process.env.BENCH_CALLBACK_PROCESSES ?? 1);
const appPorts = await Promise.all(Array.from({ length: CALLBACK_PROCESSES }, () => freePort()));
const limitPort = await freePort();
const durablePort = await freePort();
const apps = appPorts.map((port) =>
  startNode('dist/apps/callback/src/main.js', [], {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '20',
    REDIS_PREFIX: redisPrefix,
    SECRET_KEY: secretKey.toString('base64'),
    CALLBACK_PORT: String(port),
    LOG_LEVEL: 'log',
  }),
);
const limit = startNode('dist/bench/limit-server.js', [JSON.stringify({ port: limitPort, ...suite })], {});
const durable = startNode('dist/bench/durable-limit-server.js', [JSON.stringify({ port: durablePort, ...suite, databaseUrl })], {});

const rows: (string | number)[][] = [];
const results: Record<string, Record<string, LoadResult>> = { ours: {}, durable: {}, limit: {} };
const warmups: Record<string, LoadResult> = {};
/** CPU µs each target's server process(es) spent per answered callback over the measured steps (warm-up excluded). */
const cpuPerRequest: Record<string, number> = {};
try {
  for (const port of appPorts) await waitForHttp(`http://127.0.0.1:${port}/health`);
  await waitForHttp(`http://127.0.0.1:${limitPort}/`);
  await waitForHttp(`http://127.0.0.1:${durablePort}/`);
  const path = `/callback/suites/${suite.suiteId}/command`;
  // Round trips per callback, before the load: 1,000 callbacks at 500/s into the first callback process.
  let counted = 0;
  const trips = await countRoundTrips(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', databaseUrl, async () => {
    const r = await runNodeAsync<LoadResult>('dist/bench/load-generator.js', [
      JSON.stringify({ url: `http://127.0.0.1:${appPorts[0]}`, path, ...suite, durationSeconds: 2, connections: 16, rate: 500, runId: 'count' }),
    ]);
    counted = r.statuses['200'] ?? 0;
  });
  const perCallback = (n: number) => Math.round((n / counted) * 1000) / 1000;
  const servers = { ours: apps, durable: [durable], limit: [limit] };
  for (const [name, ports] of [['ours', appPorts], ['durable', [durablePort]], ['limit', [limitPort]]] as const) {
    const cpuNow = () => servers[name].reduce((n, child) => n + cpuSeconds(child), 0);
    /** One load generator per process of the target, the rate and connections split between them; figures summed. */
    const load = async (rate: number | undefined, connections: number, run: string): Promise<LoadResult> => {
      const parts = ports.map((port, i) =>
        runNodeAsync<LoadResult>('dist/bench/load-generator.js', [
          JSON.stringify({
            url: `http://127.0.0.1:${port}`,
            path,
            ...suite,
            durationSeconds: DURATION,
            connections: Math.ceil(connections / ports.length),
            rate: rate === undefined ? undefined : rate / ports.length,
            runId: `${name}-${run}-${i}`,
          }),
        ]),
      );
      return combine(await Promise.all(parts));
    };
    warmups[name] = await load(500, 20, 'warmup');
    const cpuBefore = cpuNow();
    for (const rate of RATES) results[name][String(rate)] = await load(rate, 32, `r${rate}`);
    results[name].saturation = await load(undefined, 64, 'sat');
    const answered = Object.values(results[name]).reduce((n, r) => n + (r.statuses['200'] ?? 0), 0);
    cpuPerRequest[name] = Math.round(((cpuNow() - cpuBefore) / answered) * 1e6);
    for (const [label, r] of Object.entries(results[name])) {
      rows.push([name, label === 'saturation' ? 'max' : label, r.rps, r.p50, r.p99, r.errors + r.non2xx]);
    }
  }
  const acked = [warmups.ours, ...Object.values(results.ours)].reduce((n, r) => n + (r.statuses['200'] ?? 0), 0);
  const stored = await prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId, type: 'change_contact' } });

  process.stdout.write(
    `callback intake, ${DURATION} s per step, ${CALLBACK_PROCESSES} callback process(es); latency in ms; 'durable' = bare node:http verify+decrypt+group-committed INSERT (pg) then answer; 'limit' = bare node:http verify+decrypt+answer\n`,
  );
  printTable(['target', 'offered req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'errors'], rows);
  process.stdout.write(`acknowledged by the callback app (incl. warm-up): ${acked}, stored in the inbox: ${stored}\n`);
  process.stdout.write(
    `round trips per callback at 500/s (${counted} callbacks): PostgreSQL transactions ${perCallback(trips.sqlTransactions)}, Redis commands ${perCallback(trips.redisCommands)} (${Object.entries(trips.redisByCommand).map(([c, n]) => `${c} ${perCallback(n)}`).join(', ')})\n`,
  );
  process.stdout.write(
    `server CPU per answered callback (user+system, measured steps): ours ${cpuPerRequest.ours} µs, durable ${cpuPerRequest.durable} µs, limit ${cpuPerRequest.limit} µs\n`,
  );
  printSummary({
    bench: 'callback-ingest',
    metric: `req/s at saturation, ${CALLBACK_PROCESSES} callback process(es) (reference: the durable limit in the same run; goal ≥ 0.8)`,
    ours: results.ours.saturation.rps,
    reference: results.durable.saturation.rps,
    limit_rps: results.limit.saturation.rps,
    // On a shared machine the rates above measure the other load; CPU per callback does not (ratio durable/ours).
    cpu_us_per_callback: cpuPerRequest.ours,
    durable_cpu_us_per_callback: cpuPerRequest.durable,
    limit_cpu_us_per_callback: cpuPerRequest.limit,
    sql_transactions_per_callback: perCallback(trips.sqlTransactions),
    redis_commands_per_callback: perCallback(trips.redisCommands),
    cpu_ratio: Math.round((cpuPerRequest.durable / cpuPerRequest.ours) * 1000) / 1000,
    callback_processes: CALLBACK_PROCESSES,
    p50_ms_at_500: round1(results.ours['500'].p50),
    p99_ms_at_500: round1(results.ours['500'].p99),
    p99_ms_at_1000: round1(results.ours['1000'].p99),
    durable_p99_ms_at_1000: round1(results.durable['1000'].p99),
    errors: Object.values(results.ours).reduce((n, r) => n + r.errors + r.non2xx, 0),
    acked,
    stored,
  });
} finally {
  await Promise.all([...apps.map((a) => stop(a)), stop(limit), stop(durable)]);
  await prisma.onModuleDestroy();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${redisPrefix}:*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  redis.disconnect();
}
