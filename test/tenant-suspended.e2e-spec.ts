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
    // WeCom now answers 40084 (不合法的永久授权码) for this corp; then the token is dropped, so the next request asks
    // WeCom. In that order: the other way round the worker may fetch a fresh token in between and every read gets it.
    await simControl(sim, 'POST', '/sim/faults', { errcode: 40084, paths: ['/cgi-bin/service/get_corp_token'] });
    try {
      expect((await callApi(authUrl, 'POST', `${tokenPath}/invalidate`, { key: suiteKey })).body).toEqual({ invalidated: true });
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

  it('still delivers tenant.suspended exactly once when storing it fails at the moment of the suspension', async () => {
    const adminKey = await createApiKey(['admin'], 'suspend-fault-admin');
    const suiteKey = await createApiKey([`suite:${suite.suiteId}`], 'suspend-fault-suite');
    const receiver = await startWebhookReceiver({ secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}` });
    closers.push(() => receiver.close());
    const { corpId } = await installThroughBrowser({ authUrl, suite });
    const endpoint = await callApi<{ id: string; secret: string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, {
      key: adminKey,
      body: { url: receiver.url, eventTypes: ['tenant.suspended'], corpIds: [corpId] },
    });
    expect(endpoint.status).toBe(201);
    receiver.setSecrets([endpoint.body.secret]);

    // The database refuses the first tenant.suspended row of this corp (a sequence counts outside transactions: a
    // rolled-back attempt still counts), as an outage at that moment would.
    const prisma = testPrisma();
    const tag = corpId.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    await prisma.client.$executeRawUnsafe(`CREATE SEQUENCE "fail_once_${tag}"`);
    await prisma.client.$executeRawUnsafe(`CREATE FUNCTION "fail_once_${tag}"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."type" = 'tenant.suspended' AND NEW."corpId" = '${corpId}' AND nextval('"fail_once_${tag}"') = 1 THEN
          RAISE EXCEPTION 'test: the database refuses this tenant.suspended once';
        END IF;
        RETURN NEW;
      END $$`);
    await prisma.client.$executeRawUnsafe(`CREATE TRIGGER "fail_once_${tag}" BEFORE INSERT ON "PlatformEvent" FOR EACH ROW EXECUTE FUNCTION "fail_once_${tag}"()`);
    const tokenPath = `/api/v1/suites/${suite.suiteId}/corps/${corpId}/access-token`;
    try {
      // The refusal first, then the token dropped: whoever fetches next (this test or the worker) is refused.
      await simControl(sim, 'POST', '/sim/faults', { errcode: 40084, paths: ['/cgi-bin/service/get_corp_token'] });
      expect((await callApi(authUrl, 'POST', `${tokenPath}/invalidate`, { key: suiteKey })).body).toEqual({ invalidated: true });
      const answers: unknown[][] = [];
      for (let i = 0; i < 10; i++) {
        const answer = await callApi(authUrl, 'GET', tokenPath, { key: suiteKey });
        answers.push([answer.status, answer.body.error]);
        if (answer.body.error === 'corp_suspended') break;
      }
      // The first suspension could not be stored: not suspended then (a retryable 502 if this test's request made it,
      // or the worker's refresh did); a later one is, with its event.
      expect(answers.at(-1)).toEqual([404, 'corp_suspended']);
      for (const earlier of answers.slice(0, -1)) expect(earlier).toEqual([502, 'wecom_error']);
      const [{ refusals }] = await prisma.client.$queryRawUnsafe<{ refusals: bigint }[]>(`SELECT last_value AS refusals FROM "fail_once_${tag}"`);
      expect(Number(refusals)).toBeGreaterThanOrEqual(2); // the refused first row, then the stored one
    } finally {
      await simControl(sim, 'DELETE', '/sim/faults');
      await prisma.client.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "fail_once_${tag}" ON "PlatformEvent"`);
      await prisma.client.$executeRawUnsafe(`DROP FUNCTION IF EXISTS "fail_once_${tag}"()`);
      await prisma.client.$executeRawUnsafe(`DROP SEQUENCE IF EXISTS "fail_once_${tag}"`);
    }

    try {
      await waitFor(async () => receiver.received.length >= 1, 20_000, 'tenant.suspended delivered');
      expect(receiver.received[0].event).toMatchObject({ type: 'tenant.suspended', suiteId: suite.suiteId, corpId, data: { errcode: 40084 } });
      const events = await prisma.client.platformEvent.findMany({ where: { suiteId: suite.suiteId, corpId, type: 'tenant.suspended' } });
      expect(events).toHaveLength(1);
      const corp = await prisma.client.authCorp.findUniqueOrThrow({ where: { suiteId_corpId: { suiteId: suite.suiteId, corpId } } });
      expect(corp.status).toBe('suspended');
      // Delivered once: a second attempt would have had to find the delivery owed again.
      const deliveries = await prisma.client.webhookDelivery.findMany({ where: { endpointId: endpoint.body.id } });
      expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([['delivered', 1]]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await prisma.onModuleDestroy();
    }
  }, 90_000);
});
