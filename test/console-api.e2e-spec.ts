import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { bullPrefix, QueueName } from '@app/queues';
import { SuiteRepository } from '@app/store';
import { AuthStack, callApi, simCallCount, spawnAuthApp, startAuthStack, waitFor } from './support/auth.js';
import { asPerson, ConsolePerson, ConsoleSession, createConsoleUser, installNamed, signIn } from './support/console.js';
import { uniqueId } from './support/env.js';
import { simControl } from './support/platform.js';
import { testCipher } from './support/store.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Overview {
  tenants: Record<string, number>;
  perDay: { day: string; installs: number; cancellations: number }[];
  events: { byStatus: Record<string, number>; backlog: number; perHour: { hour: string; received: number; processed: number }[] };
  suites: { suiteId: string; fresh: boolean; ticketAgeSeconds: number | null }[];
  tokens: { marginSeconds: number; fresh: number; withinMargin: number; expired: number; missing: number };
}

describe('admin API for the console', () => {
  let stack: AuthStack;
  let suiteId: string;
  let admin: ConsolePerson;
  let adminSession: ConsoleSession;
  let queue: Queue;
  const MAX_FAILURES = 3;

  beforeAll(async () => {
    // The test client plays a proxy listed in TRUST_PROXY, so the X-Forwarded-For it sends is the client address the
    // sign-in limits count (without TRUST_PROXY every request here would be one address, 127.0.0.1).
    stack = await startAuthStack({
      CONSOLE_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      CALLBACK_PUBLIC_BASE_URL: 'https://cb.vendor.example',
      TRUST_PROXY: '127.0.0.0/8',
    });
    suiteId = stack.suite.suiteId;
    admin = await createConsoleUser('admin');
    adminSession = await signIn(stack.authUrl, admin);
    queue = new Queue(QueueName.CallbackEvents, { connection: stack.worker.redis, prefix: bullPrefix({ prefix: stack.env.REDIS_PREFIX }) });
  });

  afterAll(async () => {
    await queue.close();
    await stack.close();
  });

  const key = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => callApi<T>(stack.authUrl, method, path, { key: stack.adminKey, body });

  it('keeps the console its generated client types came from: the committed OpenAPI document is the served one', async () => {
    const served = await callApi(stack.authUrl, 'GET', '/docs-json');
    const committed = JSON.parse(readFileSync('apps/console/src/api/openapi.json', 'utf8')) as unknown;
    expect(served.body).toEqual(committed);
  });

  it('gives each admin answer its own schema: an event replay and a webhook replay are documented as what they return', () => {
    // Two DTO classes of one name made @nestjs/swagger document both routes with the same schema (and warn at start-up).
    const doc = JSON.parse(readFileSync('apps/console/src/api/openapi.json', 'utf8')) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const answerOf = (path: string) => {
      const ref = doc.paths[path].post.responses['202'].content!['application/json'].schema.$ref;
      return Object.keys(doc.components.schemas[ref.split('/').pop()!].properties).sort();
    };
    expect(answerOf('/api/v1/admin/events/{id}/replay')).toEqual(['id', 'jobId', 'status']);
    expect(answerOf('/api/v1/admin/webhook-endpoints/{id}/replay')).toEqual(['deliveries']);
  });

  describe('sign-in for people', () => {
    it('sets an HttpOnly, SameSite=Strict session cookie and answers the user and a CSRF token, never the password hash', async () => {
      const res = await fetch(`${stack.authUrl}/api/v1/console/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: admin.username.toUpperCase(), password: admin.password }),
      });
      expect(res.status).toBe(201);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^wecom_console_session=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Path=/');
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        user: { id: expect.any(String), username: admin.username, role: 'admin', createdAt: expect.any(String), lastLoginAt: expect.any(String), disabledAt: null, wecomCorpId: null, wecomUserId: null },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        expiresAt: expect.any(String),
        method: 'password',
      });
      expect(text).not.toContain('scrypt');
      const row = await stack.worker.prisma.client.consoleSession.findFirstOrThrow({ where: { user: { username: admin.username } } });
      expect(row.tokenHash).not.toBe(cookie.split(';')[0].split('=')[1]);
    });

    it('refuses a wrong password and an unknown user alike (401, no cookie), and a missing field (400)', async () => {
      const attempt = async (body: unknown) => {
        const res = await fetch(`${stack.authUrl}/api/v1/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return [res.status, res.headers.get('set-cookie')];
      };
      expect(await attempt({ username: admin.username, password: 'wrong-password!' })).toEqual([401, null]);
      expect(await attempt({ username: 'nobody-here', password: 'whatever-it-is' })).toEqual([401, null]);
      expect(await attempt({ username: admin.username })).toEqual([400, null]);
      expect(await attempt({ username: admin.username, password: 12345678901234 })).toEqual([400, null]);
      expect(await attempt(null)).toEqual([400, null]);
      const res = await fetch(`${stack.authUrl}/api/v1/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(await res.json()).toMatchObject({ statusCode: 400, message: 'send a JSON body {"username", "password"}' });
    });

    it(`rate-limits failed sign-ins per username and address: after ${MAX_FAILURES} failures even the right password gets 429`, async () => {
      const person = await createConsoleUser('viewer');
      for (let i = 0; i < MAX_FAILURES; i++) {
        expect((await callApi(stack.authUrl, 'POST', '/api/v1/console/session', { body: { ...person, password: `wrong-${i}` } })).status).toBe(401);
      }
      const blocked = await callApi(stack.authUrl, 'POST', '/api/v1/console/session', { body: person });
      expect(blocked.status).toBe(429);
      expect(blocked.body).toMatchObject({ error: 'too_many_login_attempts', message: expect.stringMatching(/try again in \d+ s/) });
      // Retry-After: the seconds until the lock ends, the number the message gives (the window is 15 min).
      const seconds = Number(/try again in (\d+) s/.exec((blocked.body as { message: string }).message)![1]);
      expect(blocked.headers.get('retry-after')).toBe(String(seconds));
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(15 * 60);
      // Another user from the same address is not locked out by someone else's failures.
      const other = await createConsoleUser('viewer');
      expect((await callApi(stack.authUrl, 'POST', '/api/v1/console/session', { body: other })).status).toBe(201);
    });

    it('caps failures at one username from varying forwarded addresses at ten times the per-address limit', async () => {
      const person = await createConsoleUser('viewer');
      const attempt = (i: number, password: string) =>
        callApi(stack.authUrl, 'POST', '/api/v1/console/session', { body: { ...person, password }, headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      const statuses = [];
      for (let i = 0; i < MAX_FAILURES * 10; i++) statuses.push((await attempt(i, `wrong-${i}`)).status);
      expect(new Set(statuses)).toEqual(new Set([401]));
      expect((await attempt(200, person.password)).status).toBe(429);
    });

    it('believes X-Forwarded-For only from a proxy listed in TRUST_PROXY: without it, varied headers are one address', async () => {
      const { TRUST_PROXY: _trusted, ...untrustedEnv } = stack.env;
      // Its own process: passport's strategies are process-wide, so a second in-process auth app would take over the
      // first one's sign-in strategy (and close its database pool with it).
      const untrusted = await spawnAuthApp(untrustedEnv);
      try {
        const person = await createConsoleUser('viewer');
        const attempt = (i: number, password: string) =>
          callApi(untrusted.url, 'POST', '/api/v1/console/session', { body: { ...person, password }, headers: { 'x-forwarded-for': `203.0.113.${i}` } });
        for (let i = 0; i < MAX_FAILURES; i++) expect((await attempt(i, `wrong-${i}`)).status).toBe(401);
        expect((await attempt(100, person.password)).status).toBe(429);
      } finally {
        await untrusted.stop();
      }
    });

    it('caps failures from one address across many usernames at ten times the per-address limit', async () => {
      const attempt = (username: string) =>
        callApi(stack.authUrl, 'POST', '/api/v1/console/session', { body: { username, password: 'wrong-password' }, headers: { 'x-forwarded-for': '198.51.100.7' } });
      const statuses = [];
      for (let i = 0; i < MAX_FAILURES * 10; i++) statuses.push((await attempt(uniqueId('nobody'))).status);
      expect(new Set(statuses)).toEqual(new Set([401]));
      expect((await attempt(uniqueId('nobody'))).status).toBe(429);
    });

    it('answers the current session, refuses changes without the CSRF token, and signs out for good', async () => {
      const session = await signIn(stack.authUrl, admin);
      expect(await asPerson(stack.authUrl, session, 'GET', '/api/v1/console/session')).toMatchObject({ status: 200, body: { user: { username: admin.username }, csrfToken: session.csrfToken } });
      const body = { name: 'no-csrf', scopes: ['admin'] };
      expect(await asPerson(stack.authUrl, session, 'POST', '/api/v1/admin/api-keys', { body, csrf: false })).toMatchObject({ status: 403, body: { error: 'csrf_token_invalid' } });
      expect(await asPerson(stack.authUrl, { ...session, csrfToken: 'x'.repeat(32) }, 'POST', '/api/v1/admin/api-keys', { body })).toMatchObject({ status: 403 });
      expect(await stack.worker.prisma.client.apiKey.count({ where: { name: 'no-csrf' } })).toBe(0);
      expect((await asPerson(stack.authUrl, session, 'DELETE', '/api/v1/console/session', { csrf: false })).status).toBe(403);
      const out = await fetch(`${stack.authUrl}/api/v1/console/session`, { method: 'DELETE', headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^wecom_console_session=; .*Expires=Thu, 01 Jan 1970/);
      expect((await asPerson(stack.authUrl, session, 'GET', '/api/v1/console/session')).status).toBe(401);
      expect((await asPerson(stack.authUrl, session, 'GET', '/api/v1/admin/suites')).status).toBe(401);
    });
  });

  describe('roles', () => {
    it('lets a viewer read but not replay, refresh, register or manage people; an operator replay but not register', async () => {
      const event = await stack.worker.prisma.client.callbackEvent.findFirstOrThrow({ where: { suiteId } });
      const corpId = await installNamed(stack.authUrl, suiteId, uniqueId('RoleCorp'));
      const viewer = await signIn(stack.authUrl, await createConsoleUser('viewer'));
      const operator = await signIn(stack.authUrl, await createConsoleUser('operator'));
      const suiteBody = { suiteId: uniqueId('wwrole'), secret: 's', token: 't', encodingAesKey: 'a'.repeat(43) };
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/v1/admin/overview'],
        ['GET', '/api/v1/admin/events'],
        ['GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens`],
        ['POST', `/api/v1/admin/events/${event.id}/replay`],
        ['POST', '/api/v1/admin/events/replay', { suiteId: 'wwnothingmatches' }],
        ['POST', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens/refresh`, {}],
        ['POST', '/api/v1/admin/suites', suiteBody],
        ['GET', '/api/v1/admin/api-keys'],
        ['GET', '/api/v1/admin/console-users'],
      ];
      const seen: Record<string, number[]> = {};
      for (const [method, path, body] of routes) {
        seen[`${method} ${path.replace(/\/[0-9]+\//, '/:id/')}`] = [
          (await asPerson(stack.authUrl, viewer, method, path, { body })).status,
          (await asPerson(stack.authUrl, operator, method, path, { body })).status,
        ];
      }
      expect(Object.values(seen)).toEqual([
        [200, 200],
        [200, 200],
        [200, 200],
        [403, 202],
        [403, 202],
        [403, 200],
        [403, 403],
        [403, 403],
        [403, 403],
      ]);
      expect(await stack.worker.prisma.client.suite.count({ where: { id: suiteBody.suiteId } })).toBe(0);
      // The refusal is a whole sentence naming who may (the console shows its own words for a 403).
      expect((await asPerson(stack.authUrl, viewer, 'GET', '/api/v1/admin/api-keys')).body).toMatchObject({
        message: 'the viewer role may not manage: this needs the admin role',
      });
      expect((await asPerson(stack.authUrl, viewer, 'POST', `/api/v1/admin/events/${event.id}/replay`)).body).toMatchObject({
        message: 'the viewer role may not operate: this needs the admin or operator role',
      });
    });

    it('ends the sessions of a user who is disabled or given another role, at once', async () => {
      const person = await createConsoleUser('operator');
      const session = await signIn(stack.authUrl, person);
      const id = (await asPerson<{ user: { id: string } }>(stack.authUrl, session, 'GET', '/api/v1/console/session')).body.user.id;
      expect((await asPerson(stack.authUrl, adminSession, 'PATCH', `/api/v1/admin/console-users/${id}`, { body: { role: 'viewer' } })).body).toMatchObject({ role: 'viewer' });
      expect((await asPerson(stack.authUrl, session, 'GET', '/api/v1/admin/overview')).status).toBe(401);
      const again = await signIn(stack.authUrl, person);
      expect((await asPerson(stack.authUrl, adminSession, 'PATCH', `/api/v1/admin/console-users/${id}`, { body: { disabled: true } })).body).toMatchObject({ disabledAt: expect.any(String) });
      expect((await asPerson(stack.authUrl, again, 'GET', '/api/v1/admin/overview')).status).toBe(401);
      expect((await callApi(stack.authUrl, 'POST', '/api/v1/console/session', { body: person })).status).toBe(401);
      const third = await signIn(stack.authUrl, admin);
      const adminId = (await asPerson<{ user: { id: string } }>(stack.authUrl, third, 'GET', '/api/v1/console/session')).body.user.id;
      expect((await key('DELETE', `/api/v1/admin/console-users/${adminId}/sessions`)).body).toEqual({ revoked: expect.any(Number) });
      expect((await asPerson(stack.authUrl, third, 'GET', '/api/v1/admin/overview')).status).toBe(401);
      adminSession = await signIn(stack.authUrl, admin);
    });
  });

  describe('console users', () => {
    it('creates, lists page by page, refuses a taken username (409), a short password and an unknown id (404)', async () => {
      const username = uniqueId('newop');
      const created = await asPerson(stack.authUrl, adminSession, 'POST', '/api/v1/admin/console-users', { body: { username, password: 'twelve-chars-ok', role: 'operator' } });
      expect(created).toMatchObject({ status: 201, body: { username, role: 'operator', disabledAt: null } });
      expect(created.text).not.toContain('twelve-chars-ok');
      expect(await key('POST', '/api/v1/admin/console-users', { username: username.toUpperCase(), password: 'twelve-chars-ok', role: 'viewer' })).toMatchObject({ status: 409, body: { error: 'console_user_exists' } });
      expect(await key('POST', '/api/v1/admin/console-users', { username: 'x1', password: 'short', role: 'boss' })).toMatchObject({
        status: 400,
        body: { message: expect.arrayContaining(['username must be 3-64 characters [A-Za-z0-9._@-]', 'password must be 12-256 characters']) },
      });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: Page<{ username: string }> } = await key('GET', `/api/v1/admin/console-users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.body.items.map((u) => u.username));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...seen].sort());
      expect(seen).toContain(username);
      expect(await key('PATCH', '/api/v1/admin/console-users/00000000-0000-4000-8000-000000000000', { role: 'viewer' })).toMatchObject({ status: 404, body: { error: 'console_user_not_found' } });
    });
  });

  describe('overview', () => {
    it('counts a new install and a cancellation today, the suite ticket as fresh, and every hour and day present', async () => {
      const before = (await key<Overview>('GET', '/api/v1/admin/overview?days=7')).body;
      const corpId = await installNamed(stack.authUrl, suiteId, uniqueId('OverviewCorp'));
      const gone = await installNamed(stack.authUrl, suiteId, uniqueId('GoneCorp'));
      await simControl(stack.sim, 'POST', `/sim/suites/${suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: gone });
      await stack.worker.cancel(suiteId, gone);
      const after = (await key<Overview>('GET', '/api/v1/admin/overview?days=7')).body;
      expect(after.perDay).toHaveLength(7);
      expect(after.events.perHour).toHaveLength(24);
      const today = new Date().toISOString().slice(0, 10);
      const day = (o: Overview) => o.perDay.find((d) => d.day === today)!;
      expect(after.perDay[6].day).toBe(today);
      expect(day(after).installs - day(before).installs).toBe(2);
      expect(day(after).cancellations - day(before).cancellations).toBe(1);
      expect(after.tenants.active - before.tenants.active).toBe(1);
      expect(after.tenants.cancelled - before.tenants.cancelled).toBe(1);
      const hour = after.events.perHour[23];
      expect(new Date(hour.hour).getTime()).toBe(Math.floor(Date.now() / 3_600_000) * 3_600_000);
      expect(hour.received).toBeGreaterThan(0);
      expect(after.events.backlog).toBe(after.events.byStatus.received + after.events.byStatus.queued + after.events.byStatus.processing);
      expect(after.suites.find((s) => s.suiteId === suiteId)).toMatchObject({ fresh: true, ticketAgeSeconds: expect.any(Number) });
      expect(after.tokens.marginSeconds).toBe(300);
      const tokenTotal = (o: Overview) => o.tokens.fresh + o.tokens.withinMargin + o.tokens.expired + o.tokens.missing;
      expect(tokenTotal(after)).toBe(after.tenants.active);
      expect(corpId).toBeTruthy();
      expect((await key('GET', '/api/v1/admin/overview?days=0')).status).toBe(400);
    });
  });

  describe('tenant search', () => {
    it('finds tenants by corp id or part of the name across suites, filters by suite, status, edition and install time, page by page', async () => {
      const tag = uniqueId('Acme');
      const ids = [await installNamed(stack.authUrl, suiteId, `${tag} 上海`), await installNamed(stack.authUrl, suiteId, `${tag} Beijing`)];
      const search = (query: string) => key<Page<{ corpId: string; suiteId: string; corpName: string; token: { fresh: boolean } }>>('GET', `/api/v1/admin/corps?${query}`);
      expect((await search(`q=${encodeURIComponent(tag.toLowerCase())}`)).body.items.map((c) => c.corpId)).toEqual([ids[1], ids[0]]);
      expect((await search(`q=${ids[0]}`)).body.items).toEqual([expect.objectContaining({ corpId: ids[0], suiteId, corpName: `${tag} 上海`, token: expect.any(Object) })]);
      expect((await search(`q=${encodeURIComponent(`${tag} 上海`)}&suiteId=${suiteId}&status=active&editionId=SIM_STANDARD`)).body.items.map((c) => c.corpId)).toEqual([ids[0]]);
      expect((await search(`q=${tag}&status=cancelled`)).body.items).toEqual([]);
      expect((await search(`q=${tag}&editionId=NO_SUCH_EDITION`)).body.items).toEqual([]);
      expect((await search(`q=${tag}&suiteId=wwothersuite`)).body.items).toEqual([]);
      expect((await search(`q=${tag}&installedFrom=${new Date(Date.now() + 60_000).toISOString()}`)).body.items).toEqual([]);
      expect((await search(`q=${tag}&installedTo=${new Date(Date.now() - 3_600_000).toISOString()}`)).body.items).toEqual([]);
      const first = await search(`q=${tag}&limit=1`);
      expect(first.body.items.map((c) => c.corpId)).toEqual([ids[1]]);
      const second = await search(`q=${tag}&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ items: [expect.objectContaining({ corpId: ids[0] })], nextCursor: null });
      expect(await search('cursor=notacursor')).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
      expect(await search('installedFrom=yesterday')).toMatchObject({ status: 400 });
    });
  });

  describe("a tenant's page", () => {
    type EventItem = { id: string; type: string; corpId: string | null };
    const history = async (corpId: string) =>
      (await key<Page<EventItem>>('GET', `/api/v1/admin/events?suiteId=${suiteId}&corpId=${corpId}&type=create_auth,change_auth,cancel_auth,reset_permanent_code`)).body.items;

    it('lists a link install and a market install in its install history: create_auth gets the corp its exchange named', async () => {
      const linked = await installNamed(stack.authUrl, suiteId, uniqueId('HistoryCorp'));
      expect((await history(linked)).map((e) => [e.type, e.corpId])).toEqual([['create_auth', linked]]);
      // A market install: WeCom pushes create_auth with only the AuthCode; the worker's exchange names the corp.
      const market = await simControl<{ corp_id: string; auth_code: string }>(stack.sim, 'POST', `/sim/suites/${suiteId}/installs`, { push_callback: true });
      await stack.worker.handleCreateAuth(suiteId, market.auth_code);
      expect((await history(market.corp_id)).map((e) => [e.type, e.corpId])).toEqual([['create_auth', market.corp_id]]);
      // Data callbacks do not crowd install events out of the history, and a list of types is one filter.
      await simControl(stack.sim, 'POST', `/sim/suites/${suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: linked });
      await waitFor(async () => (await history(linked)).length === 2);
      expect((await history(linked)).map((e) => e.type)).toEqual(['cancel_auth', 'create_auth']);
      expect(await key('GET', `/api/v1/admin/events?type=${'x,'.repeat(20)}x`)).toMatchObject({ status: 400 });
    });

    it("answers the corp's full name, which a v2 exchange leaves to get_auth_info", async () => {
      const name = uniqueId('FullNameCorp');
      const corpId = await installNamed(stack.authUrl, suiteId, name);
      const corp = await key<{ corpName: string; corpFullName: string | null; authCorpInfo: { corp_full_name?: string } }>('GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}`);
      expect([corp.body.corpName, corp.body.corpFullName]).toEqual([name, `${name}有限公司`]);
      expect(corp.body.authCorpInfo.corp_full_name).toBe(`${name}有限公司`);
    });
  });

  describe('token freshness and refresh now', () => {
    it("shows a tenant's tokens by kind and fetches a new access_token from WeCom on demand, never answering the token", async () => {
      const corpId = await installNamed(stack.authUrl, suiteId, uniqueId('TokenCorp'));
      const tokens = await key<{ items: { kind: string; expiresAt: string | null; updatedAt: string | null; fresh: boolean }[] }>('GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens`);
      expect(tokens.body.items.map((t) => t.kind)).toEqual(['corp', 'jsapi', 'agent']);
      const callsBefore = await simCallCount(stack.sim, suiteId, '/cgi-bin/service/get_corp_token');
      const refreshed = await key<{ items: { kind: string; expiresAt: string; updatedAt: string; fresh: boolean }[] }>('POST', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens/refresh`, {});
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.items[0]).toMatchObject({ kind: 'corp', fresh: true, expiresAt: expect.any(String) });
      expect(await simCallCount(stack.sim, suiteId, '/cgi-bin/service/get_corp_token')).toBe(callsBefore + 1);
      const stored = await stack.worker.broker.get({ kind: 'corp', suiteId, corpId });
      expect(refreshed.text).not.toContain(stored.value);
      expect(await key('POST', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens/refresh`, { kind: 'provider' })).toMatchObject({ status: 400 });
      expect(await key('GET', `/api/v1/admin/suites/${suiteId}/corps/wwnosuchcorp/tokens`)).toMatchObject({ status: 404, body: { error: 'corp_not_found' } });
      await simControl(stack.sim, 'POST', `/sim/suites/${suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: corpId });
      await stack.worker.cancel(suiteId, corpId);
      expect(await key('POST', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens/refresh`, {})).toMatchObject({ status: 404, body: { error: 'corp_cancelled' } });
      expect((await key('GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/tokens`)).status).toBe(200);
    });
  });

  describe('batch replay', () => {
    it('puts the newest matching failed events back on the queue, at most max, and says when more matched', async () => {
      const corpId = await installNamed(stack.authUrl, suiteId, uniqueId('ReplayCorp'));
      for (let i = 0; i < 3; i++) await simControl(stack.sim, 'POST', `/sim/suites/${suiteId}/data-callbacks`, { auth_corpid: corpId });
      const prisma = stack.worker.prisma.client;
      const events = await (async () => {
        for (;;) {
          const rows = await prisma.callbackEvent.findMany({ where: { suiteId, corpId, kind: 'data' }, orderBy: { id: 'desc' } });
          if (rows.length === 3) return rows;
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      await prisma.callbackEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { status: 'failed', lastError: 'boom' } });
      const res = await key<{ ids: string[]; truncated: boolean }>('POST', '/api/v1/admin/events/replay', { suiteId, corpId, max: 2 });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ ids: [String(events[0].id), String(events[1].id)], truncated: true });
      const after = await prisma.callbackEvent.findMany({ where: { id: { in: events.map((e) => e.id) } }, orderBy: { id: 'desc' } });
      expect(after.map((e) => e.status)).toEqual(['queued', 'queued', 'failed']);
      const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      for (const id of res.body.ids) expect(jobs.some((j) => j.id?.startsWith(`evt-${id}-replay-`))).toBe(true);
      expect((await key('POST', '/api/v1/admin/events/replay', { suiteId, corpId })).body).toEqual({ ids: [String(events[2].id)], truncated: false });
      expect(await key('POST', '/api/v1/admin/events/replay', { max: 5000 })).toMatchObject({ status: 400 });
    });
  });

  describe('suite setup and edits', () => {
    it('gives the exact callback URLs and install links, and edits settings without re-sending secrets', async () => {
      const setup = await key('GET', `/api/v1/admin/suites/${suiteId}/setup`);
      const auth = new URL(stack.authUrl);
      expect(setup.body).toEqual({
        commandCallbackUrl: `https://cb.vendor.example/callback/suites/${suiteId}/command`,
        dataCallbackUrl: `https://cb.vendor.example/callback/suites/${suiteId}/data`,
        redirectDomain: auth.host,
        installRedirectUrl: `${stack.authUrl}/install/${suiteId}/complete`,
        installUrl: `${stack.authUrl}/install/${suiteId}`,
        testInstallUrl: `${stack.authUrl}/install/${suiteId}?auth_type=1`,
      });
      const suites = new SuiteRepository(stack.worker.prisma, testCipher());
      const before = await suites.findCredentials(suiteId);
      // Settings the PATCH cannot name are kept too (branding, OAuth redirect origins).
      const branding = { redirectOrigins: ['https://crm.example.com'], logoUrl: 'https://crm.example.com/logo.png', description: 'Kept' };
      await stack.worker.prisma.client.suite.update({ where: { id: suiteId }, data: branding });
      const edited = await asPerson(stack.authUrl, adminSession, 'PATCH', `/api/v1/admin/suites/${suiteId}`, { body: { name: 'Renamed', defaultAuthType: 1 } });
      expect(edited.body).toMatchObject({ suiteId, name: 'Renamed', defaultAuthType: 1, hasProviderSecret: true, ...branding });
      expect(await suites.findCredentials(suiteId)).toEqual({ ...before, defaultAuthType: 1 });
      expect(await key('PATCH', `/api/v1/admin/suites/${suiteId}`, { encodingAesKey: 'short' })).toMatchObject({ status: 400 });
      expect(await key('PATCH', '/api/v1/admin/suites/wwnosuchsuite', { name: 'x' })).toMatchObject({ status: 404, body: { error: 'suite_not_found' } });
      await key('PATCH', `/api/v1/admin/suites/${suiteId}`, { defaultAuthType: 0 });
    });
  });

  describe('static console', () => {
    it('serves the single-page app under /console with gzip, long-cached hashed assets and a strict content-security policy', async () => {
      const index = await fetch(`${stack.authUrl}/console/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await index.text();
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
      const deep = await fetch(`${stack.authUrl}/console/tenants/ww1/wwcorp`);
      expect([deep.status, await deep.text()]).toEqual([200, html]);
      const asset = await fetch(`${stack.authUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
      expect((await fetch(`${stack.authUrl}/console/assets/nope.js`)).status).toBe(404);
      expect((await fetch(`${stack.authUrl}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
    });
  });
});
