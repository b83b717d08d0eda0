/**
 * bench/license-reconcile — reconciling 10,000 tenants' account licenses with WeCom, within WeCom's rate limits.
 *
 *   npm run build && node dist/bench/license-reconcile.js
 *
 * Seeds BENCH_TENANTS (10,000) corps in the simulator and in PostgreSQL, each with a paid license order of two base
 * accounts, one of them bound to the corp's member; the simulator enforces WeCom's per-IP limit (BENCH_WECOM_LIMIT,
 * 20,000 calls per minute: over it, 45009 and a 60 s lockout). Then runs the worker's `LicenseReconciler` (the
 * code behind the `reconcile-licenses` job) for two full passes with a budget of BENCH_BUDGET (18,000) calls per
 * minute, BENCH_CONCURRENCY (16) tenants at a time:
 *   - cold: nothing stored yet (accounts, orders, codes, auto-activation are all fetched);
 *   - warm: everything known (accounts and the order list only).
 * Per pass: tenants, WeCom calls (counted by the simulator, per path), calls per tenant, wall time, calls per minute
 * achieved, 45009 answers, and the floor the budget alone imposes (calls ÷ budget). Prints a table, then one JSON
 * line: the warm pass's seconds ("ours") against its budget floor ("reference"): a ratio near 1 says the rate limit,
 * not the platform, bounds reconciliation.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { AuthCorpRepository, LicenseRepository, PrismaService, ProviderRepository, SecretCipher, StoredTokenRepository, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { LicenseReconciler, LicenseService } from '@app/tenants';
import { RefreshSchedule, TokenBroker } from '@app/tokens';
import { WecomServiceApi } from '@app/wecom';
import { startSimulator, Simulator } from '../apps/wecom-sim/src/simulator.js';
import { recreateDatabase } from './processes.js';
import { printSummary, printTable } from './support.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 18_000);
const WECOM_LIMIT = Number(process.env.BENCH_WECOM_LIMIT ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/wecom_isv_bench_licenses';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const PREFIX = `benchlic${randomBytes(3).toString('hex')}`;
const SECRET_KEY = randomBytes(32);

interface PassResult {
  pass: string;
  tenants: number;
  failed: number;
  calls: number;
  byPath: Record<string, number>;
  seconds: number;
  rateLimited: number;
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

async function main(): Promise<void> {
  const started = Date.now();
  const phase = (name: string) => process.stdout.write(`  ${name} at ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await recreateDatabase(DATABASE_URL);
  phase('database migrated');
  const simulator = await startSimulator({ port: 0, logger: false, ticketIntervalSeconds: 0 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prisma = new PrismaService({ url: DATABASE_URL, poolSize: 20 });
  const cipher = new SecretCipher(SECRET_KEY, []);
  const suites = new SuiteRepository(prisma, cipher);
  const corps = new AuthCorpRepository(prisma, cipher);
  try {
    const suiteId = 'wwbenchlicsuite';
    const providerCorpId = 'wwbenchlicprovider';
    const secret = randomBytes(16).toString('hex');
    const aesKey = randomBytes(32).toString('base64').slice(0, 43);
    await suites.upsert({ suiteId, secret, token: 'benchtoken', encodingAesKey: aesKey, providerCorpId, providerSecret: 'bench-provider-secret' });
    await sim(simulator, 'POST', '/sim/suites', { suite_id: suiteId, suite_secret: secret, token: 'benchtoken', encoding_aes_key: aesKey, provider_corpid: providerCorpId, provider_secret: 'bench-provider-secret' });
    const seeded = (await sim<{ corps: { corpid: string; permanent_code: string }[] }>(simulator, 'POST', `/sim/suites/${suiteId}/seed-corps`, { count: TENANTS, prefix: 'wwbl' })).corps;
    for (let i = 0; i < seeded.length; i += 2000) {
      await sim(simulator, 'POST', '/sim/licenses/seed', { provider_corpid: providerCorpId, corp_ids: seeded.slice(i, i + 2000).map((c) => c.corpid), per_corp: 2, active: 1, days: 372 });
    }
    await corps.importMany(suiteId, seeded.map((c) => ({ corpId: c.corpid, permanentCode: c.permanent_code })));
    phase(`${TENANTS} tenants seeded (2 codes each, 1 bound)`);
    await sim(simulator, 'POST', '/sim/rate-limits', { scope: 'global', per_minute: WECOM_LIMIT });

    const api = new WecomServiceApi({ baseUrl: simulator.url });
    const broker = new TokenBroker({
      redis,
      redisPrefix: PREFIX,
      api,
      cipher,
      suites,
      tickets: new SuiteTicketRepository(prisma, cipher),
      corps,
      storedTokens: new StoredTokenRepository(prisma, cipher),
      providers: new ProviderRepository(prisma, cipher),
      schedule: new RefreshSchedule(redis, PREFIX, 0, 0),
    });
    const licenses = new LicenseRepository(prisma, cipher);
    const service = new LicenseService(broker, api, licenses, suites);
    const reconciler = new LicenseReconciler(service, corps, { redis, redisPrefix: PREFIX, callsPerMinute: BUDGET, tenantsPerTick: 1000, concurrency: CONCURRENCY });

    const results: PassResult[] = [];
    for (const pass of ['cold', 'warm']) {
      await sim(simulator, 'DELETE', '/sim/calls');
      const t0 = Date.now();
      const report = await reconciler.runPass();
      const seconds = (Date.now() - t0) / 1000;
      const counts = await sim<{ total: number; by_path: Record<string, number>; rate_limited: number }>(simulator, 'GET', '/sim/calls');
      const byPath: Record<string, number> = {};
      for (const [path, n] of Object.entries(counts.by_path)) if (path.startsWith('/cgi-bin/license/')) byPath[path.slice('/cgi-bin/license/'.length)] = n;
      results.push({ pass, tenants: report.tenants, failed: report.failed, calls: Object.values(byPath).reduce((a, b) => a + b, 0), byPath, seconds, rateLimited: counts.rate_limited });
      phase(`${pass} pass done`);
    }

    const [active, expiring] = await Promise.all([prisma.client.licenseAccount.count(), prisma.client.licenseActiveCode.count()]);
    process.stdout.write(`\nstored: ${active} accounts, ${expiring} sealed activation codes; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n\n`);
    printTable(
      ['pass', 'tenants', 'failed', 'WeCom calls', 'calls/tenant', 'seconds', 'calls/min', 'budget floor s', '45009'],
      results.map((r) => [r.pass, r.tenants, r.failed, r.calls, r.calls / Math.max(1, r.tenants), r.seconds, (r.calls / r.seconds) * 60, (r.calls / BUDGET) * 60, r.rateLimited]),
    );
    process.stdout.write('\n');
    printTable(['pass', ...Object.keys(results[0].byPath)], results.map((r) => [r.pass, ...Object.keys(results[0].byPath).map((k) => r.byPath[k] ?? 0)]));
    const warm = results[1];
    printSummary({
      bench: 'license-reconcile',
      metric: `seconds for a warm pass over ${TENANTS} tenants vs the ${BUDGET}/min budget's floor`,
      ours: warm.seconds,
      reference: (warm.calls / BUDGET) * 60,
      tenants: TENANTS,
      coldSeconds: Math.round(results[0].seconds * 10) / 10,
      coldCalls: results[0].calls,
      warmCalls: warm.calls,
      rateLimited: results[0].rateLimited + warm.rateLimited,
      failed: results[0].failed + warm.failed,
      wecomLimitPerMinute: WECOM_LIMIT,
      budgetPerMinute: BUDGET,
      loadavg1: Math.round(loadavg()[0] * 100) / 100,
    });
  } finally {
    await redis.quit().catch(() => undefined);
    await prisma.onModuleDestroy();
    await simulator.close();
  }
}

await main();
