import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { bullPrefix, QueueName } from '@app/queues';
import { ApiKeyRepository, openPayload } from '@app/store';
import { AuthStack, callApi, createApiKey, installThroughBrowser, startAuthStack, waitFor } from './support/auth.js';
import { registerSuite, simControl } from './support/platform.js';
import { testCipher } from './support/store.js';
import { randomAesKey } from './support/wecom-sender.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('auth app: admin API', () => {
  let stack: AuthStack;
  let suiteId: string;
  let corpIds: string[];
  let cancelledCorpId: string;
  let suiteKey: string;
  let revokedAdminKey: string;
  let queue: Queue;

  beforeAll(async () => {
    stack = await startAuthStack();
    suiteId = stack.suite.suiteId;
    corpIds = [];
    // Market / QR installs: WeCom pushes create_auth for those (a link install has only the browser redirect).
    for (let i = 0; i < 3; i++) {
      const install = await simControl<{ corp_id: string; auth_code: string }>(stack.sim, 'POST', `/sim/suites/${suiteId}/installs`, { push_callback: true });
      const corpId = (await stack.worker.handleCreateAuth(suiteId, install.auth_code)).corp.corpId;
      corpIds.push(corpId);
      // The v2 exchange hands over no first access token: the worker fetches it once scheduled; do it here.
      await stack.worker.broker.get({ kind: 'corp', suiteId, corpId });
    }
    cancelledCorpId = corpIds[0];
    await simControl(stack.sim, 'POST', `/sim/suites/${suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: cancelledCorpId });
    await stack.worker.cancel(suiteId, cancelledCorpId);
    suiteKey = await createApiKey([`suite:${suiteId}`]);
    revokedAdminKey = await createApiKey(['admin'], 'soon-revoked');
    const keys = new ApiKeyRepository(stack.worker.prisma);
    await keys.revoke((await keys.findActive(revokedAdminKey))!.id);
    queue = new Queue(QueueName.CallbackEvents, { connection: stack.worker.redis, prefix: bullPrefix({ prefix: stack.env.REDIS_PREFIX }) });
  });

  afterAll(async () => {
    await queue.close();
    await stack.close();
  });

  const admin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    callApi<T>(stack.authUrl, method, path, { key: stack.adminKey, body });
  const messages = (body: unknown): string => ((body as { message: string[] | string }).message ?? '').toString();

  it('refuses every admin route without a key, with an unknown or revoked key (401), and with a suite key (403)', async () => {
    const event = await waitFor(() => stack.worker.prisma.client.callbackEvent.findFirst({ where: { suiteId } }));
    const keyId = (await new ApiKeyRepository(stack.worker.prisma).create('delete-target', ['admin'])).info.id;
    const suiteBody = { suiteId: 'wwnewsuite', secret: 's', token: 't', encodingAesKey: randomAesKey() };
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/v1/admin/suites', suiteBody],
      ['GET', '/api/v1/admin/suites'],
      ['GET', `/api/v1/admin/suites/${suiteId}`],
      ['GET', `/api/v1/admin/suites/${suiteId}/corps`],
      ['GET', `/api/v1/admin/suites/${suiteId}/corps/${corpIds[1]}`],
      ['GET', '/api/v1/admin/events'],
      ['GET', `/api/v1/admin/events/${event.id}`],
      ['POST', `/api/v1/admin/events/${event.id}/replay`],
      ['POST', '/api/v1/admin/api-keys', { name: 'x', scopes: ['admin'] }],
      ['GET', '/api/v1/admin/api-keys'],
      ['DELETE', `/api/v1/admin/api-keys/${keyId}`],
    ];
    for (const [method, path, body] of routes) {
      const seen = [];
      for (const key of [undefined, 'wik_unknownkeyunknownkey', revokedAdminKey, suiteKey]) {
        const res = await callApi(stack.authUrl, method, path, { key, body });
        seen.push([res.status, (res.body as { error?: string }).error]);
      }
      expect({ route: `${method} ${path}`, seen }).toEqual({
        route: `${method} ${path}`,
        seen: [[401, 'Unauthorized'], [401, 'Unauthorized'], [401, 'Unauthorized'], [403, 'Forbidden']],
      });
    }
    expect(await stack.worker.prisma.client.suite.count({ where: { id: 'wwnewsuite' } })).toBe(0);
    expect((await stack.worker.prisma.client.apiKey.findUniqueOrThrow({ where: { id: keyId } })).revokedAt).toBeNull();
  });

  describe('suites', () => {
    it('registers a suite, storing its secrets sealed and never answering with them', async () => {
      const body = {
        suiteId: `wwreg${Date.now()}`,
        name: 'Registered',
        secret: 'suite-secret-value-1',
        token: 'callbacktoken',
        encodingAesKey: randomAesKey(),
        successUrl: 'https://vendor.example/ok',
        defaultAuthType: 1,
        providerCorpId: 'wwprovider1',
        providerSecret: 'provider-secret-value-1',
        redirectOrigins: ['https://app.vendor.example'],
        logoUrl: 'https://vendor.example/logo.png',
        description: 'CRM for your sales team',
      };
      const res = await admin('POST', '/api/v1/admin/suites', body);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        suiteId: body.suiteId,
        name: 'Registered',
        successUrl: body.successUrl,
        defaultAuthType: 1,
        providerCorpId: 'wwprovider1',
        hasProviderSecret: true,
        redirectOrigins: ['https://app.vendor.example'],
        logoUrl: 'https://vendor.example/logo.png',
        description: 'CRM for your sales team',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      for (const secret of [body.secret, body.encodingAesKey, body.providerSecret]) expect(res.text).not.toContain(secret);
      const row = await stack.worker.prisma.client.suite.findUniqueOrThrow({ where: { id: body.suiteId }, include: { provider: true } });
      expect(row.secretEnc).not.toContain(body.secret);
      expect(row.provider?.secretEnc).toEqual(expect.any(String));
      expect(row.provider?.secretEnc).not.toContain(body.providerSecret);
      const shown = await admin('GET', `/api/v1/admin/suites/${body.suiteId}`);
      expect(shown.body).toMatchObject({ suiteId: body.suiteId, suiteTicket: { receivedAt: null, fresh: false } });
      expect(shown.text).not.toContain(body.secret);
    });

    it('shows a suite with the age of its ticket, and 404 for an unknown one', async () => {
      const shown = await admin('GET', `/api/v1/admin/suites/${suiteId}`);
      expect(shown.body).toMatchObject({ suiteId, hasProviderSecret: true, suiteTicket: { receivedAt: expect.any(String), fresh: true } });
      expect(shown.text).not.toContain(stack.suite.secret);
      expect(await admin('GET', '/api/v1/admin/suites/wwnosuchsuite')).toMatchObject({ status: 404, body: { error: 'suite_not_found' } });
    });

    it('lists suites in id order, page by page, without repeats', async () => {
      for (let i = 0; i < 3; i++) await registerSuite(stack.sim, null);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: Page<{ suiteId: string }> } = await admin<Page<{ suiteId: string }>>(
          'GET',
          `/api/v1/admin/suites?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((s) => s.suiteId));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 1000);
      const all = await stack.worker.prisma.client.suite.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
      expect(seen).toEqual(all.map((s) => s.id));
      // One row past the page tells whether another follows: no empty last page.
      expect(pages).toBe(Math.ceil(all.length / 2));
    });

    it('answers 400 naming every bad field, including ones that should not be there', async () => {
      const res = await admin('POST', '/api/v1/admin/suites', { suiteId: 'bad id!', encodingAesKey: 'short', providerCorpId: 'wwp', providerSecret: 5, defaultAuthType: 3, extra: true });
      expect(res.status).toBe(400);
      const text = messages(res.body);
      for (const field of ['suiteId', 'secret', 'token', 'encodingAesKey', 'providerSecret', 'defaultAuthType', 'extra']) expect(text).toContain(field);
      const badLimit = await admin('GET', '/api/v1/admin/suites?limit=0');
      expect(badLimit.status).toBe(400);
      expect(messages(badLimit.body)).toContain('limit');
    });
  });

  describe('corps', () => {
    interface CorpItem {
      corpId: string;
      corpName: string;
      status: string;
      installedAt: string;
      token: { expiresAt: string | null; fresh: boolean };
    }

    it('lists the corps of a suite newest first with status and token freshness, page by page', async () => {
      const first = await admin<Page<CorpItem>>('GET', `/api/v1/admin/suites/${suiteId}/corps?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.items.map((c) => c.corpId)).toEqual([corpIds[2], corpIds[1]]);
      expect(first.body.items[0]).toEqual({
        corpId: corpIds[2],
        corpName: expect.any(String),
        status: 'active',
        installedAt: expect.any(String),
        token: { expiresAt: expect.any(String), fresh: true },
      });
      const second = await admin<Page<CorpItem>>('GET', `/api/v1/admin/suites/${suiteId}/corps?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((c) => c.corpId)).toEqual([corpIds[0]]);
      expect(second.body.items[0]).toMatchObject({ status: 'cancelled', token: { expiresAt: null, fresh: false } });
      expect(second.body.nextCursor).toBeNull();
      const cancelled = await admin<Page<CorpItem>>('GET', `/api/v1/admin/suites/${suiteId}/corps?status=cancelled`);
      expect(cancelled.body.items.map((c) => c.corpId)).toEqual([cancelledCorpId]);
    });

    it('shows one corp with agents, privileges and the installing admin, and never its permanent code', async () => {
      const res = await admin('GET', `/api/v1/admin/suites/${suiteId}/corps/${corpIds[1]}`);
      expect(res.status).toBe(200);
      const auth = stack.sim.state.authorization(suiteId, corpIds[1])!;
      expect(res.body).toMatchObject({
        corpId: corpIds[1],
        status: 'active',
        agentId: auth.agentId,
        agents: [{ agentId: auth.agentId, name: expect.any(String), privilege: expect.objectContaining({ level: 1 }) }],
        authUserInfo: expect.objectContaining({ userid: auth.authUserId }),
        authCorpInfo: expect.objectContaining({ corpid: corpIds[1] }),
        editionInfo: expect.any(Object),
        token: { fresh: true },
      });
      expect(res.text).not.toContain(auth.permanentCode);
      expect(res.text).not.toMatch(/permanent/i);
    });

    it('answers 404 for an unknown corp or suite and 400 for bad filters or cursors', async () => {
      expect(await admin('GET', `/api/v1/admin/suites/${suiteId}/corps/wwnobody`)).toMatchObject({ status: 404, body: { error: 'corp_not_found' } });
      expect(await admin('GET', '/api/v1/admin/suites/wwnosuchsuite/corps')).toMatchObject({ status: 404, body: { error: 'suite_not_found' } });
      const badStatus = await admin('GET', `/api/v1/admin/suites/${suiteId}/corps?status=gone&limit=500`);
      expect(badStatus.status).toBe(400);
      expect(messages(badStatus.body)).toMatch(/status.*limit|limit.*status/);
      for (const cursor of ['garbage', Buffer.from('{"installedAt":"x","id":"y"}').toString('base64url')]) {
        expect(await admin('GET', `/api/v1/admin/suites/${suiteId}/corps?cursor=${cursor}`)).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
      }
    });
  });

  describe('callback events', () => {
    interface EventItem {
      id: string;
      suiteId: string;
      type: string;
      corpId: string | null;
      status: string;
      payload?: string;
    }

    it('lists events by suite, type and status, newest first, page by page', async () => {
      const stored = await waitFor(async () => {
        const rows = await stack.worker.prisma.client.callbackEvent.findMany({ where: { suiteId, type: 'create_auth' }, orderBy: { id: 'desc' } });
        return rows.length >= 3 ? rows : null;
      });
      const page1 = await admin<Page<EventItem>>('GET', `/api/v1/admin/events?suiteId=${suiteId}&type=create_auth&limit=2`);
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((e) => e.id)).toEqual(stored.slice(0, 2).map((r) => String(r.id)));
      expect(page1.body.items[0].payload).toBeUndefined();
      const page2 = await admin<Page<EventItem>>('GET', `/api/v1/admin/events?suiteId=${suiteId}&type=create_auth&limit=2&cursor=${page1.body.nextCursor}`);
      expect(page2.body.items.map((e) => e.id)).toEqual(stored.slice(2, 4).map((r) => String(r.id)));

      const cancels = await admin<Page<EventItem>>('GET', `/api/v1/admin/events?suiteId=${suiteId}&corpId=${cancelledCorpId}&type=cancel_auth`);
      expect(cancels.body.items).toEqual([expect.objectContaining({ type: 'cancel_auth', corpId: cancelledCorpId })]);
      const future = await admin<Page<EventItem>>('GET', `/api/v1/admin/events?suiteId=${suiteId}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
      expect(future.body).toEqual({ items: [], nextCursor: null });
      const failed = await admin<Page<EventItem>>('GET', `/api/v1/admin/events?suiteId=${suiteId}&status=failed`);
      expect(failed.body.items).toEqual([]);
    });

    it('shows one event with its one-time code redacted', async () => {
      const row = await stack.worker.prisma.client.callbackEvent.findFirstOrThrow({ where: { suiteId, type: 'create_auth' } });
      const authCode = /<AuthCode>(?:<!\[CDATA\[)?([^<\]]+)/.exec(openPayload(testCipher(), row.payload))![1];
      const res = await admin<EventItem>('GET', `/api/v1/admin/events/${row.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: String(row.id), suiteId, type: 'create_auth', status: row.status });
      expect(res.body.payload).toContain('<AuthCode>[redacted]</AuthCode>');
      expect(res.body.payload).toContain('<InfoType>');
      expect(res.text).not.toContain(authCode);
    });

    it('replays an event: back to queued, on the queue under a new job id each time', async () => {
      const row = await stack.worker.prisma.client.callbackEvent.findFirstOrThrow({ where: { suiteId, type: 'cancel_auth' } });
      await stack.worker.prisma.client.callbackEvent.update({ where: { id: row.id }, data: { status: 'failed', lastError: 'boom' } });
      const first = await admin<{ id: string; status: string; jobId: string }>('POST', `/api/v1/admin/events/${row.id}/replay`);
      expect(first.status).toBe(202);
      expect(first.body).toEqual({ id: String(row.id), status: 'queued', jobId: expect.stringMatching(new RegExp(`^evt-${row.id}-replay-\\d+-[0-9a-f]{6}$`)) });
      const after = await stack.worker.prisma.client.callbackEvent.findUniqueOrThrow({ where: { id: row.id } });
      expect(after).toMatchObject({ status: 'queued', lastError: null });
      const job = await queue.getJob(first.body.jobId);
      expect(job?.name).toBe('process-callback-event');
      expect(job?.data).toEqual({ eventId: String(row.id), suiteId });
      await new Promise((r) => setTimeout(r, 5));
      const second = await admin<{ jobId: string }>('POST', `/api/v1/admin/events/${row.id}/replay`);
      expect(second.body.jobId).not.toBe(first.body.jobId);
      expect(await queue.getJob(second.body.jobId)).toBeTruthy();
    });

    it('answers 404 for an unknown event and 400 naming bad ids and filters', async () => {
      expect(await admin('POST', '/api/v1/admin/events/999999999999/replay')).toMatchObject({ status: 404, body: { error: 'event_not_found' } });
      expect(await admin('GET', '/api/v1/admin/events/999999999999')).toMatchObject({ status: 404, body: { error: 'event_not_found' } });
      const badId = await admin('GET', '/api/v1/admin/events/abc');
      expect(badId.status).toBe(400);
      expect(messages(badId.body)).toContain('id');
      const badFilters = await admin('GET', '/api/v1/admin/events?from=yesterday&status=lost&kind=other');
      expect(badFilters.status).toBe(400);
      for (const field of ['from', 'status', 'kind']) expect(messages(badFilters.body)).toContain(field);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, which works at once, lists it without the key, and revokes it', async () => {
      const created = await admin<{ id: string; key: string; keyPrefix: string }>('POST', '/api/v1/admin/api-keys', { name: 'billing', scopes: [`suite:${suiteId}`] });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        key: expect.stringMatching(/^wik_/),
        name: 'billing',
        keyPrefix: created.body.key.slice(0, 10),
        scopes: [`suite:${suiteId}`],
        createdAt: expect.any(String),
        lastUsedAt: null,
        revokedAt: null,
      });
      const key = created.body.key;
      const used = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/access-token`, { key });
      expect(used.status).toBe(200);

      const listed = await admin<Page<{ id: string; key?: string; lastUsedAt: string | null }>>('GET', '/api/v1/admin/api-keys?limit=200');
      const mine = listed.body.items.find((k) => k.id === created.body.id);
      expect(mine).toMatchObject({ lastUsedAt: expect.any(String) });
      expect(mine?.key).toBeUndefined();
      expect(listed.text).not.toContain(key);

      const revoked = await admin('DELETE', `/api/v1/admin/api-keys/${created.body.id}`);
      expect(revoked.status).toBe(204);
      expect((await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/access-token`, { key })).status).toBe(401);
    });

    it('pages through keys oldest first', async () => {
      const all = await stack.worker.prisma.client.apiKey.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: Page<{ id: string }> } = await admin<Page<{ id: string }>>('GET', `/api/v1/admin/api-keys?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...res.body.items.map((k) => k.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen.slice(0, all.length)).toEqual(all.map((k) => k.id));
    });

    it('answers 400 naming bad fields and 404 for an unknown key', async () => {
      const bad = await admin('POST', '/api/v1/admin/api-keys', { scopes: ['root', 'suite:'] });
      expect(bad.status).toBe(400);
      expect(messages(bad.body)).toMatch(/name/);
      expect(messages(bad.body)).toMatch(/scopes/);
      const empty = await admin('POST', '/api/v1/admin/api-keys', { name: 'x', scopes: [] });
      expect(messages(empty.body)).toMatch(/scopes/);
      expect(await admin('DELETE', `/api/v1/admin/api-keys/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: 'api_key_not_found' } });
      const notUuid = await admin('DELETE', '/api/v1/admin/api-keys/abc');
      expect(notUuid.status).toBe(400);
      expect(messages(notUuid.body)).toContain('id');
    });
  });

  describe('docs, health, metrics', () => {
    it('serves the OpenAPI document and the Swagger UI', async () => {
      const doc = await callApi<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { required?: string[] }> } }>(
        stack.authUrl,
        'GET',
        '/docs-json',
      );
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.body.paths).sort()).toEqual(
        [
          '/install/{suiteId}',
          '/install/{suiteId}/start',
          '/install/{suiteId}/complete',
          '/oauth/{suiteId}/authorize',
          '/oauth/{suiteId}/callback',
          '/api/v1/suites/{suiteId}/login-tokens/verify',
          '/api/v1/suites/{suiteId}/access-token',
          '/api/v1/suites/{suiteId}/access-token/invalidate',
          '/api/v1/suites/{suiteId}/corps/{corpId}/access-token',
          '/api/v1/suites/{suiteId}/corps/{corpId}/access-token/invalidate',
          '/api/v1/suites/{suiteId}/corps/{corpId}/ids/new-external-userids',
          '/api/v1/suites/{suiteId}/corps/{corpId}/ids/open-userids',
          '/api/v1/suites/{suiteId}/corps/{corpId}/ids/tmp-external-userids',
          '/api/v1/suites/{suiteId}/corps/{corpId}/ids/unionid-external-userid',
          '/api/v1/suites/{suiteId}/corps/{corpId}/jssdk-signatures',
          '/api/v1/suites/{suiteId}/corps/{corpId}/wecom/{path}',
          '/api/v1/admin/suites',
          '/api/v1/admin/suites/{suiteId}',
          '/api/v1/admin/suites/{suiteId}/corps',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/gateway-usage',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/licenses',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/licenses/activations',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/licenses/auto-activation',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/licenses/orders',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/licenses/sync',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/licenses/transfers',
          '/api/v1/admin/events',
          '/api/v1/admin/events/{id}',
          '/api/v1/admin/events/{id}/replay',
          '/api/v1/admin/api-keys',
          '/api/v1/admin/api-keys/{id}',
          '/api/v1/admin/overview',
          '/api/v1/admin/suites/{suiteId}/setup',
          '/api/v1/admin/corps',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/tokens',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/tokens/refresh',
          '/api/v1/admin/events/replay',
          '/api/v1/admin/console-users',
          '/api/v1/admin/console-users/{id}',
          '/api/v1/admin/console-users/{id}/sessions',
          '/api/v1/admin/console-users/{id}/wecom',
          '/api/v1/console/session',
          '/api/v1/console/session/wecom',
          '/api/v1/console/session/wecom/callback',
          '/api/v1/console/sign-in-methods',
          '/api/v1/suites/{suiteId}/events',
          '/api/v1/admin/event-types',
          '/api/v1/admin/suites/{suiteId}/webhook-endpoints',
          '/api/v1/admin/webhook-endpoints/{id}',
          '/api/v1/admin/webhook-endpoints/{id}/deliveries',
          '/api/v1/admin/webhook-endpoints/{id}/replay',
          '/api/v1/admin/webhook-endpoints/{id}/rotate-secret',
          '/api/v1/admin/webhook-deliveries/{id}',
          '/api/v1/admin/webhook-deliveries/{id}/resend',
          '/api/v1/providers/{providerCorpId}/ids/open-corpid',
          '/api/v1/providers/{providerCorpId}/wecom/{path}',
          '/api/v1/admin/providers',
          '/api/v1/admin/providers/{providerCorpId}',
          '/api/v1/admin/providers/{providerCorpId}/customized-auth-url',
          '/login/{providerCorpId}',
          '/api/v1/admin/suites/{suiteId}/corps/{corpId}/callback-keys',
          '/login/{providerCorpId}/callback',
          '/api/v1/providers/{providerCorpId}/login-tokens/verify',
          '/api/v1/providers/{providerCorpId}/access-token',
          '/api/v1/providers/{providerCorpId}/access-token/invalidate',
        ].sort(),
      );
      expect(doc.body.components.securitySchemes).toHaveProperty('bearer');
      expect(doc.body.components.schemas.RegisterSuiteDto.required).toEqual(expect.arrayContaining(['suiteId', 'secret', 'token', 'encodingAesKey']));
      const queryOf = (path: string) =>
        ((doc.body.paths[path].get as { parameters: { name: string; in: string }[] }).parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      expect(queryOf('/install/{suiteId}/complete')).toEqual(['auth_code', 'state', 'expires_in']);
      expect(queryOf('/oauth/{suiteId}/callback')).toEqual(['code', 'state']);
      expect(queryOf('/api/v1/admin/events')).toEqual(expect.arrayContaining(['limit', 'cursor', 'suiteId', 'corpId', 'type', 'status', 'from', 'to']));

      const ui = await fetch(`${stack.authUrl}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger-ui-bundle.js');
      for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/swagger-ui-init.js']) {
        const res = await fetch(`${stack.authUrl}${asset}`);
        expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(50);
      }
    });

    it('reports health of the database and Redis, and Prometheus metrics', async () => {
      await installThroughBrowser(stack);
      const health = await callApi(stack.authUrl, 'GET', '/health');
      expect(health).toMatchObject({ status: 200, body: { status: 'ok', checks: { database: { ok: true }, redis: { ok: true } } } });
      const metrics = await fetch(`${stack.authUrl}/metrics`);
      const text = await metrics.text();
      expect(text).toMatch(/auth_installs_total\{outcome="exchanged"\} [1-9]/);
      expect(text).toContain('wecom_api_calls_total{path="/cgi-bin/service/v2/get_permanent_code",outcome="ok"}');
    });
  });
});
