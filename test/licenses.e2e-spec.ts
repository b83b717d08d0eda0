import { jest } from '@jest/globals';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { startWebhookReceiver, WebhookReceiver } from '../scripts/webhook-receiver.js';
import { callApi, createApiKey, installThroughBrowser, pushTicket, startTestAuthApp } from './support/auth.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { randomAesKey, SuiteFixture } from './support/wecom-sender.js';
import { uniqueId } from './support/env.js';
import { testPrisma } from './support/store.js';
import { scaledWorkerEnv, startTestWorkerApp, TestWorker, waitFor } from './support/worker.js';

const DAY_MS = 86_400_000;

const ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  WEBHOOK_SWEEP_INTERVAL_MS: '300',
  WEBHOOK_SWEEP_GRACE_MS: '500',
  LICENSE_EXPIRY_CHECK_INTERVAL_MS: '300',
  // The scheduled reconciliation stays out of the way: the test reconciles through the admin API.
  LICENSE_RECONCILE_INTERVAL_MS: '3600000',
};

interface Counts {
  seatsBought: number;
  active: number;
  expiringIn30Days: number;
  expiringIn7Days: number;
  expiringIn1Day: number;
  expired: number;
  unlicensedMembers: number;
  freeCodes: number;
  autoActive: boolean | null;
}

interface Overview {
  providerCorpId: string;
  counts: Counts;
  accounts: { userId: string; type: number; expiresAt: string }[];
  unlicensedMembers: { userId: string }[];
}

/**
 * Account licenses end to end against the simulator: order → paid callback (license_pay_success at the provider's
 * system-event URL) → activate two members → one expires → the vendor's webhook receiver gets `license.paid`,
 * `license.expiring` and `license.unlicensed_member`; the admin API's counts follow each step.
 *
 * Time: WeCom's account expiry is an absolute time, so WeCom's clock and the vendor's must agree as they do in
 * production. The simulator's clock is moved forward (`sim.clock.advance`) and the platform's — in this process —
 * by the same amount (`jest.setSystemTime`, only `Date` faked; timers stay real).
 */
describe('account licenses (接口调用许可)', () => {
  let sim: Simulator;
  let authUrl: string;
  let worker: TestWorker;
  let suite: SuiteFixture;
  let adminKey: string;
  let receiver: WebhookReceiver;
  let corpId: string;
  let otherSuiteId: string;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    const env = testEnv(sim.url, ENV);
    const callback = await startTestCallbackApp(env);
    const auth = await startTestAuthApp(env);
    worker = await startTestWorkerApp({ ...env, ...scaledWorkerEnv(1) });
    authUrl = auth.url;
    closers.push(() => worker.app.close(), () => auth.app.close(), () => callback.app.close(), () => sim.close());
    suite = await registerSuite(sim, callback.url);
    await pushTicket(sim, suite.suiteId);
    adminKey = await createApiKey(['admin'], 'licenses-admin');
    // The provider's system-event URL (系统事件接收URL) in WeCom and in the platform: license callbacks arrive there.
    const systemToken = 'systemtoken';
    const systemAesKey = randomAesKey();
    await simControl(sim, 'POST', '/sim/providers', {
      provider_corpid: suite.providerCorpId,
      system_event_url: `${callback.url}/callback/providers/${suite.providerCorpId}/system`,
      token: systemToken,
      encoding_aes_key: systemAesKey,
    });
    const provider = await callApi(authUrl, 'PATCH', `/api/v1/admin/providers/${suite.providerCorpId}`, { key: adminKey, body: { token: systemToken, encodingAesKey: systemAesKey } });
    expect(provider.status).toBe(200);
    receiver = await startWebhookReceiver({ secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
    closers.push(() => receiver.close());
    const endpoint = await callApi<{ secret: string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { key: adminKey, body: { url: receiver.url, eventTypes: ['license.*'] } });
    expect(endpoint.status).toBe(201);
    // A second suite of the same provider, not installed in the corp, its endpoint on the same receiver: the corp's
    // license callbacks are not its business and must not reach it.
    otherSuiteId = uniqueId('wwsuite');
    const other = await callApi(authUrl, 'POST', '/api/v1/admin/suites', { key: adminKey, body: { suiteId: otherSuiteId, secret: 's', token: 't', encodingAesKey: randomAesKey(), providerCorpId: suite.providerCorpId } });
    expect(other.status).toBe(201);
    const otherEndpoint = await callApi<{ secret: string }>(authUrl, 'POST', `/api/v1/admin/suites/${otherSuiteId}/webhook-endpoints`, { key: adminKey, body: { url: receiver.url, eventTypes: ['license.*'] } });
    expect(otherEndpoint.status).toBe(201);
    receiver.setSecrets([endpoint.body.secret, otherEndpoint.body.secret]);
    ({ corpId } = await installThroughBrowser({ authUrl, suite }));
    for (const userId of ['alice', 'bob', 'carol', 'dave']) {
      await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'change_contact', auth_corpid: corpId, change_type: 'create_user', fields: { UserID: userId, Name: userId } });
    }
  }, 90_000);

  afterAll(async () => {
    jest.useRealTimers();
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  const base = () => `/api/v1/admin/suites/${suite.suiteId}/corps/${corpId}/licenses`;
  const admin = <T>(method: string, path: string, body?: unknown) => callApi<T>(authUrl, method, `${base()}${path}`, { key: adminKey, body });
  const overview = async (): Promise<Overview> => {
    const res = await admin<Overview>('GET', '');
    expect(res.status).toBe(200);
    return res.body;
  };
  const typesReceived = () => receiver.received.map((r) => r.event.type);

  /**
   * Orders `months` of one base account; the simulator pays it (the vendor paying in WeCom's console) and pushes
   * license_pay_success to the provider's system-event URL; the platform fetches the order and its code and the
   * vendor receives `license.paid`. Returns the order id.
   */
  async function buyOneSeat(months: number): Promise<string> {
    const empty = await admin<{ message: string }>('POST', '/orders', { buyerUserId: 'buyer', baseCount: 0, externalContactCount: 0, months });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('baseCount or externalContactCount of at least 1');
    const created = await admin<{ orderId: string }>('POST', '/orders', { buyerUserId: 'buyer', baseCount: 1, months });
    expect(created.status).toBe(201);
    const { orderId } = created.body;
    const unpaid = await admin<{ orders: { orderId: string; orderStatus: number }[] }>('GET', '/orders');
    expect(unpaid.body.orders.find((o) => o.orderId === orderId)?.orderStatus).toBe(0);
    const paid = await simControl<{ codes: number; outcome?: { delivered: boolean } }>(sim, 'POST', `/sim/licenses/orders/${orderId}/pay`);
    expect(paid.codes).toBe(1);
    expect(paid.outcome?.delivered).toBe(true);
    const event = await waitFor(async () => receiver.received.find((r) => r.event.type === 'license.paid' && r.event.data['orderId'] === orderId), 20_000, 'license.paid');
    expect(event.event).toMatchObject({ suiteId: suite.suiteId, corpId, data: { serviceCorpId: suite.providerCorpId, buyerUserId: 'buyer' } });
    await waitFor(async () => (await admin<{ orders: { orderId: string; orderStatus: number }[] }>('GET', '/orders')).body.orders.find((o) => o.orderId === orderId)?.orderStatus === 1, 10_000, 'order paid in the store');
    return orderId;
  }

  it('starts with nothing bought, nothing active', async () => {
    const o = await overview();
    expect(o.providerCorpId).toBe(suite.providerCorpId);
    expect(o.counts).toMatchObject({ seatsBought: 0, active: 0, expired: 0, unlicensedMembers: 0, freeCodes: 0 });
  });

  it('orders, pays and activates accounts for two members; the counts follow each step', async () => {
    await buyOneSeat(1);
    let o = await overview();
    expect(o.counts).toMatchObject({ seatsBought: 1, active: 0, freeCodes: 1 });

    const alice = await admin<{ type: number; expiresAt: string }>('POST', '/activations', { userId: 'alice' });
    expect(alice.status).toBe(201);
    expect(alice.body.type).toBe(1);
    // One month is 31 days (WeCom: months × 31), counted from activation.
    expect(new Date(alice.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(30.9 * DAY_MS);
    expect(new Date(alice.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(31 * DAY_MS);
    o = await overview();
    expect(o.counts).toMatchObject({ seatsBought: 1, active: 1, freeCodes: 0, expiringIn30Days: 0 });

    // No free code left: a clear refusal, nothing changes.
    const none = await admin<{ error: string }>('POST', '/activations', { userId: 'bob' });
    expect(none.status).toBe(409);
    expect(none.body.error).toBe('license_no_free_code');

    await buyOneSeat(12);
    const bob = await admin<{ expiresAt: string }>('POST', '/activations', { userId: 'bob' });
    expect(bob.status).toBe(201);
    o = await overview();
    expect(o.counts).toMatchObject({ seatsBought: 2, active: 2, freeCodes: 0, expired: 0 });
    expect(o.accounts.map((a) => a.userId).sort()).toEqual(['alice', 'bob']);

    // A reconciliation agrees with what the callbacks and the admin API recorded, and finds nothing new.
    const sync = await admin<{ newCodes: number; calls: number }>('POST', '/sync');
    expect(sync.body).toMatchObject({ newCodes: 0 });
    expect((await overview()).counts).toMatchObject({ seatsBought: 2, active: 2 });
  }, 30_000);

  it('refuses bad input with a clear error', async () => {
    const bad = await admin<{ message: string[] | string }>('POST', '/activations', { userId: 'no spaces allowed' });
    expect(bad.status).toBe(400);
    const unknownCode = await admin<{ error: string }>('POST', '/activations', { userId: 'carol', activeCode: 'NOT-A-CODE-OF-THIS-TENANT' });
    expect(unknownCode.status).toBe(404);
    expect(unknownCode.body.error).toBe('license_unknown_code');
    const unknownCorp = await callApi<{ error: string }>(authUrl, 'GET', `/api/v1/admin/suites/${suite.suiteId}/corps/wwnosuchcorp/licenses`, { key: adminKey });
    expect(unknownCorp.status).toBe(404);
  });

  it('announces an account entering its last day and then expiring; an unlicensed member reaches the vendor', async () => {
    const start = Date.now();
    jest.useFakeTimers({
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
      now: start,
    });
    try {
      // Half a day before alice's account ends: the 1-day window (the 30- and 7-day ones are passed over, not sent).
      jest.setSystemTime(start + 30.5 * DAY_MS);
      sim.clock.advance(30.5 * 86_400);
      const lastDay = await waitFor(async () => receiver.received.find((r) => r.event.type === 'license.expiring' && r.event.data['windowDays'] === 1), 20_000, 'license.expiring (1 day)');
      expect(lastDay.event).toMatchObject({ corpId, suiteId: suite.suiteId, data: { userId: 'alice', accountType: 1 } });
      let o = await overview();
      expect(o.counts).toMatchObject({ active: 2, expiringIn30Days: 1, expiringIn7Days: 1, expiringIn1Day: 1, expired: 0 });

      jest.setSystemTime(start + 31.5 * DAY_MS);
      sim.clock.advance(86_400);
      const expired = await waitFor(async () => receiver.received.find((r) => r.event.type === 'license.expiring' && r.event.data['windowDays'] === 0), 20_000, 'license.expiring (expired)');
      expect(expired.event.data).toMatchObject({ userId: 'alice' });
      o = await overview();
      expect(o.counts).toMatchObject({ seatsBought: 2, active: 1, expired: 1, expiringIn30Days: 0 });
      // bob's year is far from any window.
      expect(receiver.received.filter((r) => r.event.type === 'license.expiring' && r.event.data['userId'] === 'bob')).toEqual([]);

      // alice opens the app without a valid account: WeCom sends unlicensed_notify to the suite's data URL.
      const opened = await simControl<{ licensed: boolean; outcome?: { delivered: boolean } }>(sim, 'POST', '/sim/licenses/open-app', { suite_id: suite.suiteId, corp_id: corpId, user_id: 'alice' });
      expect(opened.licensed).toBe(false);
      expect(opened.outcome?.delivered).toBe(true);
      const unlicensed = await waitFor(async () => receiver.received.find((r) => r.event.type === 'license.unlicensed_member'), 20_000, 'license.unlicensed_member');
      expect(unlicensed.event).toMatchObject({ corpId, data: { fromUserName: 'alice' } });
      o = await waitFor(async () => {
        const current = await overview();
        return current.counts.unlicensedMembers === 1 && current;
      }, 10_000, 'unlicensed member counted');
      expect(o.unlicensedMembers.map((u) => u.userId)).toEqual(['alice']);

      // Each window is announced once: more ticks send nothing new.
      const expiring = typesReceived().filter((t) => t === 'license.expiring').length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(typesReceived().filter((t) => t === 'license.expiring').length).toBe(expiring);
      expect(receiver.rejected).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  }, 60_000);

  it('transfers a seat and toggles auto-activation through WeCom', async () => {
    const moved = await admin('POST', '/transfers', { handoverUserId: 'bob', takeoverUserId: 'carol' });
    expect(moved.status).toBe(204);
    let o = await overview();
    expect(o.accounts.find((a) => a.userId === 'carol')).toBeDefined();
    expect(o.accounts.find((a) => a.userId === 'bob')).toBeUndefined();
    // A second transfer from bob: WeCom refuses (bob holds nothing any more); nothing changes.
    const again = await admin<{ error: string }>('POST', '/transfers', { handoverUserId: 'bob', takeoverUserId: 'alice' });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('license_transfer_refused');

    const on = await admin<{ enabled: boolean }>('PUT', '/auto-activation', { enabled: true });
    expect(on.status).toBe(200);
    o = await overview();
    expect(o.counts.autoActive).toBe(true);
    const status = await admin('POST', '/sync');
    expect(status.status).toBe(200);
    expect((await overview()).counts.autoActive).toBe(true);

    // With a free code and auto-activation on, dave opening the app is activated by WeCom (auto_activate callback).
    await buyOneSeat(1);
    const before = (await overview()).counts;
    const opened = await simControl<{ licensed: boolean; auto_activated?: { type: number }; outcome?: { delivered: boolean } }>(sim, 'POST', '/sim/licenses/open-app', { suite_id: suite.suiteId, corp_id: corpId, user_id: 'dave' });
    expect(opened).toMatchObject({ licensed: true, auto_activated: { type: 1 }, outcome: { delivered: true } });
    const auto = await waitFor(async () => receiver.received.find((r) => r.event.type === 'license.auto_activated'), 20_000, 'license.auto_activated');
    expect(auto.event).toMatchObject({ corpId, suiteId: suite.suiteId, data: { scene: 1, accountList: { userId: 'dave', type: '1' } } });
    o = await waitFor(async () => {
      const current = await overview();
      return current.accounts.some((a) => a.userId === 'dave') && current;
    }, 10_000, 'dave\'s account stored');
    expect(o.counts.active).toBe(before.active + 1);
  }, 60_000);

  it('delivers each license callback exactly once, to the suite installed in the corp only', async () => {
    // Every license callback of this file went to the provider's system-event URL once (the simulator said
    // delivered: true, attempts 1): three license_pay_success (three orders) and one auto_activate.
    const store = testPrisma();
    closers.push(() => store.onModuleDestroy());
    const prisma = store.client;
    const owed = await waitFor(async () => {
      const rows = await prisma.webhookDelivery.findMany({ where: { suiteId: { in: [suite.suiteId, otherSuiteId] } } });
      return rows.length > 0 && rows.every((r) => r.status === 'delivered') && rows;
    }, 20_000, 'every delivery settled');
    expect(owed.every((r) => r.suiteId === suite.suiteId)).toBe(true);
    const paid = receiver.received.filter((r) => r.event.type === 'license.paid');
    expect(paid).toHaveLength(3);
    expect(new Set(paid.map((r) => r.event.data['orderId'])).size).toBe(3);
    expect(new Set(paid.map((r) => r.id)).size).toBe(3);
    expect(receiver.received.filter((r) => r.event.type === 'license.auto_activated')).toHaveLength(1);
    expect(receiver.received.filter((r) => r.event['suiteId'] !== suite.suiteId)).toEqual([]);
    // Nothing published under the provider corpid (no endpoint can be registered there): the callbacks stay in the
    // inbox, processed, visible through the admin API. (The two paid before the clock moved 31 days are past the
    // inbox's retention by now and purged: the last order's and the auto_activate are left.)
    expect(await prisma.platformEvent.count({ where: { suiteId: suite.providerCorpId } })).toBe(0);
    const inbox = await callApi<{ items: { type: string; status: string }[] }>(authUrl, 'GET', `/api/v1/admin/events?suiteId=${suite.providerCorpId}&kind=system`, { key: adminKey });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((e) => [e.type, e.status])).toEqual([['auto_activate', 'processed'], ['license_pay_success', 'processed']]);
  }, 30_000);
});
