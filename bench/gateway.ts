/**
 * The WeCom API gateway against calling the simulator directly with a cached token, side by side in one run at rising
 * request rates (open loop): what the gateway adds per call (API key, limits in Redis, token from the cache,
 * forwarding). Goal: added p99 < 2 ms at 1,000 req/s. The machine's load (`uptime`) is printed with the figures.
 * Before the timed steps it measures what a call costs, which does not depend on the machine's load: Redis commands
 * per gateway call (`INFO commandstats` before and after COST_CALLS calls; give it a Redis of its own through
 * REDIS_URL, the counts are server-wide) and the auth app's CPU ms per call (`/proc/<pid>/stat`, user + system).
 *   node dist/bench/gateway.js        (BENCH_DURATION_SECONDS=6, BENCH_RATES=250,500,1000)
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { ApiKeyRepository, AuthCorpRepository, PrismaService, SecretCipher, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { openLoop } from './open-loop.js';
import { cpuSeconds, freePort, freshDatabase, startNode, stop, waitForHttp } from './processes.js';
import { printSummary, printTable } from './support.js';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 6);
const RATES = (process.env.BENCH_RATES ?? '250,500,1000').split(',').map(Number);
const GOAL_ADDED_P99_MS = 2;
const CORPS = 20;
const COST_CALLS = 2000;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const secretKey = randomBytes(32);
const cipher = new SecretCipher(secretKey);
const suite = { suiteId: 'wwbenchgateway', secret: randomBytes(8).toString('hex'), token: 'tok', aesKey: randomBytes(32).toString('base64').slice(0, 43) };

const databaseUrl = await freshDatabase('wecom_isv_bench_gateway');
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
  const { corps } = await simPost<{ corps: { corpid: string; permanent_code: string; agentid: number }[] }>(`/sim/suites/${suite.suiteId}/seed-corps`, { count: CORPS });
  const corpRepo = new AuthCorpRepository(prisma, cipher);
  for (const c of corps) await corpRepo.saveAuthorization(suite.suiteId, { corpId: c.corpid, permanentCode: c.permanent_code, agentId: c.agentid });
  const { key } = await new ApiKeyRepository(prisma).create('bench', [`suite:${suite.suiteId}`]);
  auth = startNode('dist/apps/auth/src/main.js', [], {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `benchgw${Date.now()}`,
    SECRET_KEY: secretKey.toString('base64'),
    AUTH_PORT: String(authPort),
    WECOM_API_BASE: simUrl,
    WECOM_INSTALL_BASE: simUrl,
    WECOM_OAUTH_BASE: simUrl,
    LOG_LEVEL: 'warn',
    // The bench measures the gateway's cost, not WeCom's budgets: none of them may refuse or pace a call here.
    WECOM_CALLS_PER_MINUTE: '1000000',
    GATEWAY_CORP_API_PER_MINUTE: '10000000',
    GATEWAY_IP_PER_MINUTE: '10000000',
    GATEWAY_IP_PER_HOUR: '100000000',
  });
  const authUrl = `http://127.0.0.1:${authPort}`;
  await waitForHttp(`${authUrl}/health`);
  const headers = { authorization: `Bearer ${key}` };
  // The direct side holds each corp's token the way a vendor's service would: fetched once from the token API.
  const direct: string[] = [];
  const viaGateway: string[] = [];
  for (const c of corps) {
    const res = await fetch(`${authUrl}/api/v1/suites/${suite.suiteId}/corps/${c.corpid}/access-token`, { headers });
    if (res.status !== 200) throw new Error(`token for ${c.corpid}: ${res.status} ${await res.text()}`);
    const { access_token } = (await res.json()) as { access_token: string };
    direct.push(`/cgi-bin/agent/get?access_token=${encodeURIComponent(access_token)}&agentid=${c.agentid}`);
    viaGateway.push(`/api/v1/suites/${suite.suiteId}/corps/${c.corpid}/wecom/cgi-bin/agent/get?agentid=${c.agentid}`);
    const check = await fetch(authUrl + viaGateway.at(-1)!, { headers });
    const body = (await check.json()) as { errcode?: number };
    if (check.status !== 200 || body.errcode !== 0) throw new Error(`gateway warm-up for ${c.corpid}: ${check.status} ${JSON.stringify(body)}`);
  }

  const load = async (url: string, paths: string[], rate: number, withKey: boolean) => {
    const r = await openLoop({ url, rate, durationSeconds: DURATION, next: (i) => ({ path: paths[i % paths.length], headers: withKey ? headers : {} }) });
    return { rps: r.achieved, p50: r.p50, p99: r.p99, errors: r.errors + Object.entries(r.statuses).filter(([s]) => s !== '200').reduce((n, [, c]) => n + c, 0) };
  };
  await load(authUrl, viaGateway, 200, true);
  await load(simUrl, direct, 200, false);
  const cost = await costPerCall(authUrl, viaGateway, headers, auth);
  process.stdout.write(`per gateway call (${COST_CALLS} calls): ${cost.redisCommands} Redis commands (${cost.byCommand}), ${cost.cpuMs} ms CPU of the auth app\n`);
  const rows: (string | number)[][] = [];
  const results: Record<number, { gw: Awaited<ReturnType<typeof load>>; direct: Awaited<ReturnType<typeof load>> }> = {};
  // Alternating per rate, so a burst of load from elsewhere on the machine hits both sides alike.
  for (const rate of RATES) {
    const gw = await load(authUrl, viaGateway, rate, true);
    const d = await load(simUrl, direct, rate, false);
    results[rate] = { gw, direct: d };
    rows.push([rate, gw.rps, d.rps, gw.p50, d.p50, gw.p50 - d.p50, gw.p99, d.p99, gw.p99 - d.p99, gw.errors + d.errors]);
  }
  const [one, five, fifteen] = loadavg().map((n) => Math.round(n * 100) / 100);
  process.stdout.write(`WeCom gateway vs the simulator called directly with a cached token; ${CORPS} corps, agent/get, open loop, ${DURATION} s per step; load average ${one} ${five} ${fifteen}\n`);
  printTable(['offered req/s', 'gateway req/s', 'direct req/s', 'gw p50 ms', 'direct p50 ms', 'added p50', 'gw p99 ms', 'direct p99 ms', 'added p99', 'errors'], rows);
  const top = RATES.includes(1000) ? 1000 : RATES[RATES.length - 1];
  printSummary({
    bench: 'gateway',
    metric: `p99 ms through the gateway at ${top} req/s (reference: the simulator called directly with a cached token, same run; goal: added p99 < ${GOAL_ADDED_P99_MS} ms)`,
    ours: results[top].gw.p99,
    reference: results[top].direct.p99,
    added_p50_ms: Math.round((results[top].gw.p50 - results[top].direct.p50) * 100) / 100,
    added_p99_ms: Math.round((results[top].gw.p99 - results[top].direct.p99) * 100) / 100,
    rps_gateway: Math.round(results[top].gw.rps),
    redis_commands_per_call: cost.redisCommands,
    cpu_ms_per_call: cost.cpuMs,
    errors: Object.values(results).reduce((n, r) => n + r.gw.errors + r.direct.errors, 0),
    load_average: [one, five, fifteen],
  });
} finally {
  if (auth) await stop(auth);
  await stop(sim);
  await prisma.onModuleDestroy();
}

/** Redis commands (server-wide) and CPU ms of process `server` per gateway call, over COST_CALLS calls 10 at a time. */
async function costPerCall(authUrl: string, paths: string[], headers: Record<string, string>, server: ChildProcess): Promise<{ redisCommands: number; byCommand: string; cpuMs: number }> {
  const redis = new Redis(redisUrl);
  try {
    const before = commandStats(await redis.info('commandstats'));
    const cpuBefore = cpuSeconds(server);
    let next = 0;
    const worker = async () => {
      while (next < COST_CALLS) {
        const res = await fetch(authUrl + paths[next++ % paths.length], { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`gateway call: ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    const cpuMs = (cpuSeconds(server) - cpuBefore) * 1000;
    const after = commandStats(await redis.info('commandstats'));
    const delta = Object.entries(after)
      .map(([cmd, n]) => [cmd, n - (before[cmd] ?? 0)] as const)
      .filter(([cmd, n]) => n > 0 && cmd !== 'info');
    const total = delta.reduce((sum, [, n]) => sum + n, 0);
    const round = (n: number) => Math.round(n * 100) / 100;
    return { redisCommands: round(total / COST_CALLS), byCommand: delta.map(([cmd, n]) => `${cmd} ${round(n / COST_CALLS)}`).join(', '), cpuMs: round(cpuMs / COST_CALLS) };
  } finally {
    redis.disconnect();
  }
}

/** `cmdstat_get:calls=12,...` lines of INFO commandstats as { get: 12 }. */
function commandStats(info: string): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats[m[1]] = Number(m[2]);
  return stats;
}
