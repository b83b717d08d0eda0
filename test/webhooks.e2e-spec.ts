import { Webhook } from 'standardwebhooks';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { startWebhookReceiver, WebhookReceiver } from '../scripts/webhook-receiver.js';
import { callApi, createApiKey, installThroughBrowser, pushTicket, startTestAuthApp } from './support/auth.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { testPrisma } from './support/store.js';
import type { SuiteFixture } from './support/wecom-sender.js';
import { scaledWorkerEnv, startTestWorkerApp, TestWorker, waitFor } from './support/worker.js';

/** Webhooks on a short schedule: 3 attempts 0.2 s apart, a 1 s receiver timeout, a fast sweeper. */
const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '0,0.2,0.2',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_SWEEP_INTERVAL_MS: '300',
  WEBHOOK_SWEEP_GRACE_MS: '500',
  // 3.6 s of nothing but failures disables an endpoint (5 days by default).
  WEBHOOK_DISABLE_AFTER_HOURS: '0.001',
};

interface Endpoint {
  id: string;
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
}

interface Delivery {
  id: string;
  eventId: string;
  status: string;
  attempts: number;
  attemptLog: { status: number | null; error: string | null; excerpt: string }[];
}

describe('event delivery to the vendor (webhooks, pull API)', () => {
  let sim: Simulator;
  let authUrl: string;
  let worker: TestWorker;
  let suite: SuiteFixture;
  let adminKey: string;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    const env = testEnv(sim.url, WEBHOOK_ENV);
    const callback = await startTestCallbackApp(env);
    const auth = await startTestAuthApp(env);
    worker = await startTestWorkerApp({ ...env, ...scaledWorkerEnv(1) });
    authUrl = auth.url;
    closers.push(() => worker.app.close(), () => auth.app.close(), () => callback.app.close(), () => sim.close());
    suite = await registerSuite(sim, callback.url);
    await pushTicket(sim, suite.suiteId);
    adminKey = await createApiKey(['admin'], 'webhooks-admin');
  }, 60_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  async function receiverWithEndpoint(settings: Record<string, unknown> = {}): Promise<{ receiver: WebhookReceiver; endpoint: Endpoint }> {
    const receiver = await startWebhookReceiver({ secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` });
    closers.push(() => receiver.close());
    const res = await callApi<Endpoint>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { key: adminKey, body: { url: receiver.url, ...settings } });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_/);
    receiver.setSecrets([res.body.secret]);
    return { receiver, endpoint: res.body };
  }

  const textMessage = (corpId: string, content: string) =>
    simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/data-callbacks`, { auth_corpid: corpId, fields: { MsgType: 'text', Content: content, MsgId: String(Date.now()) + Math.floor(Math.random() * 1e6), AgentID: 1 } });

  async function deliveriesOf(endpointId: string): Promise<Delivery[]> {
    const page = await callApi<{ items: Delivery[] }>(authUrl, 'GET', `/api/v1/admin/webhook-endpoints/${endpointId}/deliveries?limit=200`, { key: adminKey });
    expect(page.status).toBe(200);
    return page.body.items;
  }

  async function deliveryDetail(id: string): Promise<Delivery> {
    return (await callApi<Delivery>(authUrl, 'GET', `/api/v1/admin/webhook-deliveries/${id}`, { key: adminKey })).body;
  }

  let corpId: string;

  it('delivers signed tenant.installed, contact.* and message.* events, verified with standardwebhooks', async () => {
    const { receiver } = await receiverWithEndpoint({ eventTypes: ['tenant.*', 'contact.*', 'message.*'] });
    ({ corpId } = await installThroughBrowser({ authUrl, suite }));
    await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'change_contact', auth_corpid: corpId, change_type: 'create_user', fields: { UserID: 'zhangsan', Name: '张三', Department: '1,2' } });
    await textMessage(corpId, 'hello from WeCom');
    const types = () => receiver.received.map((r) => r.event.type);
    await waitFor(async () => types().includes('tenant.installed') && types().includes('contact.user.created') && types().includes('message.text'), 20_000, 'three event types');
    const installed = receiver.received.filter((r) => r.event.type === 'tenant.installed');
    // The browser redirect and the create_auth callback of one install make one event.
    expect(new Set(installed.map((r) => r.id)).size).toBe(1);
    expect(installed[0].event).toMatchObject({ suiteId: suite.suiteId, corpId, data: { corpName: sim.state.corps.get(corpId)!.corpName, editionName: '标准版' } });
    const contact = receiver.received.find((r) => r.event.type === 'contact.user.created')!;
    expect(contact.event).toMatchObject({ corpId, data: { userId: 'zhangsan', name: '张三', department: [1, 2] } });
    const message = receiver.received.find((r) => r.event.type === 'message.text')!;
    expect(message.event).toMatchObject({ corpId, data: { content: 'hello from WeCom', agentId: 1 } });
    expect(message.id).toBe(message.event.id);
    expect(message.event.id).toMatch(/^evt_\d+$/);
    expect(receiver.rejected).toBe(0);
    // Stored sealed, like the inbox payload it came from.
    const prisma = testPrisma();
    const row = await prisma.client.platformEvent.findUniqueOrThrow({ where: { id: BigInt(message.id.slice(4)) } });
    await prisma.onModuleDestroy();
    expect(row.envelope).not.toContain('hello from WeCom');
    // Nothing outside the filter (suite_ticket never becomes an event at all).
    expect(types().every((t) => /^(tenant|contact|message)\./.test(t))).toBe(true);
  }, 40_000);

  it('retries a failing receiver with the same webhook-id and records every attempt', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'] });
    let calls = 0;
    const ids: string[] = [];
    receiver.behave((req) => {
      ids.push(String(req.headers['webhook-id']));
      return ++calls <= 2 ? { status: 500 } : 'accept';
    });
    await textMessage(corpId, 'retry me');
    await waitFor(async () => receiver.received.length === 1, 15_000, 'delivery after two 500s');
    expect(new Set(ids).size).toBe(1);
    const [delivery] = await deliveriesOf(endpoint.id);
    const detail = await waitFor(async () => {
      const d = await deliveryDetail(delivery.id);
      return d.status === 'delivered' && d;
    });
    expect(detail.attemptLog.map((a) => a.status)).toEqual([500, 500, 204]);
    expect(detail.attemptLog[0].excerpt).toBe('failing on purpose: 500');
    expect(detail.eventId).toBe(ids[0]);
  }, 30_000);

  it('fails a delivery after the last scheduled attempt (timeouts included); resend delivers it', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'] });
    let calls = 0;
    receiver.behave(() => (++calls === 2 ? 'hang' : { status: 503 }));
    await textMessage(corpId, 'give up on me');
    const failed = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.status === 'failed'), 20_000, 'failed delivery');
    const detail = await deliveryDetail(failed.id);
    expect(detail.attemptLog.map((a) => a.status ?? a.error)).toEqual([503, 'timeout', 503]);
    receiver.behave('accept');
    const resent = await callApi(authUrl, 'POST', `/api/v1/admin/webhook-deliveries/${failed.id}/resend`, { key: adminKey });
    expect(resent.status).toBe(202);
    await waitFor(async () => receiver.received.length === 1, 10_000, 'resent delivery');
    expect(receiver.received[0].id).toBe(failed.eventId);
    // The receiver answers before the worker records the attempt.
    await waitFor(async () => (await deliveryDetail(failed.id)).status === 'delivered', 10_000, 'delivery recorded as delivered');
  }, 40_000);

  it('disables an endpoint that answers 410 Gone, keeps what it is owed, and sends it when enabled again', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.*'] });
    receiver.behave({ status: 410 });
    await textMessage(corpId, 'gone?');
    const disabled = await waitFor(async () => {
      const e = (await callApi<Endpoint>(authUrl, 'GET', `/api/v1/admin/webhook-endpoints/${endpoint.id}`, { key: adminKey })).body;
      return !e.enabled && e;
    }, 15_000, 'endpoint disabled');
    expect(disabled.disabledReason).toBe('the receiver answered 410 Gone');
    await textMessage(corpId, 'while disabled');
    receiver.behave('accept');
    const enabled = await callApi<Endpoint>(authUrl, 'PATCH', `/api/v1/admin/webhook-endpoints/${endpoint.id}`, { key: adminKey, body: { enabled: true } });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    await waitFor(async () => receiver.received.length >= 1, 10_000, 'owed delivery after re-enabling');
    // The event published while disabled was not owed to it; replay sends it.
    const since = new Date(Date.now() - 60_000).toISOString();
    const replay = await callApi<{ deliveries: number }>(authUrl, 'POST', `/api/v1/admin/webhook-endpoints/${endpoint.id}/replay`, { key: adminKey, body: { since } });
    expect(replay.status).toBe(202);
    expect(replay.body.deliveries).toBeGreaterThanOrEqual(2);
    await waitFor(async () => receiver.received.some((r) => r.event.data.content === 'while disabled'), 10_000, 'replayed event');
    expect(receiver.rejected).toBe(0);
  }, 40_000);

  it('disables an endpoint that has failed every attempt for WEBHOOK_DISABLE_AFTER_HOURS, with the reason', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'] });
    receiver.behave({ status: 502 });
    await textMessage(corpId, 'fail 1');
    await waitFor(async () => (await deliveriesOf(endpoint.id)).some((d) => d.status === 'failed'), 10_000, 'first failed delivery');
    await new Promise((r) => setTimeout(r, 3700));
    await textMessage(corpId, 'fail 2');
    const disabled = await waitFor(async () => {
      const e = (await callApi<Endpoint>(authUrl, 'GET', `/api/v1/admin/webhook-endpoints/${endpoint.id}`, { key: adminKey })).body;
      return !e.enabled && e;
    }, 10_000, 'endpoint disabled');
    expect(disabled.disabledReason).toMatch(/^no 2xx since 20\d\d-/);
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/wecom_webhook_endpoints_disabled_total\{reason="failing"\} [1-9]/);
  }, 30_000);

  it('filters by corp, and signs with both secrets during a rotation overlap', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'], corpIds: ['wwnotthiscorp'] });
    await textMessage(corpId, 'not for this endpoint');
    const matching = await receiverWithEndpoint({ eventTypes: ['message.text'], corpIds: [corpId] });
    const rotated = await callApi<Endpoint & { rotating: boolean }>(authUrl, 'POST', `/api/v1/admin/webhook-endpoints/${matching.endpoint.id}/rotate-secret`, { key: adminKey, body: { overlapSeconds: 600 } });
    expect(rotated.status).toBe(201);
    expect(rotated.body.rotating).toBe(true);
    const headersById = new Map<string, Record<string, string>>();
    matching.receiver.behave((req) => {
      headersById.set(String(req.headers['webhook-id']), req.headers as Record<string, string>);
      return 'accept';
    });
    await textMessage(corpId, 'for this one');
    // The first message may reach this endpoint too: events fan out when the worker processes them, which can be
    // after this endpoint was added. The one sent after the rotation is the one whose signatures are checked.
    const isThisOne = (r: { event: { data: Record<string, unknown> } }) => r.event.data.content === 'for this one';
    await waitFor(async () => matching.receiver.received.some(isThisOne), 10_000, 'delivery to the corp-filtered endpoint');
    const delivered = matching.receiver.received.find(isThisOne)!;
    const headers = headersById.get(delivered.id)!;
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    const body = JSON.stringify(delivered.event);
    expect(() => new Webhook(rotated.body.secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(matching.endpoint.secret).verify(body, headers)).not.toThrow();
    expect(receiver.received).toHaveLength(0);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(0);
  }, 30_000);

  it('with orderedByCorp, holds a corp\'s later events until the earlier one is delivered', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'], orderedByCorp: true });
    let calls = 0;
    receiver.behave(() => (++calls === 1 ? { status: 500 } : 'accept'));
    for (const content of ['first', 'second', 'third']) {
      const before = (await deliveriesOf(endpoint.id)).length;
      await textMessage(corpId, content);
      await waitFor(async () => (await deliveriesOf(endpoint.id)).length > before, 10_000, `delivery row for ${content}`);
    }
    await waitFor(async () => receiver.received.length === 3, 15_000, 'three ordered deliveries');
    expect(receiver.received.map((r) => r.event.data.content)).toEqual(['first', 'second', 'third']);
    const first = (await deliveriesOf(endpoint.id)).find((d) => d.attempts === 2);
    expect(first).toBeDefined();
  }, 30_000);

  it('refuses to register a private address the allow-list does not name, as the sender would refuse it', async () => {
    for (const url of ['http://10.255.255.1:9/x', 'http://127.0.0.2:9/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest', 'http://[::ffff:127.0.0.1]:9/x']) {
      const res = await callApi<{ error: string; message: string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { key: adminKey, body: { url, eventTypes: ['message.text'] } });
      expect([url, res.status, res.body.error]).toEqual([url, 400, 'invalid_endpoint_url']);
      expect(res.body.message).toMatch(/WEBHOOK_ALLOW_PRIVATE_TARGETS/);
    }
    const { endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'] });
    const moved = await callApi<{ error: string }>(authUrl, 'PATCH', `/api/v1/admin/webhook-endpoints/${endpoint.id}`, { key: adminKey, body: { url: 'http://10.0.0.1/x' } });
    expect([moved.status, moved.body.error]).toEqual([400, 'invalid_endpoint_url']);
    await callApi(authUrl, 'DELETE', `/api/v1/admin/webhook-endpoints/${endpoint.id}`, { key: adminKey });
  });

  it('fails a delivery to a refused address at once, without retries, and says why', async () => {
    // Registered while allowed; the address is refused by the time it is sent to (a narrowed allow-list, a URL
    // written before registration checked addresses): the sender refuses to connect.
    const { receiver, endpoint } = await receiverWithEndpoint({ eventTypes: ['message.text'] });
    const prisma = testPrisma();
    try {
      await prisma.client.webhookEndpoint.update({ where: { id: endpoint.id }, data: { url: 'http://10.255.255.1:9/x' } });
    } finally {
      await prisma.onModuleDestroy();
    }
    await textMessage(corpId, 'to nowhere');
    const delivery = await waitFor(async () => (await deliveriesOf(endpoint.id)).find((d) => d.status === 'failed'), 15_000, 'the delivery failed');
    const detail = await deliveryDetail(delivery.id);
    expect(detail).toMatchObject({ status: 'failed', attempts: 1 });
    expect(detail.attemptLog).toHaveLength(1);
    expect(detail.attemptLog[0]).toMatchObject({ status: null, error: 'blocked_target' });
    const listed = (await deliveriesOf(endpoint.id)).find((d) => d.id === delivery.id) as Delivery & { lastError: string };
    expect(listed.lastError).toMatch(/^blocked_target: the platform does not send to this address .*WEBHOOK_ALLOW_PRIVATE_TARGETS.*without retries/);
    expect(receiver.received).toHaveLength(0);
    await callApi(authUrl, 'DELETE', `/api/v1/admin/webhook-endpoints/${endpoint.id}`, { key: adminKey });
  }, 30_000);

  it('serves the same events to pull consumers, long-polling for the next one', async () => {
    const key = await createApiKey([`suite:${suite.suiteId}`], 'puller');
    const first = await callApi<{ events: { id: string; type: string }[]; nextCursor: string }>(authUrl, 'GET', `/api/v1/suites/${suite.suiteId}/events?types=tenant.*,contact.*&limit=5`, { key });
    expect(first.status).toBe(200);
    expect(first.body.events.map((e) => e.type)).toEqual(expect.arrayContaining(['tenant.installed', 'contact.user.created']));
    expect(first.body.events.every((e) => /^(tenant|contact)\./.test(e.type))).toBe(true);
    const latest = await callApi<{ nextCursor: string }>(authUrl, 'GET', `/api/v1/suites/${suite.suiteId}/events?after=${first.body.nextCursor}&limit=1000`, { key });
    const started = Date.now();
    const waiting = callApi<{ events: { id: string; type: string; data: Record<string, unknown> }[]; nextCursor: string }>(authUrl, 'GET', `/api/v1/suites/${suite.suiteId}/events?after=${latest.body.nextCursor}&types=message.text&wait=10`, { key });
    setTimeout(() => void textMessage(corpId, 'pulled'), 300);
    const pulled = await waiting;
    expect(pulled.body.events).toHaveLength(1);
    expect(pulled.body.events[0].data.content).toBe('pulled');
    expect(pulled.body.nextCursor).toBe(pulled.body.events[0].id);
    expect(Date.now() - started).toBeLessThan(10_000);
    const empty = await callApi<{ events: unknown[]; nextCursor: string }>(authUrl, 'GET', `/api/v1/suites/${suite.suiteId}/events?after=${pulled.body.nextCursor}&types=message.text&wait=0`, { key });
    expect(empty.body).toEqual({ events: [], nextCursor: pulled.body.nextCursor });
    const other = await callApi(authUrl, 'GET', `/api/v1/suites/wwothersuite/events`, { key });
    expect(other.status).toBe(403);
  }, 30_000);

  it('refuses a JSON body sent as text/plain with 415, naming application/json, not a field error', async () => {
    const res = await fetch(`${authUrl}/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ url: 'https://example.com/x' }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ statusCode: 415, error: 'unsupported_media_type', message: expect.stringContaining('send application/json') });
    expect((await callApi(authUrl, 'GET', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { key: adminKey })).text).not.toContain('example.com/x');
  });

  it('refuses bad endpoint settings with one message per field, and unknown ids with 404', async () => {
    const bad = await callApi<{ message: string[] | string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { key: adminKey, body: { url: 'ftp://x/', eventTypes: ['Contact.*'], maxConcurrency: 0 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/eventTypes/);
    const badUrl = await callApi<{ error: string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, { key: adminKey, body: { url: 'ftp://x/' } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error).toBe('invalid_endpoint_url');
    const noSuite = await callApi<{ error: string }>(authUrl, 'POST', `/api/v1/admin/suites/wwnosuchsuite/webhook-endpoints`, { key: adminKey, body: { url: 'https://example.com/x' } });
    expect(noSuite.body.error).toBe('suite_not_found');
    const unknown = await callApi<{ error: string }>(authUrl, 'GET', `/api/v1/admin/webhook-endpoints/00000000-0000-4000-8000-000000000000`, { key: adminKey });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'endpoint_not_found' } });
    const types = await callApi<{ type: string }[]>(authUrl, 'GET', '/api/v1/admin/event-types', { key: adminKey });
    expect(types.body.map((t) => t.type)).toContain('external_contact.added');
    const badCursor = await callApi(authUrl, 'GET', `/api/v1/suites/${suite.suiteId}/events?types=bad..type`, { key: adminKey });
    expect(badCursor.status).toBe(400);
    // Well-formed but naming nothing the catalogue has: refused up front, naming each unknown entry.
    const bogus = await callApi<{ error: string; message: string }>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, {
      key: adminKey,
      body: { url: 'https://example.com/x', eventTypes: ['bogus', 'contact.*', 'nosuch.*', 'message.text', '*'] },
    });
    expect([bogus.status, bogus.body.error]).toEqual([400, 'invalid_event_types']);
    expect(bogus.body.message).toContain('unknown event types bogus, nosuch.*');
    const good = await callApi<Endpoint>(authUrl, 'POST', `/api/v1/admin/suites/${suite.suiteId}/webhook-endpoints`, {
      key: adminKey,
      body: { url: 'https://example.com/x', eventTypes: ['contact.*', 'tenant.suspended', 'wecom.unknown'] },
    });
    expect(good.status).toBe(201);
    const patched = await callApi<{ error: string; message: string }>(authUrl, 'PATCH', `/api/v1/admin/webhook-endpoints/${good.body.id}`, { key: adminKey, body: { eventTypes: ['contact.user.bogus'] } });
    expect([patched.status, patched.body.error]).toEqual([400, 'invalid_event_types']);
    expect(patched.body.message).toContain('unknown event types contact.user.bogus');
    const pulled = await callApi<{ error: string; message: string }>(authUrl, 'GET', `/api/v1/suites/${suite.suiteId}/events?types=message.text,bogus`, { key: adminKey });
    expect([pulled.status, pulled.body.error]).toEqual([400, 'invalid_event_types']);
    expect(pulled.body.message).toContain('unknown event types bogus');
  });
});
