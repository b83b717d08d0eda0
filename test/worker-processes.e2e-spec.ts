import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SuiteTicketRepository } from '@app/store';
import type { TokenKey } from '@app/tokens';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import type { TokenKind } from '../apps/wecom-sim/src/core/token-store.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { freshTestDatabase, testCipher } from './support/store.js';
import type { SuiteFixture } from './support/wecom-sender.js';
import { scaledWorkerEnv, sleep, TestTokens, testTokens, waitFor, WorkerProcess } from './support/worker.js';

/** No WeCom there: a token API that had to fetch on the request path would fail against it. */

interface CallCounts {
  by_path: Record<string, number>;
  by_corp: Record<string, Record<string, number>>;
}

async function readySuite(sim: Simulator, callbackUrl: string, tokens: TestTokens): Promise<SuiteFixture> {
  const suite = await registerSuite(sim, callbackUrl, tokens.databaseUrl);
  await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
  await waitFor(() => new SuiteTicketRepository(tokens.prisma, testCipher()).find(suite.suiteId));
  return suite;
}

describe('two worker processes on a fast clock', () => {
  /** 360 simulated seconds per real second: a 7200 s token lives 20 real seconds. */
  const FACTOR = 360;
  const LIFETIME_MS = (7200 / FACTOR) * 1000;
  let sim: Simulator;
  let env: Record<string, string>;
  let callback: { app: NestFastifyApplication; url: string };
  let tokens: TestTokens;
  let tokenApi: TestTokens;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator({ timeFactor: FACTOR });
    // A suite_ticket is good for 1800 simulated seconds (5 real): WeCom's ten-minute push, scaled.
    await simControl(sim, 'POST', '/sim/clock', { ticket_interval_seconds: 600 });
    env = testEnv(sim.url, { ...scaledWorkerEnv(FACTOR), DATABASE_URL: await freshTestDatabase('workers') });
    callback = await startTestCallbackApp(env);
    tokens = await testTokens(env, sim.url);
    // The token API's own broker: it may fetch a token itself when asked at the very moment one expired (WeCom
    // renews nothing earlier), which the call counts below allow for.
    tokenApi = await testTokens(env, sim.url);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await callback?.app.close();
    await tokens?.close();
    await tokenApi?.close();
    await sim?.close();
  });

  it('keeps every token fresh over several lifetimes: served tokens are never expired, each refresh happens once', async () => {
    const suite = await readySuite(sim, callback.url, tokens);
    const seeded = await simControl<{ corps: { corpid: string; permanent_code: string }[] }>(sim, 'POST', `/sim/suites/${suite.suiteId}/seed-corps`, { count: 12 });
    await tokens.corps.importMany(suite.suiteId, seeded.corps.map((c) => ({ corpId: c.corpid, permanentCode: c.permanent_code })));
    const corpIds = seeded.corps.map((c) => c.corpid);
    const jssdkCorp = corpIds[0];
    await tokens.corps.touchJssdk(suite.suiteId, jssdkCorp);
    const keys: TokenKey[] = [
      { kind: 'suite', suiteId: suite.suiteId },
      { kind: 'provider', suiteId: suite.providerCorpId },
      ...corpIds.map((corpId): TokenKey => ({ kind: 'corp', suiteId: suite.suiteId, corpId })),
      { kind: 'jsapi', suiteId: suite.suiteId, corpId: jssdkCorp },
      { kind: 'agent', suiteId: suite.suiteId, corpId: jssdkCorp },
    ];

    // Started with the tenants already stored: start-up reconciliation puts every token in the schedule.
    // Keep whichever started, so afterAll stops it even when the other did not (a leaked worker sweeps the shared
    // test database's inbox and disturbs the tests that follow).
    const spawned = await Promise.allSettled([WorkerProcess.spawn(env), WorkerProcess.spawn(env)]);
    for (const s of spawned) if (s.status === 'fulfilled') workers.push(s.value);
    for (const s of spawned) if (s.status === 'rejected') throw s.reason;
    await waitFor(async () => (await Promise.all(keys.map((k) => tokens.storedTokens.find(k)))).every(Boolean), 15_000, 'first tokens');
    const start = await simControl<CallCounts>(sim, 'GET', '/sim/calls');

    const problems: string[] = [];
    let served = 0;
    const runFor = 2.2 * LIFETIME_MS;
    const until = Date.now() + runFor;
    while (Date.now() < until) {
      for (const key of keys) {
        try {
          const token = await tokenApi.broker.get(key);
          served++;
          const lookup = sim.state.tokens.lookup(key.kind as TokenKind, token.value, sim.clock.now());
          if (lookup.status !== 'valid') problems.push(`${key.kind} ${key.corpId ?? ''}: served a token WeCom says is ${lookup.status}`);
        } catch (err) {
          problems.push(`${key.kind} ${key.corpId ?? ''}: ${(err as Error).message}`);
        }
      }
      await sleep(100);
    }
    expect(problems).toEqual([]);
    expect(served).toBeGreaterThan(keys.length * 100);

    // WeCom hands out the same token until it expires: each corp token is fetched once per lifetime, by one of the
    // two workers or by the token API asking at the moment it expired.
    const end = await simControl<CallCounts>(sim, 'GET', '/sim/calls');
    const cycles = Math.ceil(runFor / LIFETIME_MS) + 1;
    for (const corpId of corpIds) {
      const fetched = (end.by_corp[corpId]['/cgi-bin/service/get_corp_token'] ?? 0) - (start.by_corp[corpId]?.['/cgi-bin/service/get_corp_token'] ?? 0);
      expect(fetched).toBeGreaterThanOrEqual(2);
      expect(fetched).toBeLessThanOrEqual(cycles);
    }
    const refreshed = await Promise.all(workers.map((w) => w.metric('wecom_token_refreshes_total')));
    expect(refreshed.every((n) => n > 0)).toBe(true);
    const late = await Promise.all(workers.map((w) => w.metric('wecom_tokens_refreshed_after_expiry_total')));
    expect(late).toEqual([0, 0]);
  }, 80_000);
});

describe('a worker process stopped mid-job', () => {
  let sim: Simulator;
  let env: Record<string, string>;
  let callback: { app: NestFastifyApplication; url: string };
  let tokens: TestTokens;
  let suite: SuiteFixture;
  let corpId: string;
  let worker: WorkerProcess | null = null;

  const calls = async (path: string) => (await simControl<CallCounts>(sim, 'GET', '/sim/calls')).by_path[path] ?? 0;
  const rowOf = (id: bigint) => tokens.prisma.client.callbackEvent.findUniqueOrThrow({ where: { id } });

  /** Sends change_auth with WeCom slow to answer get_auth_info, and returns once the worker is inside that call. */
  async function slowChangeAuth(latencyMs: number): Promise<bigint> {
    const path = '/cgi-bin/service/get_auth_info';
    const before = await calls(path);
    await simControl(sim, 'POST', '/sim/faults', { latency_ms: latencyMs, count: 1, paths: [path] });
    await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'change_auth', auth_corpid: corpId });
    await waitFor(async () => (await calls(path)) > before, 10_000, 'worker inside get_auth_info');
    const rows = await tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, type: 'change_auth' }, orderBy: { id: 'desc' }, take: 1 });
    return rows[0].id;
  }

  beforeAll(async () => {
    sim = await startTestSimulator({ timeFactor: 60 });
    env = testEnv(sim.url, { ...scaledWorkerEnv(60), DATABASE_URL: await freshTestDatabase('workers') });
    callback = await startTestCallbackApp(env);
    tokens = await testTokens(env, sim.url);
    suite = await readySuite(sim, callback.url, tokens);
    worker = await WorkerProcess.spawn(env);
    const installed = await simControl<{ corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
    corpId = installed.corp_id;
    // The install's event processed, not only the tenant stored: the v2 exchange stores the tenant and then calls
    // get_auth_info, which slowChangeAuth would otherwise take for the change_auth's call.
    await waitFor(() => tokens.prisma.client.callbackEvent.findFirst({ where: { suiteId: suite.suiteId, type: 'create_auth', status: 'processed' } }), 10_000, 'install processed');
  });

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await callback?.app.close();
    await tokens?.close();
    await sim?.close();
  });

  it('SIGKILL: the job is taken back as stalled and completed by the next worker, nothing lost', async () => {
    const id = await slowChangeAuth(5000);
    await worker!.kill('SIGKILL');
    worker = null;
    expect((await rowOf(id)).status).toBe('processing');
    worker = await WorkerProcess.spawn(env);
    const done = await waitFor(async () => {
      const row = await rowOf(id);
      return row.status === 'processed' ? row : null;
    }, 15_000, 'event processed after restart');
    expect(done.attempts).toBe(2);
    expect(done.lastError).toBeNull();
  });

  it('SIGTERM: the worker finishes the job in hand before it exits', async () => {
    const id = await slowChangeAuth(1500);
    const stopped = Date.now();
    await worker!.kill('SIGTERM');
    worker = null;
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(1000);
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'processed', attempts: 1 });
  });
});
