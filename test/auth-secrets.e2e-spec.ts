import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { corpSubject } from '../apps/wecom-sim/src/core/token-store.js';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { approveInstall, callApi, cookiesOf, createApiKey, pushTicket, spawnAuthApp, SpawnedAuthApp, WorkerStandIn } from './support/auth.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { randomAesKey, SuiteFixture } from './support/wecom-sender.js';

const VENDOR = 'https://app.example.com';

/**
 * The auth app as deployed (main.js in its own process, LOG_LEVEL=debug) runs every flow; then neither its
 * log lines nor its answers may hold a permanent code, a secret, a token or a one-time code.
 */
describe('auth app: secrets stay out of logs and answers', () => {
  let sim: Simulator;
  let callback: NestFastifyApplication;
  let auth: SpawnedAuthApp;
  let worker: WorkerStandIn;
  let suite: SuiteFixture;

  /** Values that must appear in no log line and no collected answer, with what each one is. */
  const secrets = new Map<string, string>();
  const remember = (value: string | null | undefined, what: string) => {
    if (!value) throw new Error(`no ${what} to look for`);
    secrets.set(value, what);
  };
  /** Every answer (body, and Location for redirects), except the few whose job is to hand a secret to its owner. */
  const answers: { what: string; text: string }[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    const env = testEnv(sim.url, { OAUTH_REDIRECT_ORIGINS: VENDOR });
    callback = (await startTestCallbackApp(env)).app;
    suite = await registerSuite(sim, (await callback.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1'));
    await pushTicket(sim, suite.suiteId);
    worker = await WorkerStandIn.start(sim.url, env.REDIS_PREFIX);
    auth = await spawnAuthApp({ ...env, LOG_LEVEL: 'debug' });
  });

  afterAll(async () => {
    await auth?.stop();
    await worker?.close();
    await callback?.close();
    await sim?.close();
  });

  async function call<T = Record<string, unknown>>(what: string, method: string, path: string, options: { key?: string; body?: unknown; handsOver?: boolean } = {}) {
    const res = await callApi<T>(auth.url, method, path, options);
    if (!options.handsOver) answers.push({ what, text: res.text });
    return res;
  }

  async function browse(what: string, url: string, cookie?: string): Promise<Response> {
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    answers.push({ what, text: `${res.headers.get('location') ?? ''}\n${await res.clone().text()}` });
    return res;
  }

  it('runs install, tokens, JS-SDK, login and every admin route, then finds no secret in any log line or answer', async () => {
    const suiteId = suite.suiteId;
    const adminKey = await createApiKey(['admin']);
    remember(adminKey, 'admin API key');
    remember(suite.secret, 'suite_secret');
    remember(suite.aesKey, 'EncodingAESKey');
    remember(`provider-secret-${suiteId}`, 'provider_secret');
    remember((await simControl<{ latest_ticket: string }>(sim, 'GET', `/sim/suites/${suiteId}`)).latest_ticket, 'suite_ticket');

    // Install through the browser (a link install: WeCom pushes no create_auth for it).
    const start = await fetch(`${auth.url}/install/${suiteId}/start`, { method: 'POST', redirect: 'manual', headers: { origin: auth.url } });
    remember(new URL(start.headers.get('location')!).searchParams.get('pre_auth_code'), 'pre_auth_code');
    const approved = await approveInstall(auth.url, suiteId);
    remember(approved.authCode, 'auth_code');
    const done = await browse('install completion', approved.completeUrl, approved.cookie);
    expect(done.status).toBe(200);
    const corpId = ((await done.json()) as { corpId: string }).corpId;
    remember(sim.state.authorization(suiteId, corpId)!.permanentCode, 'permanent_code');
    expect((await browse('repeated completion', approved.completeUrl, approved.cookie)).status).toBe(200);

    // Keys and tokens: these answers hand over a secret, so only the logs are checked for them.
    const created = await call<{ id: string; key: string }>('create key', 'POST', '/api/v1/admin/api-keys', { key: adminKey, body: { name: 'svc', scopes: [`suite:${suiteId}`] }, handsOver: true });
    const suiteKey = created.body.key;
    remember(suiteKey, 'suite API key');
    const tokenPath = `/api/v1/suites/${suiteId}/corps/${corpId}/access-token`;
    const first = await call<{ access_token: string }>('corp token', 'GET', tokenPath, { key: suiteKey, handsOver: true });
    remember(first.body.access_token, 'corp access_token');
    const suiteToken = await call<{ access_token: string }>('suite token', 'GET', `/api/v1/suites/${suiteId}/access-token`, { key: suiteKey, handsOver: true });
    remember(suiteToken.body.access_token, 'suite_access_token');
    await simControl(sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: suiteId, corp_id: corpId });
    await call('invalidate', 'POST', `${tokenPath}/invalidate`, { key: suiteKey, body: { access_token: first.body.access_token } });
    const second = await call<{ access_token: string }>('corp token again', 'GET', tokenPath, { key: suiteKey, handsOver: true });
    remember(second.body.access_token, 'corp access_token');
    expect(second.body.access_token).not.toBe(first.body.access_token);

    const signed = await call('jssdk', 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/jssdk-signatures`, { key: suiteKey, body: { url: `${VENDOR}/page` } });
    expect(signed.status).toBe(200);
    for (const kind of ['jsapi', 'agent'] as const) {
      remember(sim.state.tokens.currentFor(kind, corpSubject(suiteId, corpId), sim.clock.now())?.token, `${kind} ticket`);
    }

    // Member login; the login token is a bearer credential too.
    const authorize = await fetch(`${auth.url}/oauth/${suiteId}/authorize?scope=snsapi_privateinfo&redirect=${encodeURIComponent(`${VENDOR}/done`)}`, { redirect: 'manual' });
    const oauthPage = new URL(authorize.headers.get('location')!);
    oauthPage.hash = '';
    const back = await fetch(oauthPage, { redirect: 'manual' });
    remember(new URL(back.headers.get('location')!).searchParams.get('code'), 'oauth code');
    const landed = await fetch(back.headers.get('location')!, { redirect: 'manual', headers: { cookie: cookiesOf(authorize) } });
    const loginToken = new URL(landed.headers.get('location')!).searchParams.get('wecom_login')!;
    remember(loginToken, 'login token');
    const verified = await call('verify login', 'POST', `/api/v1/suites/${suiteId}/login-tokens/verify`, { key: suiteKey, body: { token: loginToken, audience: VENDOR } });
    expect(verified.status).toBe(200);

    // Every admin route.
    const other = { suiteId: `wwlog${Date.now()}`, secret: 'registered-secret-7f3a', token: 'cbtoken', encodingAesKey: randomAesKey(), providerCorpId: 'wwprov9', providerSecret: 'registered-provider-secret-9c1e' };
    remember(other.secret, 'registered suite_secret');
    remember(other.encodingAesKey, 'registered EncodingAESKey');
    remember(other.providerSecret, 'registered provider_secret');
    expect((await call('register suite', 'POST', '/api/v1/admin/suites', { key: adminKey, body: other })).status).toBe(201);
    // A market install: WeCom pushes create_auth, whose AuthCode the admin API must redact.
    const market = await simControl<{ auth_code: string }>(sim, 'POST', `/sim/suites/${suiteId}/installs`, { push_callback: true });
    remember(market.auth_code, 'auth_code (market install)');
    await worker.handleCreateAuth(suiteId, market.auth_code);
    const event = await worker.prisma.client.callbackEvent.findFirstOrThrow({ where: { suiteId, type: 'create_auth' } });
    await call('list keys', 'GET', '/api/v1/admin/api-keys', { key: adminKey });
    for (const [what, method, path] of [
      ['list suites', 'GET', '/api/v1/admin/suites'],
      ['show suite', 'GET', `/api/v1/admin/suites/${suiteId}`],
      ['list corps', 'GET', `/api/v1/admin/suites/${suiteId}/corps`],
      ['show corp', 'GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}`],
      ['list events', 'GET', `/api/v1/admin/events?suiteId=${suiteId}`],
      ['show event', 'GET', `/api/v1/admin/events/${event.id}`],
      ['replay event', 'POST', `/api/v1/admin/events/${event.id}/replay`],
      ['revoke key', 'DELETE', `/api/v1/admin/api-keys/${created.body.id}`],
    ] as const) {
      const { status } = await call(what, method, path, { key: adminKey });
      expect({ what, ok: status >= 200 && status < 300 }).toEqual({ what, ok: true });
    }
    await call('bad key', 'GET', tokenPath, { key: 'wik_guessedguessedguessed' });

    // Give the process a moment to flush its last lines.
    await new Promise((r) => setTimeout(r, 200));
    const lines = auth.lines();
    const messages = lines.join('\n');
    for (const expected of ['install started', 'install completed', 'corp authorized', 'oauth login', 'api key created', 'suite registered', 'event replayed']) {
      expect(messages).toContain(expected);
    }
    expect(lines.some((l) => l.includes('"level":"debug"') || l.includes('"level":"log"'))).toBe(true);

    expect(secrets.size).toBeGreaterThanOrEqual(18);
    const leaks: string[] = [];
    for (const [value, what] of secrets) {
      for (const line of lines) if (line.includes(value)) leaks.push(`log line holds the ${what}: ${line.slice(0, 200)}`);
      for (const answer of answers) if (answer.text.includes(value)) leaks.push(`answer "${answer.what}" holds the ${what}`);
    }
    expect(leaks).toEqual([]);
    expect(answers.length).toBeGreaterThan(15);
  });
});
