import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AuthStack, callApi, startAuthStack } from './support/auth.js';
import { axeViolations, launchChromium } from './support/browser.js';
import { ConsolePerson, createConsoleUser, signIn } from './support/console.js';
import { simControl } from './support/platform.js';

/** The README shows the sign-in page with its WeCom button from here (docs/screenshots). */
const SHOTS = 'dist/screenshots';

/**
 * "Sign in with WeCom" (扫码登录) for the vendor's own staff, in Chromium against the simulator as WeCom: the provider
 * corp's members exist in the simulator's address book, an admin links one of them to a console user, the simulator's
 * 3rd_qrConnect page plays the scan, and the platform opens the same session as a password sign-in — or sends the
 * person back to the sign-in page with the reason.
 */
describe('console sign-in with WeCom', () => {
  // Each browser step is a few page loads; on a loaded CI machine one took 25 s of Jest's default 30.
  jest.setTimeout(90_000);
  const providerCorpId = `wwstaff${randomBytes(6).toString('hex')}`;
  let stack: AuthStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: ConsolePerson;
  let operator: ConsolePerson;
  let viewer: ConsolePerson;
  const state: { wecomCallback?: string } = {};

  const adminApi = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => callApi<T>(stack.authUrl, method, path, { key: stack.adminKey, body });
  const userId = async (person: ConsolePerson) =>
    (await adminApi<{ items: { id: string; username: string }[] }>('GET', '/api/v1/admin/console-users?limit=100')).body.items.find((u) => u.username === person.username)!.id;
  const nextScan = (wecomUserId: string, corpId?: string) => simControl(stack.sim, 'POST', `/sim/providers/${providerCorpId}/next-scan`, { user_id: wecomUserId, corp_id: corpId });
  const url = (path: string) => `${stack.authUrl}/console${path}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Three failures per (user, address); thirty per address: the rate-limit test reaches it in a few seconds.
    stack = await startAuthStack({ CONSOLE_WECOM_LOGIN_PROVIDER_CORPID: providerCorpId, CONSOLE_LOGIN_MAX_FAILURES: '3' });
    // The vendor's side of WeCom: its provider corp, ProviderSecret and address book (the staff).
    await simControl(stack.sim, 'POST', '/sim/providers', { provider_corpid: providerCorpId, provider_secret: 'staff-provider-secret' });
    await simControl(stack.sim, 'POST', `/sim/providers/${providerCorpId}/staff`, {
      corp_name: '示例服务商',
      users: [{ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四' }, { userid: 'wangwu', name: '王五' }],
    });
    expect((await adminApi('POST', '/api/v1/admin/providers', { providerCorpId, providerSecret: 'staff-provider-secret' })).status).toBe(201);
    admin = await createConsoleUser('admin');
    operator = await createConsoleUser('operator');
    viewer = await createConsoleUser('viewer');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'en-US', bypassCSP: true, reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/console/session/wecom/callback?')) state.wecomCallback = request.url();
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const wecomButton = () => page.getByRole('link', { name: 'Sign in with WeCom' });
  const refusal = () => page.getByRole('alert');

  it('shows the WeCom button on the sign-in page (zh and en) when a provider corp is configured', async () => {
    await page.goto(url('/'));
    await wecomButton().waitFor();
    expect(await wecomButton().getAttribute('href')).toBe('/api/v1/console/session/wecom');
    await page.waitForLoadState('networkidle');
    const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/console-sign-in-wecom.png` });
    await page.getByText('中文', { exact: true }).click();
    await page.getByRole('link', { name: '企业微信登录' }).waitFor();
    await page.getByText('English', { exact: true }).click();
    expect((await callApi(stack.authUrl, 'GET', '/api/v1/console/sign-in-methods')).body).toEqual({ password: true, wecom: true, wecomCorpId: providerCorpId });
  });

  it('an admin links a WeCom member to a console user in the console; the member scans and lands signed in with that role', async () => {
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(url('/users'));
    await page.getByRole('button', { name: `Link WeCom ${operator.username}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Organization (corpid)').inputValue()).toBe(providerCorpId);
    await dialog.getByLabel('WeCom userid (通讯录 账号)').fill('zhangsan');
    await dialog.getByRole('button', { name: 'Link WeCom' }).click();
    await page.getByRole('row', { name: new RegExp(operator.username) }).getByText('zhangsan', { exact: true }).waitFor();
    const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // WeCom's page (the simulator) plays 张三 scanning with the WeCom app; it redirects back to the platform.
    await nextScan('zhangsan');
    const wecomPage = page.waitForRequest((request) => request.url().includes('/wwopen/sso/3rd_qrConnect?'));
    await wecomButton().click();
    const qr = new URL((await wecomPage).url());
    expect(Object.fromEntries(qr.searchParams)).toEqual({
      appid: providerCorpId,
      redirect_uri: `${stack.authUrl}/api/v1/console/session/wecom/callback`,
      state: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      usertype: 'member',
    });
    await page.waitForURL(url('/overview'));
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.getByTestId('current-user').innerText()).toMatch(new RegExp(`^${operator.username}\\s+Operator$`));
    const session = await page.evaluate(async () => (await (await fetch('/api/v1/console/session')).json()) as { user: { username: string; role: string }; method: string });
    expect(session).toMatchObject({ user: { username: operator.username, role: 'operator' }, method: 'wecom' });
    // The same cookie as a password sign-in; the pending-login cookie is gone.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'wecom_console_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === 'wecom_console_login')).toBeUndefined();
    // The operator's role holds: no console users screen, and the API refuses a manage call.
    const denied = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/v1/console/session')).json()) as { csrfToken: string };
      return (await fetch('/api/v1/admin/api-keys', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: '{"name":"x","scopes":["admin"]}' })).status;
    });
    expect(denied).toBe(403);
  });

  it('refuses a replay of the completed redirect, and a forged state, on the sign-in page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(state.wecomCallback!);
    await page.waitForURL(/\/console\/login\?wecom_error=invalid_oauth_state$/);
    await refusal().filter({ hasText: 'This WeCom sign-in was not started on this page, has expired or was already used.' }).waitFor();

    // Forged: this browser started a sign-in (it holds the pending cookie; the start is fetched with the browser's
    // cookie jar and stops before WeCom's page), but the redirect that arrives carries another state.
    const started = await page.request.get(`${stack.authUrl}/api/v1/console/session/wecom`, { maxRedirects: 0 });
    expect(started.status()).toBe(302);
    expect((await context.cookies()).find((c) => c.name === 'wecom_console_login')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/v1/console/session/wecom' });
    const code = await simControl<{ auth_code: string }>(stack.sim, 'POST', '/sim/login-codes', { provider_corpid: providerCorpId, corp_id: providerCorpId, user_id: 'zhangsan' });
    await page.goto(`${stack.authUrl}/api/v1/console/session/wecom/callback?auth_code=${code.auth_code}&state=forged${randomBytes(8).toString('hex')}`);
    await page.waitForURL(/wecom_error=invalid_oauth_state/);
    await refusal().filter({ hasText: 'was not started on this page' }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'wecom_console_session')).toBeUndefined();
  });

  it('refuses, with the reason on the sign-in page, an unlinked member, a disabled user and a member of another corp', async () => {
    await page.goto(url('/'));
    await nextScan('lisi');
    await wecomButton().click();
    await page.waitForURL(/\/console\/login\?wecom_error=wecom_user_not_linked&wecom_user=lisi$/);
    await refusal().filter({ hasText: 'WeCom account “lisi” is not linked to a console user. Ask a console admin to link it.' }).waitFor();
    await page.getByText('中文', { exact: true }).click();
    await refusal().filter({ hasText: '企业微信账号“lisi”未关联控制台用户，请联系控制台管理员关联。' }).waitFor();
    await page.getByText('English', { exact: true }).click();
    expect((await context.cookies()).find((c) => c.name === 'wecom_console_session')).toBeUndefined();

    const viewerId = await userId(viewer);
    expect((await adminApi('PUT', `/api/v1/admin/console-users/${viewerId}/wecom`, { userId: 'wangwu' })).body).toMatchObject({ wecomCorpId: providerCorpId, wecomUserId: 'wangwu' });
    expect((await adminApi('PATCH', `/api/v1/admin/console-users/${viewerId}`, { disabled: true })).status).toBe(200);
    await page.goto(url('/'));
    await nextScan('wangwu');
    await wecomButton().click();
    await page.waitForURL(/wecom_error=console_user_disabled&wecom_user=wangwu$/);
    await refusal().filter({ hasText: 'The console user linked to WeCom account “wangwu” is disabled.' }).waitFor();

    // A customer's admin (a tenant corp of one of this provider's suites) is not the vendor's staff.
    const tenant = await simControl<{ corp_id: string }>(stack.sim, 'POST', `/sim/suites/${stack.suite.suiteId}/installs`, {});
    await page.goto(url('/'));
    await nextScan('', tenant.corp_id);
    await wecomButton().click();
    await page.waitForURL(/wecom_error=wecom_corp_not_allowed$/);
    await refusal().filter({ hasText: "Only members of the vendor's own WeCom organization may sign in here." }).waitFor();
  });

  it('a WeCom session is the same session: CSRF on changes, ended by unlinking, while a password session stays', async () => {
    const started = await fetch(`${stack.authUrl}/api/v1/console/session/wecom`, { redirect: 'manual' });
    const pending = started.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    await nextScan('zhangsan');
    const back = await fetch(started.headers.get('location')!, { redirect: 'manual' });
    const callback = back.headers.get('location')!;
    const done = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    expect([done.status, done.headers.get('location')]).toEqual([302, `${stack.authUrl}/console/overview`]);
    const setCookie = done.headers.getSetCookie().find((c) => c.startsWith('wecom_console_session='))!;
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    const cookie = setCookie.split(';')[0];
    const current = await callApi<{ csrfToken: string; method: string }>(stack.authUrl, 'GET', '/api/v1/console/session', { headers: { cookie } });
    expect(current.body.method).toBe('wecom');

    // The same redirect again, even from a browser that kept the pending cookie: the state was used.
    await nextScan('zhangsan');
    const again = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    expect(again.headers.get('location')).toBe(`${stack.authUrl}/console/login?wecom_error=invalid_oauth_state`);

    expect((await callApi(stack.authUrl, 'DELETE', '/api/v1/console/session', { headers: { cookie } })).status).toBe(403);
    const password = await signIn(stack.authUrl, operator);
    const operatorId = await userId(operator);
    expect((await adminApi('DELETE', `/api/v1/admin/console-users/${operatorId}/wecom`)).body).toMatchObject({ wecomCorpId: null, wecomUserId: null });
    expect((await callApi(stack.authUrl, 'GET', '/api/v1/console/session', { headers: { cookie } })).status).toBe(401);
    expect((await callApi(stack.authUrl, 'GET', '/api/v1/console/session', { headers: { cookie: password.cookie } })).status).toBe(200);
  });

  it('links through the admin API: one console user per WeCom member, unknown users, bad userids, and admins only', async () => {
    const operatorId = await userId(operator);
    const adminId = await userId(admin);
    expect((await adminApi('PUT', `/api/v1/admin/console-users/${operatorId}/wecom`, { userId: 'zhangsan' })).status).toBe(200);
    const taken = await adminApi<{ error: string }>('PUT', `/api/v1/admin/console-users/${adminId}/wecom`, { userId: 'zhangsan' });
    expect([taken.status, taken.body.error]).toEqual([409, 'wecom_identity_linked']);
    const unknown = await adminApi<{ error: string }>('PUT', '/api/v1/admin/console-users/00000000-0000-4000-8000-000000000000/wecom', { userId: 'lisi' });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'console_user_not_found']);
    const bad = await adminApi<{ message: string[] }>('PUT', `/api/v1/admin/console-users/${adminId}/wecom`, { userId: 'no spaces' });
    expect([bad.status, bad.body.message]).toEqual([400, ['userId must be 1-64 characters [A-Za-z0-9_@.-] (a WeCom userid)']]);
    const asOperator = await signIn(stack.authUrl, operator);
    const denied = await callApi(stack.authUrl, 'PUT', `/api/v1/admin/console-users/${adminId}/wecom`, {
      headers: { cookie: asOperator.cookie, 'x-csrf-token': asOperator.csrfToken },
      body: { userId: 'lisi' },
    });
    expect(denied.status).toBe(403);
  });

  it('counts refused WeCom sign-ins against the address like failed passwords, then refuses both', async () => {
    // CONSOLE_LOGIN_MAX_FAILURES=3: thirty failures per address in 15 minutes, earlier refusals in this file included.
    let location = '';
    for (let i = 0; i < 40 && !location.endsWith('too_many_login_attempts'); i++) {
      const res = await fetch(`${stack.authUrl}/api/v1/console/session/wecom/callback?auth_code=x&state=forged${i}`, { redirect: 'manual' });
      location = res.headers.get('location') ?? '';
    }
    expect(location).toBe(`${stack.authUrl}/console/login?wecom_error=too_many_login_attempts`);
    const password = await fetch(`${stack.authUrl}/api/v1/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: admin.username, password: admin.password }),
    });
    expect(password.status).toBe(429);
    await page.goto(location);
    await refusal().filter({ hasText: 'Too many failed sign-ins; try again later' }).waitFor();
  });
});
