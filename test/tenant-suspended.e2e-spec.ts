import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { startWebhookReceiver } from '../scripts/webhook-receiver.js';
import { callApi, createApiKey, installThroughBrowser, pushTicket, startTestAuthApp } from './support/auth.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { testPrisma } from './support/store.js';
import type { SuiteFixture } from './support/wecom-sender.js';
import { scaledWorkerEnv, startTestWorkerApp, waitFor } from './support/worker.js';

const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '0,0.2,0.2',
  WEBHOOK_SWEEP_INTERVAL_MS: '300',
};

describe('tenant.suspended: WeCom rejects a tenant’s permanent code', () => {
  let sim: Simulator;
  let authUrl: string;
  let suite: SuiteFixture;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    const env = testEnv(sim.url, WEBHOOK_ENV);
    const callback = await startTestCallbackApp(env);
    const auth = await startTestAuthApp(env);
    const worker = await startTestWorkerApp({ ...env, ...scaledWorkerEnv(1) });
    authUrl = auth.url;
    closers.push(() => worker.app.close(), () => auth.app.close(), () => callback.app.close(), () => sim.close());
    suite = await registerSuite(sim, callback.url);
    await pushTicket(sim, suite.suiteId);
  }, 90_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it('publishes tenant.suspended exactly once when get_corp_token answers 40084, and the receiver gets it', async () => {
    const adminKey = await createApiKey(['admin'], 'suspend-admin');
    const suiteKey = await createApiKey([`suite:${suite.suiteId}`], 'suspend-suite');
    const receiver = await startWebhookReceiver({ secret: `whsec_${Buffer.alloc(32, 2).toString('base64')}` });
    closers.push(() => receiver.close());
    const endpoint = await callApi<{ id: string; secret: string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, {
      key: adminKey,
      body: { url: receiver.url, eventTypes: ['tenant.suspended'] },
    });
    expect(endpoint.status).toBe(201);
    receiver.setSecrets([endpoint.body.secret]);

    const { corpId } = await installThroughBrowser({ authUrl, suite });
    const tokenPath = `/api/v1/suites/${suite.suiteId}/corps/${corpId}/access-token`;
    // Nothing cached, so the next request asks WeCom; WeCom now answers 40084 (不合法的永久授权码) for this corp.
    expect((await callApi(authUrl, 'POST', `${tokenPath}/invalidate`, { key: suiteKey })).body).toEqual({ invalidated: true });
    await simControl(sim, 'POST', '/sim/faults', { errcode: 40084, paths: ['/cgi-bin/service/get_corp_token'] });
    try {
      const first = await Promise.all(Array.from({ length: 5 }, () => callApi(authUrl, 'GET', tokenPath, { key: suiteKey })));
      expect(first.map((a) => [a.status, a.body.error])).toEqual(Array(5).fill([404, 'corp_suspended']));
      // Asked again (auth app and worker alike), the corp stays suspended: no second transition, no second event.
      const again = await callApi(authUrl, 'GET', tokenPath, { key: suiteKey });
      expect([again.status, again.body.error]).toEqual([404, 'corp_suspended']);
    } finally {
      await simControl(sim, 'DELETE', '/sim/faults');
    }

    await waitFor(async () => receiver.received.length >= 1, 20_000, 'tenant.suspended delivered');
    const [delivered] = receiver.received;
    expect(delivered.event).toMatchObject({
      type: 'tenant.suspended',
      suiteId: suite.suiteId,
      corpId,
      data: { errcode: 40084, reason: 'permanent code rejected by WeCom' },
    });
    expect(receiver.rejected).toBe(0);

    const tenant = await callApi<{ status: string }>(authUrl, 'GET', `/api/v1/admin/suites/${suite.suiteId}/corps/${corpId}`, { key: adminKey });
    expect(tenant.body.status).toBe('suspended');
    const prisma = testPrisma();
    try {
      const events = await prisma.client.platformEvent.findMany({ where: { suiteId: suite.suiteId, corpId, type: 'tenant.suspended' } });
      expect(events).toHaveLength(1);
    } finally {
      await prisma.onModuleDestroy();
    }
    expect(receiver.received.map((r) => r.event.type)).toEqual(['tenant.suspended']);
  }, 90_000);
});
