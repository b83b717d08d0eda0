import { LoginClaims, LoginTokenSigner } from '../apps/auth/src/oauth/login-token.js';
import { AuthStack, callApi, createApiKey, installThroughBrowser, startAuthStack } from './support/auth.js';
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

  /** The browser: our authorize → WeCom's OAuth page (as `userIndex` of the corp) → our callback URL. */
  async function loginUpTo(query: string, userIndex = 0): Promise<{ authorizeLocation: URL; callbackUrl: string }> {
    const start = await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize?${query}`, { redirect: 'manual' });
    if (start.status !== 302) throw new Error(`authorize answered ${start.status}: ${await start.text()}`);
    const authorizeLocation = new URL(start.headers.get('location')!);
    const page = new URL(authorizeLocation);
    page.hash = '';
    page.searchParams.set('sim_corp_id', corpId);
    page.searchParams.set('sim_user_id', simUser(userIndex).userid);
    const back = await fetch(page, { redirect: 'manual' });
    if (back.status !== 302) throw new Error(`OAuth page answered ${back.status}: ${await back.text()}`);
    return { authorizeLocation, callbackUrl: back.headers.get('location')! };
  }
  const simUser = (index: number) => stack.sim.state.corps.get(corpId)!.users[index];
  const verify = (token: string, key = suiteKey, suite = suiteId) =>
    callApi<LoginClaims & { error?: string }>(stack.authUrl, 'POST', `/api/v1/suites/${suite}/login-tokens/verify`, { key, body: { token } });

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
    const { callbackUrl } = await loginUpTo(`redirect=${encodeURIComponent(`${VENDOR}/login/done?next=/home`)}&scope=snsapi_privateinfo`);
    const back = await fetch(callbackUrl, { redirect: 'manual' });
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
    const replayed = await callApi(stack.authUrl, 'GET', callbackUrl.slice(stack.authUrl.length));
    expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_oauth_state' } });
  });

  it('answers JSON when there is no redirect; snsapi_base says who, not their details', async () => {
    const { callbackUrl } = await loginUpTo('scope=snsapi_base', 1);
    const res = await callApi<{ token: string; user: LoginClaims }>(stack.authUrl, 'GET', callbackUrl.slice(stack.authUrl.length));
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ suiteId, scope: 'snsapi_base', member: true, corpId, userId: simUser(1).userid });
    expect(res.body.user.gender).toBeUndefined();
    expect(res.body.user.aud).toBeUndefined();
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
    const badCode = await callApi(stack.authUrl, 'GET', `/oauth/${suiteId}/callback?code=not-a-code&state=${state}`);
    expect(badCode).toMatchObject({ status: 400, body: { error: 'invalid_oauth_code' } });
    expect(badCode.text).not.toContain('not-a-code');
  });

  it('refuses tampered, expired and other-suite login tokens', async () => {
    const { callbackUrl } = await loginUpTo('scope=snsapi_base');
    const { body } = await callApi<{ token: string }>(stack.authUrl, 'GET', callbackUrl.slice(stack.authUrl.length));
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
});
