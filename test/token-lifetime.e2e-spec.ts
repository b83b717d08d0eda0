import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SuiteTicketRepository } from '@app/store';
import type { Token } from '@app/tokens';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { corpSubject } from '../apps/wecom-sim/src/core/token-store.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { freshTestDatabase, testCipher } from './support/store.js';
import { scaledWorkerEnv, sleep, startTestWorkerApp, TestTokens, testTokens, TestWorker, waitFor } from './support/worker.js';

/** 720 simulated seconds per real second: a 7200 s token lives 10 real seconds (a suite_ticket 2.5). */
const FACTOR = 720;
const LIFETIME_MS = (7200 / FACTOR) * 1000;
const CORPS = 4;
const RUN_MS = 2.5 * LIFETIME_MS;

/**
 * WeCom hands out the same token for its whole validity (获取企业凭证), and a repeated fetch may report the
 * remaining lifetime or a constant 7200. Under both, the worker and the broker fetch about once per token per
 * lifetime, never record an expiry later than the real one, and never serve a token WeCom no longer accepts.
 */
describe.each(['remaining', 'constant'] as const)('tokens under "same token while valid" (expires_in %s)', (mode) => {
  let sim: Simulator;
  let env: Record<string, string>;
  let callback: { app: NestFastifyApplication; url: string };
  let worker: TestWorker;
  let tokens: TestTokens;

  beforeAll(async () => {
    sim = await startTestSimulator({ timeFactor: FACTOR });
    await simControl(sim, 'POST', '/sim/clock', { expires_in_mode: mode, ticket_interval_seconds: 600 });
    env = testEnv(sim.url, { ...scaledWorkerEnv(FACTOR), DATABASE_URL: await freshTestDatabase('lifetime') });
    callback = await startTestCallbackApp(env);
    worker = await startTestWorkerApp(env);
    tokens = await testTokens(env, sim.url);
  });

  afterAll(async () => {
    await worker?.app.close();
    await callback?.app.close();
    await tokens?.close();
    await sim?.close();
  });

  /** Real ms until the simulator ends this token's life, or null if the simulator does not accept it now. */
  function realExpiryAtSim(kind: 'corp', suiteId: string, corpId: string, token: Token): number | null {
    const simNow = sim.clock.now();
    const found = sim.state.tokens.lookup(kind, token.value, simNow);
    if (found.status !== 'valid' || found.record.subject !== corpSubject(suiteId, corpId)) return null;
    return Date.now() + (found.record.expiresAt - simNow) / FACTOR;
  }

  it('fetches each corp token about once per lifetime and serves only live tokens with an honest expiry', async () => {
    const suite = await registerSuite(sim, callback.url, tokens.databaseUrl);
    await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    await waitFor(() => new SuiteTicketRepository(tokens.prisma, testCipher()).find(suite.suiteId));
    const seeded = await simControl<{ corps: { corpid: string; permanent_code: string; agentid: number }[] }>(sim, 'POST', `/sim/suites/${suite.suiteId}/seed-corps`, { count: CORPS });
    await tokens.corps.importMany(suite.suiteId, seeded.corps.map((c) => ({ corpId: c.corpid, permanentCode: c.permanent_code, agentId: c.agentid })));
    const corpIds = seeded.corps.map((c) => c.corpid);
    for (const corpId of corpIds) await tokens.schedule.scheduleNow({ kind: 'corp', suiteId: suite.suiteId, corpId });
    await waitFor(async () => (await Promise.all(corpIds.map((corpId) => tokens.storedTokens.find({ kind: 'corp', suiteId: suite.suiteId, corpId })))).every(Boolean), 60_000, 'first corp tokens');
    await simControl(sim, 'DELETE', '/sim/calls');

    // A vendor service asking for tokens all along, as the token API does.
    const started = Date.now();
    const problems: string[] = [];
    let served = 0;
    while (Date.now() - started < RUN_MS) {
      for (const corpId of corpIds) {
        const token = await tokens.broker.get({ kind: 'corp', suiteId: suite.suiteId, corpId });
        served++;
        const realExpiry = realExpiryAtSim('corp', suite.suiteId, corpId, token);
        if (realExpiry === null) problems.push(`served a token the simulator does not accept (corp ${corpId})`);
        // 50 ms: the time between reading the clocks; expires_in is rounded down, so ours is never later.
        else if (token.expiresAt.getTime() > realExpiry + 50) problems.push(`expiry ${token.expiresAt.getTime() - realExpiry} ms later than the real one`);
      }
      await sleep(100);
    }
    expect(problems).toEqual([]);
    expect(served).toBeGreaterThan(CORPS * 10);

    // 2.5 lifetimes: each token renewed twice or three times. Polling before expiry would show as many more.
    const calls = await simControl<{ by_corp: Record<string, Record<string, number>>; tokens_issued: Record<string, number> }>(sim, 'GET', '/sim/calls');
    for (const corpId of corpIds) {
      const fetched = calls.by_corp[corpId]?.['/cgi-bin/service/get_corp_token'] ?? 0;
      expect(fetched).toBeGreaterThanOrEqual(2);
      expect(fetched).toBeLessThanOrEqual(4);
    }
    expect(calls.tokens_issued.corp).toBeGreaterThanOrEqual(2 * CORPS);
  }, 90_000);
});
