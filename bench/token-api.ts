/**
 * Cached token reads through the auth app at rising request rates: what a vendor's services see in steady
 * state (token in Redis). The reference is the goal: p99 under 5 ms at 2,000 req/s.
 *   node dist/bench/token-api.js
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { ApiKeyRepository, AuthCorpRepository, PrismaService, SecretCipher, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { openLoop } from './open-loop.js';
import { freePort, freshDatabase, startNode, stop, waitForHttp } from './processes.js';
import { printSummary, printTable } from './support.js';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const RATES = [500, 1000, 2000];
const GOAL_P99_MS = 5;
const secretKey = randomBytes(32);
const cipher = new SecretCipher(secretKey);
const suite = { suiteId: 'wwbenchtokens', secret: randomBytes(8).toString('hex'), token: 'tok', aesKey: randomBytes(32).toString('base64').slice(0, 43) };
const redisPrefix = `benchtok${Date.now()}`;

const databaseUrl = await freshDatabase('wecom_isv_bench_tokens');
const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
const simPort = await freePort();
const authPort = await freePort();
const sim = startNode('dist/apps/wecom-sim/src/main.js', [], { SIM_PORT: String(simPort), SIM_TICKET_INTERVAL_SECONDS: '0', LOG_LEVEL: 'warn' });
const simUrl = `http://127.0.0.1:${simPort}`;
const simPost = async <T>(path: string, body: unknown): Promise<T> => {
  const res = await fetch(`${simUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

let auth: ReturnType<typeof startNode> | undefined;
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

  auth = startNode('dist/apps/auth/src/main.js', [], {
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: redisPrefix,
    SECRET_KEY: secretKey.toString('base64'),
    AUTH_PORT: String(authPort),
    WECOM_API_BASE: simUrl,
    WECOM_INSTALL_BASE: simUrl,
    WECOM_OAUTH_BASE: simUrl,
    LOG_LEVEL: 'warn',
  });
  const authUrl = `http://127.0.0.1:${authPort}`;
  await waitForHttp(`${authUrl}/health`);
  const paths = corps.map((c) => `/api/v1/suites/${suite.suiteId}/corps/${c.corpid}/access-token`);
  for (const path of paths) {
    const res = await fetch(authUrl + path, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`warm-up ${path}: ${res.status} ${await res.text()}`);
  }
  const callsBefore = (await (await fetch(`${simUrl}/sim/calls`)).json()) as { total: number };

  /** Closed loop: as fast as `connections` clients can go. */
  const run = async (rate: number | undefined, connections: number) => {
    let i = 0;
    const result = await autocannon({
      url: authUrl,
      connections,
      duration: DURATION,
      overallRate: rate,
      headers: { authorization: `Bearer ${key}` },
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
    });
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
  };
  const fixedRate = async (rate: number) => {
    const r = await openLoop({ url: authUrl, rate, durationSeconds: DURATION, next: (i) => ({ path: paths[i % paths.length], headers: { authorization: `Bearer ${key}` } }) });
    return { rps: r.achieved, p50: r.p50, p99: r.p99, errors: r.errors };
  };
  await fixedRate(500);
  const rows: (string | number)[][] = [];
  const results: Record<string, Awaited<ReturnType<typeof run>>> = {};
  for (const rate of RATES) results[rate] = await fixedRate(rate);
  results.max = await run(undefined, 64);
  for (const [label, r] of Object.entries(results)) rows.push([label === 'max' ? 'max (64 connections)' : label, r.rps, r.p50, r.p99, r.errors]);
  const callsAfter = (await (await fetch(`${simUrl}/sim/calls`)).json()) as { total: number };

  process.stdout.write(`token API, cached corp tokens for 20 corps, ${DURATION} s per step (open-loop load at fixed rates, latency from each request's due time; load generator in this process, auth app in another)\n`);
  printTable(['offered req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'errors'], rows);
  process.stdout.write(`WeCom calls during the measured runs: ${callsAfter.total - callsBefore.total}\n`);
  printSummary({
    bench: 'token-api',
    metric: 'p99 ms at 2,000 req/s (reference: the 5 ms goal)',
    ours: results['2000'].p99,
    reference: GOAL_P99_MS,
    rps_max: Math.round(results.max.rps),
    p99_ms_at_max: results.max.p99,
    errors: Object.values(results).reduce((n, r) => n + r.errors, 0),
    wecom_calls: callsAfter.total - callsBefore.total,
  });
} finally {
  if (auth) await stop(auth);
  await stop(sim);
  await prisma.onModuleDestroy();
}
