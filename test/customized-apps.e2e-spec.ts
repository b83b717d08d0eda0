import { randomBytes } from 'node:crypto';
import { AuthCorpRepository, CallbackEventRepository } from '@app/store';
import { AuthStack, callApi, createApiKey, pushTicket, simCallCount, startAuthStack, waitFor } from './support/auth.js';
import { simControl } from './support/platform.js';
import { testCipher } from './support/store.js';
import { randomAesKey } from './support/wecom-sender.js';

const CORP_TOKEN_PATH = '/cgi-bin/service/get_corp_token';
const GETTOKEN_PATH = '/cgi-bin/gettoken';
const V1_EXCHANGE = '/cgi-bin/service/get_permanent_code';
const V2_EXCHANGE = '/cgi-bin/service/v2/get_permanent_code';
const AUTH_INFO = '/cgi-bin/service/get_auth_info';

interface TokenBody {
  access_token: string;
  expires_at: string;
}

/**
 * 代开发 (customized app) templates and the provider's own login (issue 13), against the simulator behaving as WeCom
 * documents: a template's corp token comes from gettoken with the permanent code as secret (get_corp_token answers
 * 40084 for it), authorization links carry a state, and provider web login ends in a signed login token.
 */
describe('代开发 templates, v2 exchange and provider login', () => {
  let stack: AuthStack;
  const providerCorpId = `wwprov${randomBytes(6).toString('hex')}`;
  const templateId = `dk${randomBytes(8).toString('hex')}`;
  const templateToken = randomBytes(8).toString('hex');
  const templateAesKey = randomAesKey();
  let corpId: string;

  const admin = <T>(method: string, path: string, body?: unknown) => callApi<T>(stack.authUrl, method, path, { key: stack.adminKey, body });
  const corpToken = (corp = corpId) => callApi<TokenBody & { error?: string }>(stack.authUrl, 'GET', `/api/v1/suites/${templateId}/corps/${corp}/access-token`, { key: stack.adminKey });
  const calls = (path: string) => simCallCount(stack.sim, templateId, path);
  const corps = () => new AuthCorpRepository(stack.worker.prisma, testCipher());

  beforeAll(async () => {
    stack = await startAuthStack();
    await simControl(stack.sim, 'POST', '/sim/providers', { provider_corpid: providerCorpId, provider_secret: 'prov-secret' });
    await admin('POST', '/api/v1/admin/providers', { providerCorpId, providerSecret: 'prov-secret' });
    const secret = randomBytes(16).toString('hex');
    const registered = await admin('POST', '/api/v1/admin/suites', { suiteId: templateId, secret, token: templateToken, encodingAesKey: templateAesKey, providerCorpId });
    if (registered.status !== 201) throw new Error(`template not registered: ${registered.text}`);
    await simControl(stack.sim, 'POST', '/sim/suites', {
      suite_id: templateId,
      suite_secret: secret,
      token: templateToken,
      encoding_aes_key: templateAesKey,
      provider_corpid: providerCorpId,
      provider_secret: 'prov-secret',
      install_domain: '127.0.0.1',
      command_callback_url: `${stack.callbackUrl}/callback/suites/${templateId}/command`,
      data_callback_url: `${stack.callbackUrl}/callback/suites/${templateId}/data`,
    });
    await pushTicket(stack.sim, templateId);
  });

  afterAll(() => stack.close());

  it('installs a template through create_auth: v2 exchange + get_auth_info, an active tenant, its token from gettoken only', async () => {
    const install = await simControl<{ corp_id: string; auth_code: string; agentid: number }>(stack.sim, 'POST', `/sim/suites/${templateId}/installs`, { push_callback: true });
    corpId = install.corp_id;
    const { corp } = await stack.worker.handleCreateAuth(templateId, install.auth_code);
    expect(corp).toMatchObject({ corpId, status: 'active', agentId: install.agentid });
    expect(await calls(V2_EXCHANGE)).toBe(1);
    expect(await calls(V1_EXCHANGE)).toBe(0);
    expect(await calls(AUTH_INFO)).toBe(1);
    const stored = await stack.worker.prisma.client.authCorp.findUniqueOrThrow({ where: { suiteId_corpId: { suiteId: templateId, corpId } } });
    expect(stored.authInfo).toMatchObject({ agent: [{ agentid: install.agentid, is_customized_app: true }] });

    const token = await corpToken();
    expect(token.status).toBe(200);
    expect(new Date(token.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    // WeCom accepts it as the corp's token.
    const agent = await fetch(`${stack.sim.url}/cgi-bin/agent/get?access_token=${encodeURIComponent(token.body.access_token)}&agentid=${install.agentid}`);
    expect(((await agent.json()) as { errcode: number }).errcode).toBe(0);
    expect(await calls(GETTOKEN_PATH)).toBe(1);
    expect(await calls(CORP_TOKEN_PATH)).toBe(0);
  });

  it('the simulator refuses get_corp_token for a template corp with 40084, as WeCom does', async () => {
    const suiteToken = await callApi<TokenBody>(stack.authUrl, 'GET', `/api/v1/suites/${templateId}/access-token`, { key: stack.adminKey });
    const permanentCode = (await corps().getPermanentCode(templateId, corpId))!;
    const res = await fetch(`${stack.sim.url}${CORP_TOKEN_PATH}?suite_access_token=${encodeURIComponent(suiteToken.body.access_token)}`, {
      method: 'POST',
      body: JSON.stringify({ auth_corpid: corpId, permanent_code: permanentCode }),
    });
    expect(((await res.json()) as { errcode: number }).errcode).toBe(40084);
  });

  it('a refused app secret is not "suspend" while get_auth_info still recognises the authorization', async () => {
    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: templateId, corp_id: corpId });
    await stack.worker.broker.invalidate({ kind: 'corp', suiteId: templateId, corpId });
    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: 40001, count: 1, paths: [GETTOKEN_PATH] });
    const refused = await corpToken();
    expect(refused.status).toBe(502);
    expect(refused.body.error).toBe('wecom_error');
    expect((await corps().find(templateId, corpId))?.status).toBe('active');
    const again = await corpToken();
    expect(again.status).toBe(200);
  });

  it('suspends the corp when get_auth_info refuses the permanent code too (the secret was reset elsewhere)', async () => {
    // WeCom resets the app secret; the platform has not processed reset_permanent_code (its code is the old one).
    await simControl(stack.sim, 'POST', `/sim/suites/${templateId}/events`, { info_type: 'reset_permanent_code', auth_corpid: corpId });
    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: templateId, corp_id: corpId });
    await stack.worker.broker.invalidate({ kind: 'corp', suiteId: templateId, corpId });
    const res = await corpToken();
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('corp_suspended');
    expect((await corps().find(templateId, corpId))?.status).toBe('suspended');
    // The platform never asked get_corp_token: the one call is the probe of the test above.
    expect(await calls(CORP_TOKEN_PATH)).toBe(1);
  });

  it('hands out a 代开发 authorization link whose state ends on the tenant', async () => {
    const link = await admin<{ url: string; expiresIn: number }>('POST', `/api/v1/admin/providers/${providerCorpId}/customized-auth-url`, { templateIds: [templateId], state: 'promo2026' });
    expect(link.status).toBe(201);
    expect(link.body.expiresIn).toBeGreaterThan(0);
    const bad = await admin('POST', `/api/v1/admin/providers/${providerCorpId}/customized-auth-url`, { templateIds: [templateId], state: 'x'.repeat(33) });
    expect(bad.status).toBe(400);
    const foreign = await admin<{ error: string }>('POST', `/api/v1/admin/providers/${providerCorpId}/customized-auth-url`, { templateIds: [stack.suite.suiteId] });
    expect(foreign.body.error).toBe('suite_not_found');
    // A corp admin opens the link and authorizes: create_auth carries State.
    const approved = await fetch(link.body.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { corpId: installed, authCode } = (await approved.json()) as { corpId: string; authCode: string };
    const { corp } = await stack.worker.handleCreateAuth(templateId, authCode);
    expect(corp).toMatchObject({ corpId: installed, status: 'active', installState: 'promo2026' });
    expect((await corpToken(installed)).status).toBe(200);
  });

  it('round-trips a provider web login to a signed login token, verified once', async () => {
    const started = await fetch(`${stack.authUrl}/login/${providerCorpId}?redirect=${encodeURIComponent(`${stack.authUrl}/welcome`)}`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const wecomPage = new URL(started.headers.get('location')!);
    expect(wecomPage.pathname).toBe('/wwopen/sso/3rd_qrConnect');
    expect(wecomPage.searchParams.get('appid')).toBe(providerCorpId);
    const cookie = started.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    wecomPage.searchParams.set('sim_corp_id', corpId);
    const back = await fetch(wecomPage, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const callbackUrl = back.headers.get('location')!;
    // Another browser (no cookie) cannot use it.
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(400);
    const done = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
    expect(done.status).toBe(302);
    const landed = new URL(done.headers.get('location')!);
    expect(landed.pathname).toBe('/welcome');
    const token = landed.searchParams.get('wecom_login')!;
    const key = await createApiKey([`provider:${providerCorpId}`]);
    const verify = (k: string) => callApi<Record<string, unknown>>(stack.authUrl, 'POST', `/api/v1/providers/${providerCorpId}/login-tokens/verify`, { key: k, body: { token, audience: stack.authUrl } });
    const verified = await verify(key);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ kind: 'provider_login', providerCorpId, userType: 'admin', wecomUserType: 1, corpId, userId: expect.any(String) });
    expect((await verify(key)).body).toMatchObject({ error: 'login_token_used' });
    // A provider-login token is no member-login token.
    const asSuite = await callApi<{ error: string }>(stack.authUrl, 'POST', `/api/v1/suites/${templateId}/login-tokens/verify`, { key: stack.adminKey, body: { token, audience: stack.authUrl } });
    expect(asSuite.body.error).toBe('invalid_login_token');
  });
});

describe('代开发 member login through the corp\'s own OAuth', () => {
  let stack: AuthStack;
  const templateId = `dk${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    stack = await startAuthStack();
    const secret = randomBytes(16).toString('hex');
    const token = randomBytes(8).toString('hex');
    const aesKey = randomAesKey();
    await callApi(stack.authUrl, 'POST', '/api/v1/admin/suites', { key: stack.adminKey, body: { suiteId: templateId, secret, token, encodingAesKey: aesKey } });
    await simControl(stack.sim, 'POST', '/sim/suites', {
      suite_id: templateId,
      suite_secret: secret,
      token,
      encoding_aes_key: aesKey,
      command_callback_url: `${stack.callbackUrl}/callback/suites/${templateId}/command`,
    });
    await pushTicket(stack.sim, templateId);
  });

  afterAll(() => stack.close());

  it('picks auth/getuserinfo with the corp token (never getuserinfo3rd) and signs a member login', async () => {
    const install = await simControl<{ corp_id: string; auth_code: string; agentid: number; admin_userid: string }>(stack.sim, 'POST', `/sim/suites/${templateId}/installs`, { push_callback: true });
    await stack.worker.handleCreateAuth(templateId, install.auth_code);
    expect((await fetch(`${stack.authUrl}/oauth/${templateId}/authorize`, { redirect: 'manual' })).status).toBe(404);
    const started = await fetch(`${stack.authUrl}/oauth/${templateId}/authorize?corpId=${install.corp_id}`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const wecomPage = new URL(started.headers.get('location')!);
    expect(wecomPage.searchParams.get('appid')).toBe(install.corp_id);
    expect(wecomPage.searchParams.get('agentid')).toBe(String(install.agentid));
    const cookie = started.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const back = await fetch(wecomPage, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const done = await fetch(back.headers.get('location')!, { headers: { cookie } });
    expect(done.status).toBe(200);
    const body = (await done.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ suiteId: templateId, member: true, corpId: install.corp_id, userId: install.admin_userid });
    expect(await simCallCount(stack.sim, templateId, '/cgi-bin/service/auth/getuserinfo3rd')).toBe(0);
  });

  it('checks a corp\'s data callbacks with its own keys when a corp-level override is set', async () => {
    const install = await simControl<{ corp_id: string; auth_code: string }>(stack.sim, 'POST', `/sim/suites/${templateId}/installs`, { push_callback: true });
    await stack.worker.handleCreateAuth(templateId, install.auth_code);
    await simControl(stack.sim, 'POST', '/sim/suites', {
      suite_id: templateId,
      suite_secret: (stack.sim.state.suite(templateId)!).suiteSecret,
      token: stack.sim.state.suite(templateId)!.token,
      encoding_aes_key: stack.sim.state.suite(templateId)!.encodingAesKey,
      command_callback_url: `${stack.callbackUrl}/callback/suites/${templateId}/command`,
      data_callback_url: `${stack.callbackUrl}/callback/suites/${templateId}/data`,
    });
    const keys = { token: randomBytes(8).toString('hex'), encodingAesKey: randomAesKey() };
    const set = await callApi(stack.authUrl, 'PUT', `/api/v1/admin/suites/${templateId}/corps/${install.corp_id}/callback-keys`, { key: stack.adminKey, body: keys });
    expect(set.status).toBe(200);
    const row = await stack.worker.prisma.client.authCorp.findUniqueOrThrow({ where: { suiteId_corpId: { suiteId: templateId, corpId: install.corp_id } } });
    expect(row.callbackAesKeyEnc).not.toContain(keys.encodingAesKey);
    await simControl(stack.sim, 'POST', `/sim/suites/${templateId}/corps/${install.corp_id}/callback-keys`, { token: keys.token, encoding_aes_key: keys.encodingAesKey });
    const own = await simControl<{ outcome: { delivered: boolean } }>(stack.sim, 'POST', `/sim/suites/${templateId}/data-callbacks`, { auth_corpid: install.corp_id });
    expect(own.outcome.delivered).toBe(true);
    // Signed with the suite's keys instead, the same corp's callback no longer passes.
    await simControl(stack.sim, 'POST', `/sim/suites/${templateId}/corps/${install.corp_id}/callback-keys`, {});
    const suiteKeys = await simControl<{ outcome: { delivered: boolean; status: number } }>(stack.sim, 'POST', `/sim/suites/${templateId}/data-callbacks`, { auth_corpid: install.corp_id });
    expect(suiteKeys.outcome).toMatchObject({ delivered: false, status: 401 });
    const missing = await callApi(stack.authUrl, 'PUT', `/api/v1/admin/suites/${templateId}/corps/wwnosuchcorp/callback-keys`, { key: stack.adminKey, body: keys });
    expect(missing.status).toBe(404);
  });

  it('reset_permanent_code replaces a template corp\'s app secret, and its token comes from gettoken with the new one', async () => {
    const install = await simControl<{ corp_id: string; auth_code: string }>(stack.sim, 'POST', `/sim/suites/${templateId}/installs`, { push_callback: true });
    await stack.worker.handleCreateAuth(templateId, install.auth_code);
    const before = await new AuthCorpRepository(stack.worker.prisma, testCipher()).getPermanentCode(templateId, install.corp_id);
    await simControl(stack.sim, 'POST', `/sim/suites/${templateId}/events`, { info_type: 'reset_permanent_code', auth_corpid: install.corp_id });
    const inbox = new CallbackEventRepository(stack.worker.prisma, testCipher());
    const event = await waitFor(async () => (await inbox.list({ suiteId: templateId, type: 'reset_permanent_code' }, 10))[0]);
    expect(await stack.worker.processEvent(event.id, templateId)).toBe('authorized');
    const after = await new AuthCorpRepository(stack.worker.prisma, testCipher()).getPermanentCode(templateId, install.corp_id);
    expect(after).not.toBe(before);
    expect(after).toBe(stack.sim.state.authorization(templateId, install.corp_id)!.permanentCode);
    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: templateId, corp_id: install.corp_id });
    const token = await callApi<TokenBody>(stack.authUrl, 'GET', `/api/v1/suites/${templateId}/corps/${install.corp_id}/access-token`, { key: stack.adminKey });
    expect(token.status).toBe(200);
    expect(await simCallCount(stack.sim, templateId, CORP_TOKEN_PATH)).toBe(0);
  });
});
