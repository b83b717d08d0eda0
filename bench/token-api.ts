/**
 * Cached token reads through the auth app at rising request rates: what a vendor's services see in steady
 * state (token in Redis), side by side in one run with the limit — a bare node:http server doing only what a token
 * read must (bench/token-limit-server.ts). Goals: p99 under 5 ms at 2,000 req/s, and at most 2× the limit's p99.
 *   node dist/bench/token-api.js            (BENCH_AUTH_PROCESSES=2: two auth processes, requests alternating)
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { ApiKeyRepository, AuthCorpRepository, hashApiKey, PrismaService, SecretCipher, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { openLoop } from './open-loop.js';
import { cpuSeconds, freePort, freshDatabase, startNode, stop, waitForHttp } from './processes.js';
import { countRoundTrips } from './round-trips.js';
import { printSummary, printTable } from './support.js';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const RATES = [500, 1000, 2000];
const GOAL_P99_MS = 5;
const AUTH_PROCESSES = Number(process.env.BENCH_AUTH_PROCESSES ?? 1);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const secretKey = randomBytes(32);
const cipher = new SecretCipher(secretKey);
const suite = { suiteId: 'wwbenchtokens', secret: randomBytes(8).toString('hex'), token: 'tok', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
const redisPrefix = `benchtok${Date.now()}`;

const databaseUrl = await freshDatabase('wecom_isv_bench_tokens');
const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
const simPort = await freePort();
const authPorts = await Promise.all(Array.from({ length: AUTH_PROCESSES }, () => freePort()));
const limitPort = await freePort();
const sim = startNode('dist/apps/wecom-sim/src/main.js', [], { SIM_PORT: String(simPort), SIM_TICKET_INTERVAL_SECONDS: '0', LOG_LEVEL: 'warn' });
const simUrl = `http://127.0.0.1:${simPort}`;
const simPost = async <T>(path: string, body: unknown): Promise<T> => {
  const res = await fetch(`${simUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

const auths: ReturnType<typeof startNode>[] = [];
let limit: ReturnType<typeof startNode> | undefined;
try {
  await waitForHttp(`${simUrl}/sim/health`);
  await new SuiteRepository(prisma, cipher).upsert({ suiteId: suite.suiteId, secret: suite.secret, token: suite.token, encodingAesKey: suite.aesKey });
  await simPost('/sim/suites', { suite_id: suite.suiteId, suite_secret: suite.secret, token: suite.token, encoding_aes_key: suite.aesKey });
  const { suite_ticket } = await simPost<{ suite_ticket: string }>(`/sim/suites/${suite.suiteId}/push-ticket`, {});
  await new SuiteTicketRepository(prisma, cipher).save(suite.suiteId, suite_ticket, Math.floor(Date.now() / 1000));
  const { corps } = await simPost<{ corps: { corpid: string; permanent_code: string }[] }>(`/sim/suites/${suite.suiteId}/seed-corps`, { count: 20 });
  const corpRepo = new AuthCorpRepository(prisma, cipher);
  for (const c of corps) await corpRepo.saveAuthorization(suite.suiteId, { corpId: c.corpid, permanentCode: c.permanent_code });
  const { key } = await new ApiKeyRepository(prisma).create('bench', [`suite:${suite.suiteId}`]);

  for (const port of authPorts) {
    auths.push(
      startNode('dist/apps/auth/src/main.js', [], {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: redisPrefix,
        SECRET_KEY: secretKey.toString('base64'),
        AUTH_PORT: String(port),
        WECOM_API_BASE: simUrl,
        WECOM_INSTALL_BASE: simUrl,
        WECOM_OAUTH_BASE: simUrl,
        LOG_LEVEL: 'warn',
      }),
    );
  }
  const authUrl = `http://127.0.0.1:${authPorts[0]}`;
  for (const port of authPorts) await waitForHttp(`http://127.0.0.1:${port}/health`);
  const paths = corps.map((c) => `/api/v1/suites/${suite.suiteId}/corps/${c.corpid}/access-token`);
  for (const path of paths) {
    const res = await fetch(authUrl + path, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`warm-up ${path}: ${res.status} ${await res.text()}`);
  }
  limit = startNode('dist/bench/token-limit-server.js', [
    JSON.stringify({ port: limitPort, redisUrl, prefix: redisPrefix, secretKey: secretKey.toString('base64'), keyHash: hashApiKey(key) }),
  ], {});
  const limitUrl = `http://127.0.0.1:${limitPort}`;
  await waitForHttp(`${limitUrl}/`);
  for (const path of paths) {
    const [ours, bare] = await Promise.all([authUrl, limitUrl].map(async (u) => (await fetch(u + path, { headers: { authorization: `Bearer ${key}` } })).json()));
    if (JSON.stringify(ours) !== JSON.stringify(bare)) throw new Error(`the limit server answers ${JSON.stringify(bare)}, the auth app ${JSON.stringify(ours)}`);
  }
  // Round trips per cached token read: 500 reads, one at a time.
  const COUNTED_READS = 500;
  const trips = await countRoundTrips(redisUrl, databaseUrl, async () => {
    for (let i = 0; i < COUNTED_READS; i++) {
      const res = await fetch(authUrl + paths[i % paths.length], { headers: { authorization: `Bearer ${key}` } });
      if (res.status !== 200) throw new Error(`counted read: ${res.status}`);
      await res.arrayBuffer();
    }
  });
  const perRead = (n: number) => Math.round((n / COUNTED_READS) * 1000) / 1000;
  const callsBefore = (await (await fetch(`${simUrl}/sim/calls`)).json()) as { total: number };

  /** Closed loop: as fast as `connections` clients can go. */
  const run = async (url: string, connections: number) => {
    let i = 0;
    const result = await autocannon({
      url,
      connections,
      duration: DURATION,
      headers: { authorization: `Bearer ${key}` },
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
    });
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, ok: result['2xx'] };
  };
  /** Open loop at a fixed rate; over several auth processes, requests alternate between them. */
  const fixedRate = async (url: string, rate: number, ports: number[] = []) => {
    const r = await openLoop({
      url,
      rate,
      durationSeconds: DURATION,
      next: (i) => ({ path: paths[i % paths.length], port: ports.length ? ports[i % ports.length] : undefined, headers: { authorization: `Bearer ${key}` } }),
    });
    return { rps: r.achieved, p50: r.p50, p99: r.p99, errors: r.errors, ok: r.statuses['200'] ?? 0 };
  };
  await fixedRate(authUrl, 500, authPorts);
  await fixedRate(limitUrl, 500);
  const rows: (string | number)[][] = [];
  const ours: Record<string, Awaited<ReturnType<typeof run>>> = {};
  const bare: Record<string, Awaited<ReturnType<typeof run>>> = {};
  // Alternating, so a burst of load from elsewhere on the machine hits both sides alike.
  // CPU the server processes spend per answered request over the fixed-rate steps: the figure a shared machine
  // does not distort (latency there measures the other load).
  const cpu = { ours: 0, limit: 0 };
  const answered = { ours: 0, limit: 0 };
  const authCpu = () => auths.reduce((n, child) => n + cpuSeconds(child), 0);
  for (const rate of RATES) {
    let before = authCpu();
    ours[rate] = await fixedRate(authUrl, rate, authPorts);
    cpu.ours += authCpu() - before;
    answered.ours += ours[rate].ok;
    before = cpuSeconds(limit);
    bare[rate] = await fixedRate(limitUrl, rate);
    cpu.limit += cpuSeconds(limit) - before;
    answered.limit += bare[rate].ok;
  }
  const cpuUs = { ours: Math.round((cpu.ours / answered.ours) * 1e6), limit: Math.round((cpu.limit / answered.limit) * 1e6) };
  ours.max = await run(authUrl, 64);
  bare.max = await run(limitUrl, 64);
  for (const label of Object.keys(ours)) {
    const o = ours[label];
    const b = bare[label];
    rows.push([label === 'max' ? 'max (64 connections)' : label, o.rps, o.p50, o.p99, b.rps, b.p50, b.p99, o.errors + b.errors]);
  }
  const callsAfter = (await (await fetch(`${simUrl}/sim/calls`)).json()) as { total: number };

  process.stdout.write(
    `token API, cached corp tokens for 20 corps, ${DURATION} s per step, ${AUTH_PROCESSES} auth process(es) against the bare limit server (open-loop load at fixed rates, latency from each request's due time; load generator in this process; max: autocannon, 64 connections${AUTH_PROCESSES > 1 ? ', first process only' : ''})\n`,
  );
  printTable(['offered req/s', 'ours req/s', 'ours p50 ms', 'ours p99 ms', 'limit req/s', 'limit p50 ms', 'limit p99 ms', 'errors'], rows);
  process.stdout.write(`WeCom calls during the measured runs: ${callsAfter.total - callsBefore.total}\n`);
  process.stdout.write(
    `round trips per token read (${COUNTED_READS} reads): PostgreSQL transactions ${perRead(trips.sqlTransactions)}, Redis commands ${perRead(trips.redisCommands)} (${Object.entries(trips.redisByCommand).map(([c, n]) => `${c} ${perRead(n)}`).join(', ')})\n`,
  );
  process.stdout.write(`server CPU per token read (user+system, fixed-rate steps): ours ${cpuUs.ours} µs, limit ${cpuUs.limit} µs\n`);
  printSummary({
    bench: 'token-api',
    metric: `p99 ms at 2,000 req/s, ${AUTH_PROCESSES} auth process(es) (reference: the bare limit server's p99 in the same run; goals < 5 ms and ≤ 2× the limit)`,
    ours: ours['2000'].p99,
    reference: bare['2000'].p99,
    auth_processes: AUTH_PROCESSES,
    goal_p99_ms: GOAL_P99_MS,
    rps_max: Math.round(ours.max.rps),
    rps_max_limit: Math.round(bare.max.rps),
    p99_ms_at_max: ours.max.p99,
    cpu_us_per_read: cpuUs.ours,
    sql_transactions_per_read: perRead(trips.sqlTransactions),
    redis_commands_per_read: perRead(trips.redisCommands),
    limit_cpu_us_per_read: cpuUs.limit,
    errors: [...Object.values(ours), ...Object.values(bare)].reduce((n, r) => n + r.errors, 0),
    wecom_calls: callsAfter.total - callsBefore.total,
  });
} finally {
  for (const auth of auths) await stop(auth);
  if (limit) await stop(limit);
  await stop(sim);
  await prisma.onModuleDestroy();
}
