/**
 * bench/refresh-scale — does the token refresh scheme hold 10,000 and 100,000 corps?
 *
 *   npm run build && node dist/bench/refresh-scale.js
 *
 * Per size N, against the WeCom simulator on a fast clock (BENCH_TIME_FACTOR, default 8: a 7200 s token lives
 * 900 real seconds, and WeCom's per-minute limit is scaled by the same factor):
 *   1. seeds N corps in the simulator (seed-corps) and in PostgreSQL (one bulk insert), and gives all but a
 *      burst of BURST of them a token already fetched, expiring uniformly over one lifetime (a platform that has
 *      been running a while); the burst corps have no token yet (a mass install just happened);
 *   2. measures one sweep of the due-time index in isolation (a private redis-server, nothing else connected)
 *      with N tokens indexed and 0, 100 and 1000 of them due: Redis commands (INFO commandstats, including
 *      those run inside Lua) and milliseconds per tick;
 *   3. starts a worker process, which reconciles the schedule from PostgreSQL, and watches it for WINDOW
 *      seconds: refreshes per second, sweeps, WeCom get_corp_token calls per token per lifetime (the simulator hands
 *      out the same token for its whole validity, so 1.0 is the floor), and every second the number of stored
 *      tokens expired for longer than their renewal allows (stale: due 1.5 s after expiry plus jitter and a lease)
 *      and merely expired (awaiting their renewal just after expiry);
 *      The seeded tokens first expire after the set-up (which takes longer than the window under load), so once the
 *      worker has reconciled, the share of them that falls due in one window at steady state (N × window / lifetime)
 *      is stored again expiring inside the window — in PostgreSQL, the cache and the due-time index, as the token API
 *      stores a token it fetched — and those are the renewals the calls-per-lifetime figure counts;
 *   4. reads Redis memory (INFO used_memory after vs before, MEMORY USAGE of the index).
 * Prints a table, then one JSON line: the per-tick Redis cost of a sweep with 100 tokens due at 100,000 corps
 * ("ours") against the same at 10,000 ("reference"); a ratio near 1 says the cost follows due tokens, not tenants.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { MetricsRegistry } from '@app/platform';
import { bullPrefix, createQueue, QueueName } from '@app/queues';
import { AuthCorpRepository, PrismaService, SecretCipher, StoredTokenRepository, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { EXPIRES_IN_GRANULARITY_MS, RefreshSchedule, TokenCache, TokenKey, tokenKeyId } from '@app/tokens';
import { SweepDueTokensJob } from '../apps/worker/src/jobs/sweep-due-tokens.job.js';
import { refreshTiming } from '../apps/worker/src/refresh/refresh-timing.js';
import { WorkerMetrics } from '../apps/worker/src/worker-metrics.js';
import { startSimulator, Simulator } from '../apps/wecom-sim/src/simulator.js';
import { TestRedisServer } from '../test/support/redis-server.js';
import { scaledWorkerEnv, sumMetric, WorkerProcess } from '../test/support/worker.js';
import { recreateDatabase } from './processes.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const FACTOR = Number(process.env.BENCH_TIME_FACTOR ?? 8);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_SECONDS ?? 30) * 1000;
const BURST = 2000;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/wecom_isv_bench_refresh';
const SECRET_KEY = randomBytes(32);
const PREFIX = 'bench';
const LIFETIME_S = 7200;
const DUE_COUNTS = [0, 100, 1000];
const TICKS_PER_COUNT = 5;

const workerEnv = (simUrl: string, redisUrl: string): Record<string, string> => ({
  ...scaledWorkerEnv(FACTOR, {
    REFRESH_SWEEP_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '50',
    JOB_LOCK_DURATION_MS: '30000',
    JOB_STALLED_INTERVAL_MS: '30000',
  }),
  DATABASE_URL,
  DATABASE_POOL_SIZE: '20',
  REDIS_URL: redisUrl,
  REDIS_PREFIX: PREFIX,
  SECRET_KEY: SECRET_KEY.toString('base64'),
  WECOM_API_BASE: simUrl,
  // WeCom's limit per simulated minute: 18,000 calls per 60 / FACTOR real seconds.
  WECOM_CALLS_PER_MINUTE: String(18_000 * FACTOR),
});

interface SweepCost {
  due: number;
  commands: number;
  ms: number;
}

interface SizeResult {
  corps: number;
  seedMs: number;
  reconcileMs: number;
  reconcileAdded: number;
  restartReconcileMs: number;
  restartReconcileAdded: number;
  peakPerSecond: number;
  sweeps: SweepCost[];
  liveSweeps: number;
  liveSweepMs: number;
  liveTakenPerSweep: number;
  refreshes: number;
  refreshesPerSecond: number;
  steadyDemandPerSecond: number;
  burstSeconds: number | null;
  staleMax: number;
  expiredMax: number;
  /** get_corp_token calls at the simulator in the window, burst corps' first fetch excluded */
  steadyCalls: number;
  /** seeded tokens renewed by the end of the window (burst excluded): each is one lifetime's worth of a token */
  renewalsDue: number;
  /** seeded tokens stored again to expire within the window */
  expiringInWindow: number;
  refreshedAfterExpiry: number;
  redisBytesPerCorp: number;
  indexBytesPerCorp: number;
  cacheBytesPerToken: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Empties the tenant tables between sizes (a fresh migrate costs ~10 s, a truncate milliseconds). */
async function emptyDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query('TRUNCATE "StoredToken", "AuthCorp", "SuiteTicket", "Suite" CASCADE');
  await client.end();
}

async function sim<T = Record<string, unknown>>(simulator: Simulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${simulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function commandCount(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m && m[1] !== 'info' && m[1] !== 'config') total += Number(m[2]);
  }
  return total;
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

async function runSize(n: number, simulator: Simulator, redisUrl: string): Promise<SizeResult> {
  const seedStarted = Date.now();
  const phase = (name: string) => process.stdout.write(`  ${name} at ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`);
  await emptyDatabase();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await redis.flushall();
  const memoryBefore = await usedMemory(redis);
  const prisma = new PrismaService({ url: DATABASE_URL, poolSize: 10 });
  const cipher = new SecretCipher(SECRET_KEY, []);
  const env = workerEnv(simulator.url, redisUrl);
  const timing = refreshTiming({
    REFRESH_MARGIN_SECONDS: Number(env.REFRESH_MARGIN_SECONDS),
    REFRESH_JITTER_SECONDS: Number(env.REFRESH_JITTER_SECONDS),
    TOKEN_SERVE_MARGIN_SECONDS: Number(env.TOKEN_SERVE_MARGIN_SECONDS),
    REFRESH_SWEEP_INTERVAL_MS: Number(env.REFRESH_SWEEP_INTERVAL_MS),
    WECOM_CALLS_PER_MINUTE: Number(env.WECOM_CALLS_PER_MINUTE),
  });
  const lifetimeMs = (LIFETIME_S / FACTOR) * 1000;

  const suiteId = `wwbench${n}`;
  const suite = { suiteId, secret: randomBytes(16).toString('hex'), token: 'benchtoken', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
  await new SuiteRepository(prisma, cipher).upsert({ suiteId, secret: suite.secret, token: suite.token, encodingAesKey: suite.aesKey });
  await sim(simulator, 'POST', '/sim/suites', { suite_id: suiteId, suite_secret: suite.secret, token: suite.token, encoding_aes_key: suite.aesKey });
  const tickets = new SuiteTicketRepository(prisma, cipher);
  const pushTicket = async () => {
    const { suite_ticket } = await sim<{ suite_ticket: string }>(simulator, 'POST', `/sim/suites/${suiteId}/push-ticket`);
    await tickets.save(suiteId, suite_ticket, Math.floor(simulator.clock.now() / 1000));
  };
  await pushTicket();
  // A ticket is good for 1800 simulated seconds; push three times per validity, as WeCom does.
  const ticketTimer = setInterval(() => void pushTicket().catch(() => undefined), ((1800 / FACTOR) * 1000) / 3);

  const seeded = (await sim(simulator, 'POST', `/sim/suites/${suiteId}/seed-corps`, { count: n, prefix: `wwb${n}x` })).corps as {
    corpid: string;
    permanent_code: string;
  }[];
  phase('simulator seeded');
  await new AuthCorpRepository(prisma, cipher).importMany(suiteId, seeded.map((c) => ({ corpId: c.corpid, permanentCode: c.permanent_code })));

  // All but the burst already hold a token fetched earlier, expiring uniformly over one lifetime.
  const now = Date.now();
  const withTokens = seeded.slice(BURST).map((c) => {
    const key: TokenKey = { kind: 'corp', suiteId, corpId: c.corpid };
    const expiresAt = new Date(now + timing.marginMs + 2000 + Math.random() * (lifetimeMs - timing.marginMs - 2000));
    return { key, token: { value: `seeded-${randomBytes(16).toString('hex')}`, expiresAt } };
  });
  phase('corps stored');
  const storedTokens = new StoredTokenRepository(prisma, cipher);
  await storedTokens.insertMany(withTokens);
  phase('tokens stored');
  const cache = new TokenCache(redis, PREFIX, cipher);
  for (let i = 0; i < withTokens.length; i += 2000) await Promise.all(withTokens.slice(i, i + 2000).map((t) => cache.set(t.key, t.token)));
  const seedMs = Date.now() - seedStarted;
  phase('tokens cached');

  // One sweep in isolation: N tokens indexed, `due` of them due, nothing else talking to Redis. The index is built
  // here with every member far in the future (not from the seeded expiries), so the "0 due" tick really has none due.
  const schedule = new RefreshSchedule(redis, PREFIX, timing.marginMs, timing.jitterMs);
  const queue = createQueue(QueueName.TokenRefresh, redis, bullPrefix({ prefix: PREFIX }));
  const sweeper = new SweepDueTokensJob(schedule, queue, timing, new WorkerMetrics(new MetricsRegistry()));
  const far = Date.now() + 10 * lifetimeMs;
  const members = seeded.map((c) => tokenKeyId({ kind: 'corp', suiteId, corpId: c.corpid }));
  for (let i = 0; i < members.length; i += 5000) {
    await redis.zadd(`${PREFIX}:refresh-due`, ...members.slice(i, i + 5000).flatMap((m) => [far, m]));
  }
  const sweeps: SweepCost[] = [];
  for (const due of DUE_COUNTS) {
    let commands = 0;
    let ms = 0;
    for (let t = 0; t < TICKS_PER_COUNT; t++) {
      const picked = members.slice(t * due, (t + 1) * due);
      if (picked.length) await redis.zadd(`${PREFIX}:refresh-due`, ...picked.flatMap((m) => [1, m]));
      await redis.config('RESETSTAT');
      const started = performance.now();
      const { taken } = await sweeper.sweep();
      ms += performance.now() - started;
      commands += await commandCount(redis);
      if (taken !== due) throw new Error(`sweep took ${taken}, expected ${due}`);
    }
    sweeps.push({ due, commands: commands / TICKS_PER_COUNT, ms: ms / TICKS_PER_COUNT });
  }
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.del(`${PREFIX}:refresh-due`);

  phase('sweep measured');
  // Counted from before the worker starts: the burst corps' first fetch begins at once.
  const corpTokenCalls = async () => ((await sim<{ by_path: Record<string, number> }>(simulator, 'GET', '/sim/calls')).by_path['/cgi-bin/service/get_corp_token'] ?? 0);
  const callsBefore = await corpTokenCalls();
  // The worker: reconciles the index from PostgreSQL at start-up, then runs.
  const worker = await WorkerProcess.spawn(env, 60_000);
  const reconciled = await waitForLog(worker, 'refresh schedule reconciled', 120_000);
  phase('worker started and reconciled');
  const scrape = async () => (await fetch(`${worker.url}/metrics`)).text();
  const before = await scrape();
  const started = Date.now();
  // The steady-state share of tokens that expire in one window: stored again expiring within it (as the token API
  // stores a fetched token: PostgreSQL, cache, due-time index), so the worker renews them while we watch.
  const inWindow = withTokens.slice(0, Math.round((withTokens.length * WINDOW_MS) / lifetimeMs)).map((t) => ({
    key: t.key,
    token: { value: t.token.value, expiresAt: new Date(started + 1000 + Math.random() * (WINDOW_MS - 2000)) },
  }));
  for (let i = 0; i < inWindow.length; i += 200) {
    await Promise.all(
      inWindow.slice(i, i + 200).map(async (t) => {
        await storedTokens.save(t.key, t.token);
        await cache.set(t.key, t.token);
        await schedule.schedule(t.key, t.token.expiresAt);
      }),
    );
  }
  phase(`${inWindow.length} tokens set to expire within the window`);
  // A token is renewed just after it expires (WeCom hands out no other before): stale means later than that allows.
  const allowanceMs = EXPIRES_IN_GRANULARITY_MS + timing.jitterMs + timing.leaseMs + timing.sweepIntervalMs;
  let staleMax = 0;
  let expiredMax = 0;
  let burstSeconds: number | null = null;
  const fetched: { at: number; count: number }[] = [{ at: started, count: sumMetric(before, 'wecom_token_refreshes_total', { kind: 'corp', outcome: 'ok' }) }];
  while (Date.now() - started < WINDOW_MS) {
    await sleep(1000);
    const at = new Date();
    const [stale, expired, stored, text] = await Promise.all([
      storedTokens.countExpiringBefore('corp', new Date(at.getTime() - allowanceMs)),
      storedTokens.countExpiringBefore('corp', at),
      storedTokens.countExpiringBefore('corp', new Date(8.64e15)),
      scrape(),
    ]);
    staleMax = Math.max(staleMax, stale);
    expiredMax = Math.max(expiredMax, expired);
    if (burstSeconds === null && stored >= n) burstSeconds = (Date.now() - started) / 1000;
    fetched.push({ at: Date.now(), count: sumMetric(text, 'wecom_token_refreshes_total', { kind: 'corp', outcome: 'ok' }) });
  }
  const elapsed = (Date.now() - started) / 1000;
  const after = await scrape();
  const steadyCalls = (await corpTokenCalls()) - callsBefore - BURST;
  // A renewed token expires a whole lifetime after its renewal, later than any seeded one: count those (the burst
  // corps' first tokens included, hence minus BURST). Calls per renewal = WeCom calls per token per lifetime.
  const storedTotal = await storedTokens.countExpiringBefore('corp', new Date(8.64e15));
  const renewalsDue = storedTotal - (await storedTokens.countExpiringBefore('corp', new Date(now + lifetimeMs + 1))) - BURST;
  let peakPerSecond = 0;
  for (let i = 5; i < fetched.length; i++) {
    peakPerSecond = Math.max(peakPerSecond, ((fetched[i].count - fetched[i - 5].count) * 1000) / (fetched[i].at - fetched[i - 5].at));
  }
  const delta = (name: string, labels: Record<string, string> = {}) => sumMetric(after, name, labels) - sumMetric(before, name, labels);
  const refreshes = delta('wecom_token_refreshes_total', { kind: 'corp', outcome: 'ok' });
  const liveSweeps = delta('wecom_refresh_sweep_duration_seconds_count');

  const memoryAfter = await usedMemory(redis);
  const indexBytes = Number(await redis.call('MEMORY', 'USAGE', `${PREFIX}:refresh-due`, 'SAMPLES', '0'));
  let cacheBytes = 0;
  const sample = withTokens.slice(0, 200);
  for (const t of sample) cacheBytes += Number((await redis.call('MEMORY', 'USAGE', cache.key(t.key))) ?? 0);

  await worker.kill('SIGTERM');
  // A plain restart: the index survived in Redis, so reconciliation only checks presence. The "reconciled" marker
  // is dropped as if every worker had been gone longer than its TTL (otherwise the restart does not walk at all).
  await redis.del(schedule.reconciledKey);
  const restarted = await WorkerProcess.spawn(env, 60_000);
  const restartReconciled = await waitForLog(restarted, 'refresh schedule reconciled', 120_000);
  await restarted.kill('SIGTERM');
  phase('restart reconciled');
  clearInterval(ticketTimer);
  redis.disconnect();
  await prisma.onModuleDestroy();
  const cycleS = (LIFETIME_S - 900 - 60) / FACTOR;
  return {
    corps: n,
    seedMs,
    reconcileMs: reconciled.ms,
    reconcileAdded: reconciled.added,
    restartReconcileMs: restartReconciled.ms,
    restartReconcileAdded: restartReconciled.added,
    peakPerSecond,
    sweeps,
    liveSweeps,
    liveSweepMs: liveSweeps ? (delta('wecom_refresh_sweep_duration_seconds_sum') * 1000) / liveSweeps : 0,
    liveTakenPerSweep: liveSweeps ? delta('wecom_refresh_sweep_taken_total') / liveSweeps : 0,
    refreshes,
    refreshesPerSecond: refreshes / elapsed,
    steadyDemandPerSecond: n / cycleS,
    burstSeconds,
    staleMax,
    expiredMax,
    steadyCalls,
    renewalsDue,
    expiringInWindow: inWindow.length,
    refreshedAfterExpiry: sumMetric(after, 'wecom_tokens_refreshed_after_expiry_total'),
    redisBytesPerCorp: (memoryAfter - memoryBefore) / n,
    indexBytesPerCorp: indexBytes / n,
    cacheBytesPerToken: cacheBytes / sample.length,
  };
}

async function waitForLog(worker: WorkerProcess, msg: string, timeoutMs: number): Promise<{ ms: number; added: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of worker.log().split('\n')) {
      if (!line.includes(msg)) continue;
      const parsed = JSON.parse(line) as { message: { ms: number; added: number } };
      return parsed.message;
    }
    await sleep(100);
  }
  throw new Error(`worker never logged "${msg}":\n${worker.log()}`);
}

/** get_corp_token calls per token per 2 h lifetime: the calls the window made for tokens that fell due in it. */
const callsPerLifetime = (r: SizeResult): number => (r.renewalsDue ? r.steadyCalls / r.renewalsDue : 0);

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  await recreateDatabase(DATABASE_URL);
  const redisServer = await new TestRedisServer().start();
  const simulator = await startSimulator({ port: 0, logger: false, ticketIntervalSeconds: 0, timeFactor: FACTOR });
  const results: SizeResult[] = [];
  try {
    for (const n of SIZES) {
      process.stdout.write(`refresh-scale: ${fmt(n)} corps …\n`);
      results.push(await runSize(n, simulator, redisServer.url));
    }
  } finally {
    await simulator.close();
    await redisServer.stop();
  }

  process.stdout.write(`\nrefresh-scale — time factor ${FACTOR} (a token lives ${LIFETIME_S / FACTOR} s), window ${WINDOW_MS / 1000} s, ${BURST} corps installed without a token at start\n\n`);
  const header = ['', ...results.map((r) => `${fmt(r.corps)} corps`)];
  const rows: string[][] = [
    ['seed (sim + PostgreSQL + cache), s', ...results.map((r) => fmt(r.seedMs / 1000, 1))],
    ['reconcile, index lost: rebuilt from PostgreSQL, ms (added)', ...results.map((r) => `${fmt(r.reconcileMs)} (${fmt(r.reconcileAdded)})`)],
    ['reconcile, plain restart: ms (added)', ...results.map((r) => `${fmt(r.restartReconcileMs)} (${fmt(r.restartReconcileAdded)})`)],
    ...DUE_COUNTS.map((due, i) => [
      `sweep tick, ${due} due: Redis commands / ms`,
      ...results.map((r) => `${fmt(r.sweeps[i].commands, 1)} / ${fmt(r.sweeps[i].ms, 2)}`),
    ]),
    ['live sweeps: count / ms per tick / taken per tick', ...results.map((r) => `${fmt(r.liveSweeps)} / ${fmt(r.liveSweepMs, 2)} / ${fmt(r.liveTakenPerSweep, 1)}`)],
    ['corp token refreshes in window', ...results.map((r) => fmt(r.refreshes))],
    ['refreshes/s: window mean / best 5 s (steady demand)', ...results.map((r) => `${fmt(r.refreshesPerSecond, 1)} / ${fmt(r.peakPerSecond, 1)} (${fmt(r.steadyDemandPerSecond, 1)})`)],
    [`${BURST} new corps all holding a token after, s`, ...results.map((r) => (r.burstSeconds === null ? 'not within window' : fmt(r.burstSeconds, 0)))],
    ['stale tokens (max seen; past due) / expired awaiting renewal', ...results.map((r) => `${r.staleMax} / ${r.expiredMax}`)],
    ['seeded tokens expiring in window / renewed in window (burst excluded)', ...results.map((r) => `${fmt(r.expiringInWindow)} / ${fmt(r.renewalsDue)}`)],
    ['WeCom get_corp_token calls in window (burst excluded)', ...results.map((r) => fmt(r.steadyCalls))],
    ['WeCom calls per token per 2 h lifetime', ...results.map((r) => fmt(callsPerLifetime(r), 3))],
    ['refreshed after expiry (worker metric)', ...results.map((r) => String(r.refreshedAfterExpiry))],
    ['Redis bytes per corp: used_memory Δ / index / cache entry', ...results.map((r) => `${fmt(r.redisBytesPerCorp)} / ${fmt(r.indexBytesPerCorp)} / ${fmt(r.cacheBytesPerToken)}`)],
  ];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c].length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}\n`);

  const small = results[0];
  const large = results[results.length - 1];
  const at100 = (r: SizeResult) => r.sweeps[DUE_COUNTS.indexOf(100)];
  const summary = {
    bench: 'refresh-scale',
    metric: 'sweep_redis_commands_per_tick_100_due',
    ours: at100(large).commands,
    reference: at100(small).commands,
    ratio: Number((at100(large).commands / at100(small).commands).toFixed(3)),
    unit: 'Redis commands per sweep tick (incl. inside Lua), 100,000 vs 10,000 corps, 100 tokens due',
    sweep_ms_100_due: { [small.corps]: Number(at100(small).ms.toFixed(2)), [large.corps]: Number(at100(large).ms.toFixed(2)) },
    sweep_commands_0_due: { [small.corps]: small.sweeps[0].commands, [large.corps]: large.sweeps[0].commands },
    refreshes_per_second: Object.fromEntries(results.map((r) => [r.corps, Number(r.refreshesPerSecond.toFixed(1))])),
    peak_refreshes_per_second: Object.fromEntries(results.map((r) => [r.corps, Number(r.peakPerSecond.toFixed(1))])),
    redis_bytes_per_corp: Object.fromEntries(results.map((r) => [r.corps, Math.round(r.redisBytesPerCorp)])),
    stale_tokens: results.reduce((sum, r) => sum + r.staleMax, 0),
    wecom_calls_per_token_per_lifetime: Object.fromEntries(results.map((r) => [r.corps, Number(callsPerLifetime(r).toFixed(3))])),
    time_factor: FACTOR,
  };
  process.stdout.write(`\n${JSON.stringify(summary)}\n`);
  if (summary.stale_tokens > 0) process.exitCode = 1;
}

await main();
