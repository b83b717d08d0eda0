import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { startWebhookReceiver } from '../scripts/webhook-receiver.js';
import { callApi, createApiKey, installThroughBrowser, pushTicket, startTestAuthApp } from './support/auth.js';
import { registerSuite, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { testPrisma } from './support/store.js';
import type { SuiteFixture } from './support/wecom-sender.js';
import { scaledWorkerEnv, startTestWorkerApp, waitFor } from './support/worker.js';

interface WebhookOverview {
  delivered: number;
  failed: number;
  pending: number;
  successRate: number | null;
}

/** What the console's overview and webhooks screen read: delivery success rate, tenants by token state. */
describe('admin API for the console: webhook success rate, tenants by token state', () => {
  let sim: Simulator;
  let authUrl: string;
  let suite: SuiteFixture;
  let adminKey: string;
  let suiteKey: string;
  const closers: (() => Promise<unknown>)[] = [];
  const admin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => callApi<T>(authUrl, method, path, { key: adminKey, body });

  beforeAll(async () => {
    sim = await startTestSimulator();
    const env = testEnv(sim.url, { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32', WEBHOOK_RETRY_SCHEDULE_SECONDS: '0', WEBHOOK_SWEEP_INTERVAL_MS: '300' });
    const callback = await startTestCallbackApp(env);
    const auth = await startTestAuthApp(env);
    const worker = await startTestWorkerApp({ ...env, ...scaledWorkerEnv(1) });
    authUrl = auth.url;
    closers.push(() => worker.app.close(), () => auth.app.close(), () => callback.app.close(), () => sim.close());
    suite = await registerSuite(sim, callback.url);
    await pushTicket(sim, suite.suiteId);
    adminKey = await createApiKey(['admin'], 'overview-webhooks');
    suiteKey = await createApiKey([`suite:${suite.suiteId}`], 'overview-webhooks-suite');
  }, 90_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it('counts delivered and failed deliveries of the last 24 hours into a success rate', async () => {
    const before = (await admin<{ webhooks: WebhookOverview }>('GET', '/api/v1/admin/overview')).body.webhooks;
    const good = await startWebhookReceiver({ secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}` });
    const bad = await startWebhookReceiver({ secret: `whsec_${Buffer.alloc(32, 4).toString('base64')}` });
    closers.push(() => good.close(), () => bad.close());
    bad.behave(() => ({ status: 500 }));
    for (const receiver of [good, bad]) {
      const created = await admin<{ secret: string }>('POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { url: receiver.url, eventTypes: ['tenant.installed'] });
      expect(created.status).toBe(201);
      receiver.setSecrets([created.body.secret]);
    }
    await installThroughBrowser({ authUrl, suite });
    // One schedule step: the failing endpoint's delivery fails for good after its first attempt.
    let now: WebhookOverview = before;
    await waitFor(async () => {
      now = (await admin<{ webhooks: WebhookOverview }>('GET', '/api/v1/admin/overview')).body.webhooks;
      return now.delivered === before.delivered + 1 && now.failed === before.failed + 1;
    }, 20_000, 'one delivered and one failed delivery');
    expect(now.pending).toBe(before.pending);
    expect(now.successRate).toBeCloseTo(now.delivered / (now.delivered + now.failed), 6);
    expect(good.received.map((r) => r.event.type)).toEqual(['tenant.installed']);
  }, 60_000);

  it('lists tenants by the state of their stored access_token, as the overview counts them', async () => {
    const { corpId: withToken } = await installThroughBrowser({ authUrl, suite });
    const { corpId: without } = await installThroughBrowser({ authUrl, suite });
    // The worker fetches each new tenant's first token (v2's exchange hands over none): let it, then invalidate one,
    // so no late fetch refills the token this test expects missing.
    const prisma = testPrisma();
    const stored = (corpId: string) => prisma.client.storedToken.findUnique({ where: { kind_suiteId_corpId: { kind: 'corp', suiteId: suite.suiteId, corpId } } });
    await waitFor(async () => Boolean((await stored(withToken)) && (await stored(without))), 20_000, 'first tokens of both tenants');
    const tokenPath = (corpId: string) => `/api/v1/suites/${suite.suiteId}/corps/${corpId}/access-token`;
    expect((await callApi(authUrl, 'GET', tokenPath(withToken), { key: suiteKey })).status).toBe(200);
    expect((await callApi(authUrl, 'POST', `${tokenPath(without)}/invalidate`, { key: suiteKey })).body).toEqual({ invalidated: true });
    const corpsIn = async (tokenState: string) => {
      const page = await admin<{ items: { corpId: string }[] }>('GET', `/api/v1/admin/corps?suiteId=${suite.suiteId}&tokenState=${tokenState}&limit=100`);
      expect(page.status).toBe(200);
      return page.body.items.map((i) => i.corpId).filter((c) => c === withToken || c === without);
    };
    expect(await corpsIn('fresh')).toEqual([withToken]);
    expect(await corpsIn('missing')).toEqual([without]);
    expect(await corpsIn('expired')).toEqual([]);
    // The stored token's expiry moved into the past: the same corp is now listed as expired, not fresh.
    try {
      await prisma.client.storedToken.update({
        where: { kind_suiteId_corpId: { kind: 'corp', suiteId: suite.suiteId, corpId: withToken } },
        data: { expiresAt: new Date(Date.now() - 60_000) },
      });
    } finally {
      await prisma.onModuleDestroy();
    }
    expect(await corpsIn('expired')).toEqual([withToken]);
    expect(await corpsIn('fresh')).toEqual([]);
    // Combined with the other filters (the name search), and a bad value is refused.
    expect((await admin<{ items: unknown[] }>('GET', `/api/v1/admin/corps?suiteId=${suite.suiteId}&tokenState=missing&q=${without}`)).body.items).toHaveLength(1);
    const refused = await admin('GET', '/api/v1/admin/corps?tokenState=stale');
    expect(refused.status).toBe(400);
  }, 60_000);
});
