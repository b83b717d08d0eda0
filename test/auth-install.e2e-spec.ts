import { AuthCorpRepository, PrismaService } from '@app/store';
import {
  approveInstall,
  AuthStack,
  callApi,
  installThroughBrowser,
  pushTicket,
  returnToPlatform,
  simCallCount,
  startAuthStack,
} from './support/auth.js';
import { registerSuite, simControl } from './support/platform.js';
import { testCipher, testPrisma } from './support/store.js';

const PERMANENT_CODE_PATH = '/cgi-bin/service/v2/get_permanent_code';

describe('auth app: install', () => {
  let stack: AuthStack;
  let prisma: PrismaService;
  let corps: AuthCorpRepository;
  let suiteId: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    suiteId = stack.suite.suiteId;
    prisma = testPrisma();
    corps = new AuthCorpRepository(prisma, testCipher());
  });

  afterAll(async () => {
    await prisma.onModuleDestroy();
    await stack.close();
  });

  const exchanges = () => simCallCount(stack.sim, suiteId, PERMANENT_CODE_PATH);
  const rowsOf = (corpId: string) => prisma.client.authCorp.findMany({ where: { suiteId, corpId } });
  const simAuth = (corpId: string) => stack.sim.state.authorization(suiteId, corpId)!;

  /** The tenant.installed platform event published for a corp, its envelope opened (sealed at rest). */
  const installedEvent = async (corpId: string, forSuite = suiteId) => {
    const row = await prisma.client.platformEvent.findFirstOrThrow({ where: { suiteId: forSuite, corpId, type: 'tenant.installed' } });
    return JSON.parse(testCipher().open(row.envelope)) as { data: Record<string, unknown> };
  };

  it('installs through the browser redirect: one exchange, the tenant stored with its code sealed', async () => {
    const before = await exchanges();
    const { corpId, completion } = await installThroughBrowser(stack);
    expect(completion.status).toBe(200);
    expect(await completion.json()).toEqual({ suiteId, corpId, corpName: expect.any(String), status: 'active', state: null });
    expect(await exchanges()).toBe(before + 1);
    // tenant.installed carries the install link's state: none here (not the session's internal state), and who installed.
    const simCorp = stack.sim.state.corps.get(corpId)!;
    expect((await installedEvent(corpId)).data).toEqual({
      corpName: simCorp.corpName,
      corpFullName: `${simCorp.corpName}有限公司`,
      editionId: 'SIM_STANDARD',
      editionName: '标准版',
    });

    const [row] = await rowsOf(corpId);
    expect(row).toMatchObject({ status: 'active', agentId: simAuth(corpId).agentId, corpName: expect.stringMatching(/模拟企业/) });
    expect(row.permanentCodeEnc).not.toContain(simAuth(corpId).permanentCode);
    expect(await corps.getPermanentCode(suiteId, corpId)).toBe(simAuth(corpId).permanentCode);
    expect(row.authInfo).toMatchObject({ agent: [{ agentid: simAuth(corpId).agentId }] });
    expect(row.authUserInfo).toMatchObject({ userid: simAuth(corpId).authUserId });
    expect(row.editionInfo).toBeTruthy();
  });

  it('installs through the create_auth callback alone', async () => {
    const before = await exchanges();
    const install = await simControl<{ corp_id: string; auth_code: string }>(stack.sim, 'POST', `/sim/suites/${suiteId}/installs`, { push_callback: true });
    const result = await stack.worker.handleCreateAuth(suiteId, install.auth_code);
    expect(result.exchanged).toBe(true);
    expect(result.corp).toMatchObject({ corpId: install.corp_id, status: 'active' });
    expect(await exchanges()).toBe(before + 1);
    expect(await rowsOf(install.corp_id)).toHaveLength(1);
    expect((await installedEvent(install.corp_id)).data).toMatchObject({ corpName: stack.sim.state.corps.get(install.corp_id)!.corpName, editionName: '标准版' });
    expect(await corps.getPermanentCode(suiteId, install.corp_id)).toBe(simAuth(install.corp_id).permanentCode);
  });

  it('leaves a later exchange of the same code (a replayed create_auth) with nothing to do after the browser redirect', async () => {
    const { corpId, authCode } = await installThroughBrowser(stack);
    const before = await exchanges();
    // A link install gets no create_auth from WeCom; a replayed or forged one with the same code changes nothing.
    const late = await stack.worker.exchange(suiteId, authCode);
    expect(late).toMatchObject({ exchanged: false, corp: { corpId } });
    expect(await exchanges()).toBe(before);
    expect(await rowsOf(corpId)).toHaveLength(1);
  });

  it('yields one tenant and one exchange when the redirect and create_auth arrive at once (5 races)', async () => {
    for (let round = 0; round < 5; round++) {
      const approved = await approveInstall(stack.authUrl, suiteId);
      const before = await exchanges();
      const [completion, viaWorker] = await Promise.all([
        returnToPlatform(approved),
        stack.worker.exchange(suiteId, approved.authCode),
      ]);
      expect(completion.status).toBe(200);
      const body = (await completion.json()) as { corpId: string };
      expect(body.corpId).toBe(viaWorker.corp.corpId);
      expect(await exchanges()).toBe(before + 1);
      expect(await rowsOf(body.corpId)).toHaveLength(1);
      const claims = await prisma.client.authCodeClaim.count({ where: { suiteId, corpId: body.corpId } });
      expect(claims).toBe(1);
    }
  });

  it('reinstalls after a cancel into the same tenant row, with the new permanent code', async () => {
    const { corpId } = await installThroughBrowser(stack);
    const [first] = await rowsOf(corpId);
    const oldCode = simAuth(corpId).permanentCode;
    await simControl(stack.sim, 'POST', `/sim/suites/${suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: corpId });
    expect(await stack.worker.cancel(suiteId, corpId)).toBe(true);
    const [cancelled] = await rowsOf(corpId);
    expect(cancelled).toMatchObject({ status: 'cancelled', permanentCodeEnc: null });
    const refused = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/corps/${corpId}/access-token`, { key: stack.adminKey });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ statusCode: 404, error: 'corp_cancelled' });

    const again = await installThroughBrowser(stack, { simCorpId: corpId });
    expect(again.corpId).toBe(corpId);
    const rows = await rowsOf(corpId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first.id, status: 'active', cancelledAt: null });
    const newCode = simAuth(corpId).permanentCode;
    expect(newCode).not.toBe(oldCode);
    expect(await corps.getPermanentCode(suiteId, corpId)).toBe(newCode);
    const served = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/corps/${corpId}/access-token`, { key: stack.adminKey });
    expect(served.status).toBe(200);
  });

  it('sends the browser to the success URL with the corp id and caller state, installing as a test install', async () => {
    const other = await registerSuite(stack.sim, stack.callbackUrl);
    await pushTicket(stack.sim, other.suiteId);
    const registered = await callApi(stack.authUrl, 'POST', '/api/v1/admin/suites', {
      key: stack.adminKey,
      body: { suiteId: other.suiteId, secret: other.secret, token: other.token, encodingAesKey: other.aesKey, successUrl: 'https://vendor.example/installed?from=wecom' },
    });
    expect(registered.status).toBe(201);
    const approved = await approveInstall(stack.authUrl, other.suiteId, { query: 'state=console-42&auth_type=1' });
    const done = await returnToPlatform(approved);
    expect(done.status).toBe(302);
    const location = new URL(done.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://vendor.example/installed');
    const corpId = location.searchParams.get('corp_id')!;
    expect(Object.fromEntries(location.searchParams)).toEqual({ from: 'wecom', suite_id: other.suiteId, corp_id: corpId, state: 'console-42' });
    expect(stack.sim.state.authorization(other.suiteId, corpId)?.authType).toBe(1);
    const session = await prisma.client.installSession.findFirstOrThrow({ where: { suiteId: other.suiteId, corpId } });
    expect(session).toMatchObject({ authType: 1, callerState: 'console-42', completedAt: expect.any(Date) });
    expect((await installedEvent(corpId, other.suiteId)).data).toMatchObject({ state: 'console-42' });
  });

  it('serves an install page that costs nothing; only its button asks WeCom, and points it at our completion URL', async () => {
    const preAuthCalls = () => simCallCount(stack.sim, suiteId, '/cgi-bin/service/get_pre_auth_code');
    const before = { preAuth: await preAuthCalls(), sessions: await prisma.client.installSession.count() };
    for (let i = 0; i < 20; i++) {
      const page = await fetch(`${stack.authUrl}/install/${suiteId}?state=s${i}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      const html = await page.text();
      expect(html).toContain(`action="${stack.authUrl}/install/${suiteId}/start?state=s${i}"`);
    }
    expect(await preAuthCalls()).toBe(before.preAuth);
    expect(await prisma.client.installSession.count()).toBe(before.sessions);

    const res = await fetch(`${stack.authUrl}/install/${suiteId}/start`, { method: 'POST', redirect: 'manual', headers: { origin: stack.authUrl } });
    expect(res.status).toBe(303);
    expect(await preAuthCalls()).toBe(before.preAuth + 1);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${stack.sim.url}/3rdapp/install`);
    expect([...location.searchParams.keys()]).toEqual(['suite_id', 'pre_auth_code', 'redirect_uri', 'state']);
    expect(location.searchParams.get('suite_id')).toBe(suiteId);
    expect(location.searchParams.get('redirect_uri')).toBe(`${stack.authUrl}/install/${suiteId}/complete`);
    const state = location.searchParams.get('state')!;
    expect(state).toMatch(/^[0-9a-f]{40}$/);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(new RegExp(`^wecom_install_${suiteId}=${state}\\.[^;]+; Max-Age=\\d+; Path=/install/${suiteId}; HttpOnly; SameSite=Lax$`));
  });

  it("shows the vendor's name, logo and text on the install page, escaped", async () => {
    const other = await registerSuite(stack.sim, stack.callbackUrl);
    const registered = await callApi(stack.authUrl, 'POST', '/api/v1/admin/suites', {
      key: stack.adminKey,
      body: {
        suiteId: other.suiteId,
        name: '销售助手 <b>',
        secret: other.secret,
        token: other.token,
        encodingAesKey: other.aesKey,
        logoUrl: 'https://vendor.example/logo.png?a=1&b="2"',
        description: '<script>alert(1)</script> 客户管理',
      },
    });
    expect(registered.status).toBe(201);
    const html = await (await fetch(`${stack.authUrl}/install/${other.suiteId}`)).text();
    expect(html).toContain('<h1>销售助手 &lt;b&gt;</h1>');
    expect(html).toContain('<img class="logo" src="https://vendor.example/logo.png?a=1&amp;b=&quot;2&quot;"');
    expect(html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt; 客户管理</p>');
    expect(html).not.toContain('<script>');
  });

  it('refuses the install button posted from another site, and WeCom refuses an install link opened without our page', async () => {
    const preAuthCalls = () => simCallCount(stack.sim, suiteId, '/cgi-bin/service/get_pre_auth_code');
    const before = await preAuthCalls();
    for (const headers of [{}, { origin: 'https://evil.example' }, { referer: 'https://evil.example/page' }, { origin: 'null' }] as Record<string, string>[]) {
      const res = await callApi(stack.authUrl, 'POST', `/install/${suiteId}/start`, { headers });
      expect(res).toMatchObject({ status: 403, body: { error: 'cross_site_request' } });
    }
    expect(await preAuthCalls()).toBe(before);

    // A link pasted into a chat or a QR code: WeCom's page sees no Referer and refuses (校验请求来源错误).
    const start = await fetch(`${stack.authUrl}/install/${suiteId}/start`, { method: 'POST', redirect: 'manual', headers: { origin: stack.authUrl } });
    const typedIn = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    expect(typedIn.status).toBe(400);
    expect(await typedIn.text()).toContain('校验请求来源错误');
  });

  it('exchanges an install returned to another browser but hands it no caller state (install-state fixation)', async () => {
    // The attacker presses the button with their own state and sends the WeCom link to a victim admin, who approves.
    const attacker = await approveInstall(stack.authUrl, suiteId, { query: 'state=attacker-account' });
    const victim = await fetch(attacker.completeUrl, { redirect: 'manual' });
    expect(victim.status).toBe(200);
    const body = (await victim.json()) as { corpId: string; state: string | null };
    expect(body.state).toBeNull();
    expect(await rowsOf(body.corpId)).toEqual([expect.objectContaining({ status: 'active' })]);

    const forgedCookie = await approveInstall(stack.authUrl, suiteId, { query: 'state=attacker-account' });
    const tampered = await fetch(forgedCookie.completeUrl, { redirect: 'manual', headers: { cookie: forgedCookie.cookie.replace(/\.[^.;]+$/, '.forged') } });
    expect(((await tampered.json()) as { state: string | null }).state).toBeNull();

    const genuine = await approveInstall(stack.authUrl, suiteId, { query: 'state=own-account' });
    const own = await returnToPlatform(genuine);
    expect(((await own.json()) as { state: string | null }).state).toBe('own-account');
  });

  it('refuses a forged state without exchanging, tolerates parameters WeCom may add, and answers a repeat alike', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId);
    const before = await exchanges();
    const forged = new URL(approved.completeUrl);
    forged.searchParams.set('state', 'a'.repeat(40));
    const refused = await callApi(stack.authUrl, 'GET', `${forged.pathname}${forged.search}`);
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_install_state' } });
    expect(await exchanges()).toBe(before);

    const genuine = new URL(approved.completeUrl);
    genuine.searchParams.set('appid', 'something-new');
    const ok = await returnToPlatform(approved, genuine.toString());
    expect(ok.status).toBe(200);
    const repeated = await callApi(stack.authUrl, 'GET', `${genuine.pathname}${genuine.search}`, { headers: { cookie: approved.cookie } });
    expect(repeated).toMatchObject({ status: 200, body: { corpId: (ok.status === 200 ? ((await ok.json()) as { corpId: string }) : { corpId: '' }).corpId } });
    // The state is used up: another code with it is refused.
    genuine.searchParams.set('auth_code', 'another-code');
    const reused = await callApi(stack.authUrl, 'GET', `${genuine.pathname}${genuine.search}`, { headers: { cookie: approved.cookie } });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_install_state' } });
    expect(await exchanges()).toBe(before + 1);
  });

  it('answers 400 invalid_auth_code when WeCom refuses the code, and names missing parameters', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId);
    const url = new URL(approved.completeUrl);
    url.searchParams.set('auth_code', 'not-a-real-code');
    const refused = await callApi(stack.authUrl, 'GET', `${url.pathname}${url.search}`);
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_auth_code' } });
    expect(refused.text).not.toContain('not-a-real-code');

    const missing = await callApi(stack.authUrl, 'GET', `/install/${suiteId}/complete?expires_in=600`);
    expect(missing.status).toBe(400);
    expect((missing.body.message as string[]).join(' ')).toMatch(/auth_code.*state|state.*auth_code/);
  });

  it('answers 404 for an unknown suite and 400 naming a bad auth_type', async () => {
    const unknown = await callApi(stack.authUrl, 'GET', '/install/wwnosuchsuite');
    expect(unknown).toMatchObject({ status: 404, body: { statusCode: 404, error: 'suite_not_found' } });
    const bad = await callApi(stack.authUrl, 'GET', `/install/${suiteId}?auth_type=2`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual([expect.stringContaining('auth_type')]);
  });
});
