import { LoginClaims, LoginTokenSigner } from '../apps/auth/src/oauth/login-token.js';
import { authEnv, loadConfig } from '@app/config';
import { startAuthApp } from '../apps/auth/src/auth.app.js';
import { AuthStack, callApi, cookiesOf, createApiKey, installThroughBrowser, simCallCount, startAuthStack } from './support/auth.js';
import { freePort } from './support/ports.js';
import { registerSuite } from './support/platform.js';
import { TEST_SECRET_KEY } from './support/env.js';

const VENDOR = 'https://app.example.com';

describe('auth app: third-party member login (OAuth)', () => {
  let stack: AuthStack;
  let suiteId: string;
  let corpId: string;
  let suiteKey: string;

  beforeAll(async () => {
    stack = await startAuthStack({ OAUTH_REDIRECT_ORIGINS: VENDOR, OAUTH_RESULT_TTL_SECONDS: '120' });
    suiteId = stack.suite.suiteId;
    corpId = (await installThroughBrowser(stack)).corpId;
    suiteKey = await createApiKey([`suite:${suiteId}`]);
  });

  afterAll(() => stack.close());

  /**
   * The browser: our authorize → WeCom's OAuth page (as `userIndex` of the corp) → our callback URL; `cookie` is what
   * this browser keeps from our authorize answer.
   */
  async function loginUpTo(query: string, userIndex = 0, corp = corpId): Promise<{ authorizeLocation: URL; callbackUrl: string; cookie: string }> {
    const start = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize?${query}`, { redirect: 'manual' });
    if (start.status !== 302) throw new Error(`authorize answered ${start.status}: ${await start.text()}`);
    const authorizeLocation = new URL(start.headers.get('location')!);
    const page = new URL(authorizeLocation);
    page.hash = '';
    page.searchParams.set('sim_corp_id', corp);
    page.searchParams.set('sim_user_id', stack.sim.state.corps.get(corp)!.users[userIndex].userid);
    const back = await fetch(page, { redirect: 'manual' });
    if (back.status !== 302) throw new Error(`OAuth page answered ${back.status}: ${await back.text()}`);
    return { authorizeLocation, callbackUrl: back.headers.get('location')!, cookie: cookiesOf(start) };
  }
  /** The browser following WeCom's redirect back to our callback. */
  const returnWith = (login: { callbackUrl: string; cookie: string }) =>
    callApi<{ token: string; user: LoginClaims }>(stack.authUrl, 'GET', login.callbackUrl.slice(stack.authUrl.length), { headers: { cookie: login.cookie } });
  const simUser = (index: number) => stack.sim.state.corps.get(corpId)!.users[index];
  const audienceOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as { aud?: string }).aud;
  const verify = (token: string, key = suiteKey, suite = suiteId, audience = audienceOf(token) ?? VENDOR) =>
    callApi<LoginClaims & { error?: string }>(stack.authUrl, 'POST', `/api/v1/suites/${suite}/login-tokens/verify`, { key, body: { token, audience } });

  it("links to WeCom's OAuth page with the parameters in WeCom's order and a single-use state", async () => {
    const res = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize?scope=snsapi_privateinfo`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${stack.sim.url}/connect/oauth2/authorize`);
    expect(location.hash).toBe('#wechat_redirect');
    expect([...location.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      appid: suiteId,
      redirect_uri: `${stack.authUrl}/oauth/${suiteId}/callback`,
      response_type: 'code',
      scope: 'snsapi_privateinfo',
      state: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    });
  });

  it('logs a member in with snsapi_privateinfo and hands the caller a signed result it verifies once', async () => {
    const { callbackUrl, cookie } = await loginUpTo(`redirect=${encodeURIComponent(`${VENDOR}/login/done?next=/home`)}&scope=snsapi_privateinfo`);
    const back = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
    expect(back.status).toBe(302);
    const landing = new URL(back.headers.get('location')!);
    expect(`${landing.origin}${landing.pathname}`).toBe(`${VENDOR}/login/done`);
    expect(landing.searchParams.get('next')).toBe('/home');
    const token = landing.searchParams.get('wecom_login')!;
    expect(token).toMatch(/^v1\.[\w-]+\.[\w-]+$/);

    const verified = await verify(token);
    expect(verified.status).toBe(200);
    const admin = simUser(0);
    expect(verified.body).toEqual({
      suiteId,
      scope: 'snsapi_privateinfo',
      member: true,
      corpId,
      userId: admin.userid,
      openUserId: expect.any(String),
      gender: admin.gender,
      avatar: expect.stringMatching(/^https?:/),
      aud: VENDOR,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    });
    expect(verified.body.exp - verified.body.iat).toBe(120);
    // getuserdetail3rd gives no name to third-party apps; its contact details stay out of a URL-borne token.
    expect(JSON.stringify(verified.body)).not.toContain(admin.mobile);
    expect(JSON.stringify(verified.body)).not.toContain(admin.email);

    const again = await verify(token);
    expect(again).toMatchObject({ status: 409, body: { error: 'login_token_used' } });
    // The browser's cookie was cleared by the callback; a copy of it still meets WeCom's single-use code.
    expect(back.headers.getSetCookie().join()).toMatch(new RegExp(`wecom_oauth_${suiteId}=;.*Expires=Thu, 01 Jan 1970`));
    const replayed = await callApi(stack.authUrl, 'GET', callbackUrl.slice(stack.authUrl.length));
    expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_oauth_state' } });
    const withOldCookie = await callApi(stack.authUrl, 'GET', callbackUrl.slice(stack.authUrl.length), { headers: { cookie } });
    expect(withOldCookie).toMatchObject({ status: 400, body: { error: 'invalid_oauth_code' } });
  });

  it('answers JSON when there is no redirect; snsapi_base says who, not their details', async () => {
    const res = await returnWith(await loginUpTo('scope=snsapi_base', 1));
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ suiteId, scope: 'snsapi_base', member: true, corpId, userId: simUser(1).userid });
    expect(res.body.user.gender).toBeUndefined();
    expect(res.body.user.aud).toBe(stack.authUrl);
    expect((await verify(res.body.token)).body).toEqual(res.body.user);
  });

  it('sends results only to allowed origins, and names bad parameters', async () => {
    const evil = await callApi(stack.authUrl, 'GET', `/oauth/${suiteId}/authorize?redirect=${encodeURIComponent('https://evil.example/steal')}`);
    expect(evil).toMatchObject({ status: 400, body: { error: 'redirect_not_allowed' } });
    const own = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize?redirect=${encodeURIComponent(`${stack.authUrl}/welcome`)}`, { redirect: 'manual' });
    expect(own.status).toBe(302);
    const notHttp = await callApi(stack.authUrl, 'GET', `/oauth/${suiteId}/authorize?redirect=${encodeURIComponent('javascript:alert(1)')}&scope=snsapi_userinfo`);
    expect(notHttp.status).toBe(400);
    expect(notHttp.body.message).toEqual(expect.arrayContaining([expect.stringContaining('redirect'), expect.stringContaining('scope')]));
    const unknown = await callApi(stack.authUrl, 'GET', '/oauth/wwnosuchsuite/authorize');
    expect(unknown).toMatchObject({ status: 404, body: { error: 'suite_not_found' } });
  });

  it('refuses a forged state and a code WeCom does not know', async () => {
    const forged = await callApi(stack.authUrl, 'GET', `/oauth/${suiteId}/callback?code=abc&state=${'A'.repeat(32)}`);
    expect(forged).toMatchObject({ status: 400, body: { error: 'invalid_oauth_state' } });
    const start = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const badCode = await callApi(stack.authUrl, 'GET', `/oauth/${suiteId}/callback?code=not-a-code&state=${state}`, { headers: { cookie: cookiesOf(start) } });
    expect(badCode).toMatchObject({ status: 400, body: { error: 'invalid_oauth_code' } });
    expect(badCode.text).not.toContain('not-a-code');
  });

  it('refuses tampered, expired and other-suite login tokens', async () => {
    const { body } = await returnWith(await loginUpTo('scope=snsapi_base'));
    const [v, payload, sig] = body.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as LoginClaims;
    const tampered = [v, Buffer.from(JSON.stringify({ ...claims, userId: 'someone-else' })).toString('base64url'), sig].join('.');
    expect(await verify(tampered)).toMatchObject({ status: 400, body: { error: 'invalid_login_token' } });

    const signer = new LoginTokenSigner(TEST_SECRET_KEY);
    const expired = signer.sign({ ...claims, jti: 'expired-1', iat: claims.iat - 600, exp: claims.iat - 300 });
    expect(await verify(expired)).toMatchObject({ status: 400, body: { error: 'login_token_expired' } });

    const other = await registerSuite(stack.sim, null);
    expect(await verify(body.token, stack.adminKey, other.suiteId)).toMatchObject({ status: 400, body: { error: 'invalid_login_token' } });
    expect(await verify(body.token, suiteKey, other.suiteId)).toMatchObject({ status: 403 });
    expect((await verify(body.token)).status).toBe(200);
  });

  it('refuses a login returned to a browser that did not start it (login CSRF), before asking WeCom', async () => {
    // The attacker logs in as themselves up to WeCom's redirect and hands the victim the callback link.
    const attacker = await loginUpTo(`redirect=${encodeURIComponent(`${VENDOR}/done`)}`, 0);
    const victimOwn = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize`, { redirect: 'manual' });
    const userInfoCalls = () => simCallCount(stack.sim, suiteId, '/cgi-bin/service/auth/getuserinfo3rd');
    const before = await userInfoCalls();
    for (const cookie of [undefined, cookiesOf(victimOwn), attacker.cookie.replace(/\.[^.;]+$/, '.forged')]) {
      const res = await callApi(stack.authUrl, 'GET', attacker.callbackUrl.slice(stack.authUrl.length), { headers: cookie ? { cookie } : {} });
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid_oauth_state' } });
    }
    expect(await userInfoCalls()).toBe(before);
    const own = await fetch(attacker.callbackUrl, { redirect: 'manual', headers: { cookie: attacker.cookie } });
    expect(own.status).toBe(302);
  });

  it('writes nothing into Redis for anonymous authorize requests', async () => {
    // Compare key sets, not counts: the worker's own keys (locks, finished jobs) may expire meanwhile.
    const keys = () => stack.worker.redis.keys(`${stack.env.REDIS_PREFIX}:*`);
    const before = new Set(await keys());
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize?scope=snsapi_privateinfo`, { redirect: 'manual' });
      expect(res.status).toBe(302);
    }
    expect((await keys()).filter((key) => !before.has(key))).toEqual([]);
  });

  it('marks a user as a member only while their corp is an active tenant of the suite', async () => {
    const { corpId: leaving } = await installThroughBrowser(stack);
    const active = await returnWith(await loginUpTo('scope=snsapi_base', 0, leaving));
    expect(active.body.user).toMatchObject({ member: true, corpId: leaving });
    // The platform has handled a cancel_auth; WeCom still signs the corp's members in to the app's page.
    expect(await stack.worker.cancel(suiteId, leaving)).toBe(true);
    const after = await returnWith(await loginUpTo('scope=snsapi_base', 0, leaving));
    expect(after.status).toBe(200);
    expect(after.body.user).toMatchObject({ member: false, corpId: leaving });
    expect(after.body.user.userId).toBeUndefined();
  });

  it('verifies a login token only for the audience it was handed to', async () => {
    const res = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize?redirect=${encodeURIComponent(`${VENDOR}/done`)}`, { redirect: 'manual' });
    const page = new URL(res.headers.get('location')!);
    page.hash = '';
    page.searchParams.set('sim_corp_id', corpId);
    const back = await fetch(page, { redirect: 'manual' });
    const done = await fetch(back.headers.get('location')!, { redirect: 'manual', headers: { cookie: cookiesOf(res) } });
    const token = new URL(done.headers.get('location')!).searchParams.get('wecom_login')!;
    expect(await verify(token, suiteKey, suiteId, 'https://other-app.example.com')).toMatchObject({ status: 400, body: { error: 'invalid_login_token' } });
    expect(await verify(token, suiteKey, suiteId, stack.authUrl)).toMatchObject({ status: 400, body: { error: 'invalid_login_token' } });
    expect(await verify(token, suiteKey, suiteId, `${VENDOR}/any/path`)).toMatchObject({ status: 200, body: { aud: VENDOR } });
  });

  it("sends a suite's results to its own redirect origins, never to another suite's", async () => {
    const other = await registerSuite(stack.sim, null);
    const registered = await callApi(stack.authUrl, 'POST', '/api/v1/admin/suites', {
      key: stack.adminKey,
      body: { suiteId: other.suiteId, secret: other.secret, token: other.token, encodingAesKey: other.aesKey, redirectOrigins: ['https://only-other.example'] },
    });
    expect(registered.status).toBe(201);
    const target = encodeURIComponent('https://only-other.example/done');
    expect((await fetch(`${stack.authUrl}/oauth/${other.suiteId}/authorize?redirect=${target}`, { redirect: 'manual' })).status).toBe(302);
    const elsewhere = await callApi(stack.authUrl, 'GET', `/oauth/${suiteId}/authorize?redirect=${target}`);
    expect(elsewhere).toMatchObject({ status: 400, body: { error: 'redirect_not_allowed' } });
  });

  it('over https (production): refuses plain-http redirects and marks its cookies Secure', async () => {
    const port = await freePort();
    // Behind a TLS-terminating proxy: the platform's public address is https, the app itself listens on plain HTTP.
    const config = loadConfig(authEnv, { ...stack.env, AUTH_PORT: String(port), PUBLIC_BASE_URL: `https://127.0.0.1:${port}`, OAUTH_REDIRECT_ORIGINS: `${VENDOR},http://plain.example.com` });
    const app = await startAuthApp(config);
    try {
      const local = `http://127.0.0.1:${port}`;
      const plain = await callApi(local, 'GET', `/oauth/${suiteId}/authorize?redirect=${encodeURIComponent('http://plain.example.com/done')}`);
      expect(plain).toMatchObject({ status: 400, body: { error: 'redirect_not_allowed', message: 'redirect must use https' } });
      const secure = await fetch(`${local}/oauth/${suiteId}/authorize?redirect=${encodeURIComponent(`${VENDOR}/done`)}`, { redirect: 'manual' });
      expect(secure.status).toBe(302);
      expect(secure.headers.getSetCookie()[0]).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
    } finally {
      await app.close();
    }
  });
});
