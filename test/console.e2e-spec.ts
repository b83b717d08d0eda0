import { mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { bullPrefix, QueueName } from '@app/queues';
import { openPayload } from '@app/store';
import { AuthStack, callApi, installThroughBrowser, pushTicket, startAuthStack, waitFor } from './support/auth.js';
import { axeViolations, launchChromium } from './support/browser.js';
import { ConsolePerson, createConsoleUser } from './support/console.js';
import { uniqueId } from './support/env.js';
import { simControl } from './support/platform.js';
import { testCipher } from './support/store.js';
import { randomAesKey, type SuiteFixture } from './support/wecom-sender.js';

/** The screenshots the README shows are copied from here (docs/screenshots). */
const SHOTS = 'dist/screenshots';

/**
 * The console in a real browser, as an operator uses it: one Chromium, one platform (simulator, callback and auth
 * apps), the steps in order. Each step checks accessibility with axe-core on the screen it leaves open.
 */
describe('admin console in Chromium', () => {
  let stack: AuthStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: ConsolePerson;
  let queue: Queue;
  const firstLoadJs: { url: string; bytes: number }[] = [];
  const state: { suiteId?: string; corpId?: string; corpName?: string; eventId?: string; viewer?: ConsolePerson } = {};

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startAuthStack();
    admin = await createConsoleUser('admin');
    queue = new Queue(QueueName.CallbackEvents, { connection: stack.worker.redis, prefix: bullPrefix({ prefix: stack.env.REDIS_PREFIX }) });
    browser = await launchChromium();
    // bypassCSP lets axe-core be injected; the app's own scripts are what they are either way.
    // Reduced motion: the console then skips antd's animations, so axe never samples a colour mid-fade.
    context = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'en-US', bypassCSP: true, reducedMotion: 'reduce' });
    page = await context.newPage();
    // Fail a step in seconds with Playwright's message, not at Jest's 30 s timeout.
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await queue?.close();
    await stack?.close();
  });

  const url = (path: string) => `${stack.authUrl}/console${path}`;
  const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });
  /** Serious and critical axe findings; the full list is printed once per screen for the report. */
  const expectAccessible = async (screen: string) => {
    await page.waitForFunction("document.getAnimations().every((a) => a.playState !== 'running')");
    const violations = await axeViolations(page);
    if (violations.length) process.stdout.write(`axe ${screen}: ${JSON.stringify(violations)}\n`);
    expect({ screen, violations: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ screen, violations: [] });
  };
  const signInWithKeyboard = async (person: ConsolePerson) => {
    await page.getByLabel('Username').fill(person.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(person.password);
    await page.keyboard.press('Enter');
  };

  it('shows its own icon: the page links an SVG that answers 200 as image/svg+xml, and nothing it loads answers 404', async () => {
    const fresh = await context.newPage();
    const missing: string[] = [];
    fresh.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    // Chromium's own favicon fetch raises no 'response' event; its 404 shows only as a console error. (The sign-in
    // page's session check answers 401 before anyone signs in: expected, so only 404s count.)
    fresh.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('404')) missing.push(message.text());
    });
    await fresh.goto(url('/'));
    await fresh.getByRole('button', { name: 'Sign in' }).waitFor();
    await fresh.waitForLoadState('networkidle');
    // Resolved against the page: the absolute URL Chromium itself fetches for the tab's icon.
    const href = await fresh.evaluate<string | null>("document.querySelector('link[rel=\"icon\"]')?.href ?? null");
    await fresh.close();
    expect(href).toMatch(/\/console\/assets\/favicon-[\w-]+\.svg$/);
    const icon = await fetch(href!);
    expect([icon.status, icon.headers.get('content-type'), (await icon.text()).startsWith('<svg')]).toEqual([200, 'image/svg+xml', true]);
    expect(missing).toEqual([]);
  });

  it('loads the sign-in page with less than 500 KB of compressed JavaScript and signs in with the keyboard alone', async () => {
    const scripts: string[] = [];
    const onScript = (request: Request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    };
    page.on('requestfinished', onScript);
    await page.goto(url('/'));
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
    page.off('requestfinished', onScript);
    // The gzip size of each script the first load fetched, read again here (Chromium's own responseBodySize was -1
    // for some, which made the sum negative, and a body is gone once the page navigates on).
    for (const script of scripts) firstLoadJs.push({ url: script, bytes: gzipSync(Buffer.from(await (await fetch(script)).arrayBuffer())).length });
    const total = firstLoadJs.reduce((sum, s) => sum + s.bytes, 0);
    process.stdout.write(`console first load: ${firstLoadJs.length} scripts, ${(total / 1024).toFixed(1)} KB compressed JavaScript\n`);
    expect(firstLoadJs.length).toBeGreaterThan(0);
    expect(firstLoadJs.filter((s) => s.bytes < 100)).toEqual([]);
    expect(total).toBeLessThan(500 * 1024);
    // No CONSOLE_WECOM_LOGIN_PROVIDER_CORPID here: password only, no WeCom button (test/console-wecom.e2e-spec.ts has one).
    expect(await page.getByRole('link', { name: 'Sign in with WeCom' }).count()).toBe(0);
    await expectAccessible('sign-in');
    await shot('console-sign-in');

    await signInWithKeyboard({ ...admin, password: 'not-the-password' });
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Password').focus();
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Installs and cancellations per day').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await expectAccessible('overview');
  });

  it('registers a suite, shows what to paste into WeCom, and installs a tenant through the simulator that then appears', async () => {
    const suite = { suiteId: uniqueId('wwui'), secret: uniqueId('sec'), token: uniqueId('tok'), aesKey: randomAesKey() };
    await nav('Suites').click();
    await page.getByRole('button', { name: 'Register a suite' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Suite ID (suite_id)').fill(suite.suiteId);
    await form.getByLabel('Name').fill('Browser suite');
    await form.getByLabel('Secret (suite_secret)').fill(suite.secret);
    await form.getByLabel('Token').fill(suite.token);
    await form.getByLabel('EncodingAESKey').fill(suite.aesKey);
    await expectAccessible('suite form');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: suite.suiteId }).waitFor();
    state.suiteId = suite.suiteId;

    // The vendor's side of WeCom's console: the same credentials and our callback URL, then WeCom pushes a ticket.
    await simControl(stack.sim, 'POST', '/sim/suites', {
      suite_id: suite.suiteId,
      suite_secret: suite.secret,
      token: suite.token,
      encoding_aes_key: suite.aesKey,
      command_callback_url: `${stack.callbackUrl}/callback/suites/${suite.suiteId}/command`,
      data_callback_url: `${stack.callbackUrl}/callback/suites/${suite.suiteId}/data`,
      // 授权发起域名: WeCom accepts the install link only from a page on this host: it checks the Referer.
      install_domain: new URL(stack.authUrl).hostname,
    });
    await pushTicket(stack.sim, suite.suiteId);

    await page.getByRole('row', { name: new RegExp(suite.suiteId) }).getByRole('button', { name: 'Set up in WeCom' }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText(`/callback/suites/${suite.suiteId}/command`).waitFor();
    await drawer.locator('svg title', { hasText: 'Install QR code' }).waitFor({ state: 'attached' });
    const href = await drawer.getByTestId('install-link').getAttribute('href');
    expect(href).toBe(`${stack.authUrl}/install/${suite.suiteId}?auth_type=0`);
    await expectAccessible('suite setup');
    await shot('console-suite-setup');

    // The install link opens our install page; a person presses its button, WeCom (the simulator) approves and
    // redirects back to our completion, which shows a success page naming the corp (the suite has no success URL).
    const installer = await context.newPage();
    await installer.goto(href!);
    await installer.getByRole('button', { name: '安装到企业微信' }).click();
    await installer.waitForURL(new RegExp(`/install/${suite.suiteId}/complete\\?`));
    await installer.getByRole('heading', { name: '安装成功' }).waitFor();
    const successText = await installer.locator('body').innerText();
    await installer.close();
    const [tenant] = await stack.worker.prisma.client.authCorp.findMany({ where: { suiteId: suite.suiteId } });
    const completed = { corpId: tenant.corpId, corpName: tenant.corpName!, status: tenant.status };
    expect(completed).toMatchObject({ corpId: expect.any(String), corpName: expect.stringMatching(/^模拟企业/), status: 'active' });
    expect(successText).toContain(completed.corpName);
    state.corpId = completed.corpId;
    state.corpName = completed.corpName;
    await drawer.getByRole('button', { name: 'Close' }).click();

    await nav('Tenants').click();
    await page.getByRole('link', { name: completed.corpName }).first().waitFor();
  });

  it('finds the tenant by name and shows its page with token freshness, refreshed on demand', async () => {
    await page.getByRole('search').getByLabel('Search').fill(state.corpName!);
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=/);
    const firstRow = page.locator('.ant-table-tbody tr').first();
    await firstRow.getByText(state.corpId!).waitFor();
    await expectAccessible('tenants');
    await shot('console-tenants');
    await firstRow.getByRole('link', { name: state.corpName! }).click();
    await page.getByRole('heading', { name: state.corpName! }).waitFor();
    const before = await stack.worker.prisma.client.storedToken.findUnique({ where: { kind_suiteId_corpId: { kind: 'corp', suiteId: state.suiteId!, corpId: state.corpId! } } });
    await page.getByRole('row', { name: /access_token/ }).getByRole('button', { name: 'Refresh now' }).click();
    await page.getByText('Token refreshed').waitFor();
    // The gateway quota card: nothing sent yet; the simulator's corps have 200 accounts, × 200 person-times a day.
    const quota = page.locator('.ant-card').filter({ has: page.getByText('Gateway quota', { exact: true }) });
    await quota.getByText('0 / 40000').waitFor();
    expect(await quota.locator('.ant-descriptions-item').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringMatching(/corp_user_max\s*200/), expect.stringMatching(/per minute\s*10000/), expect.stringMatching(/rate limit\s*No/)]),
    );
    // The authorization card: the full name get_auth_info gave, and one date format (the edition's expiry included).
    const auth = page.locator('.ant-card').filter({ has: page.getByText('Authorization', { exact: true }) });
    const field = async (label: string) => (await auth.locator('.ant-descriptions-item').filter({ hasText: label }).innerText()).replace(label, '').trim();
    expect(await field('Full name')).toBe(`${state.corpName}有限公司`);
    expect(await field('Installed')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(await field('Edition')).toMatch(/^标准版 \(SIM_STANDARD\) · 200 seats · \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // The install history: the link install's create_auth, which the exchange gave this corp.
    const history = page.locator('.ant-card').filter({ has: page.getByText('Install history', { exact: true }) });
    await history.getByRole('link', { name: 'create_auth' }).waitFor();
    const after = await stack.worker.prisma.client.storedToken.findUniqueOrThrow({ where: { kind_suiteId_corpId: { kind: 'corp', suiteId: state.suiteId!, corpId: state.corpId! } } });
    expect(after.updatedAt.getTime()).toBeGreaterThan(before?.updatedAt.getTime() ?? 0);
    await expectAccessible('tenant');
    await shot('console-tenant');
  });

  it('replays a failed event from its page, payload secrets redacted', async () => {
    await simControl(stack.sim, 'POST', `/sim/suites/${state.suiteId}/data-callbacks`, { auth_corpid: state.corpId });
    const prisma = stack.worker.prisma.client;
    const event = await waitFor(() => prisma.callbackEvent.findFirst({ where: { suiteId: state.suiteId, corpId: state.corpId, kind: 'data' } }));
    await prisma.callbackEvent.update({ where: { id: event.id }, data: { status: 'failed', attempts: 5, lastError: 'vendor service answered 500' } });
    state.eventId = String(event.id);

    await page.goto(url(`/events?suiteId=${state.suiteId}&status=failed`));
    const row = page.getByRole('row', { name: /vendor service answered 500/ });
    await row.getByRole('link', { name: state.eventId }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByTestId('event-payload').waitFor();
    const create = await prisma.callbackEvent.findFirstOrThrow({ where: { suiteId: state.suiteId, type: 'create_auth' } });
    await expectAccessible('event');
    await shot('console-event');
    await drawer.getByRole('button', { name: `Replay ${state.eventId}` }).click();
    await page.getByText('Event queued again').waitFor();
    expect((await prisma.callbackEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe('queued');
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.some((j) => j.id?.startsWith(`evt-${state.eventId}-replay-`))).toBe(true);

    // The create_auth payload as the console shows it: the auth code never reaches the browser.
    await page.goto(url(`/events?id=${create.id}`));
    const payload = await page.getByTestId('event-payload').innerText();
    expect(payload).toContain('<AuthCode>[redacted]</AuthCode>');
    expect(create.payload).not.toContain('AuthCode'); // sealed at rest
    expect(openPayload(testCipher(), create.payload)).toMatch(/<AuthCode>(?!\[redacted\])/);

    await page.goto(url('/overview'));
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await shot('console-overview');
  });

  it('adds a webhook endpoint (secret shown once), lists the delivery an install owes it, edits, disables, rotates, redelivers', async () => {
    await page.goto(url('/overview'));
    await nav('Webhooks').click();
    await page.waitForURL(/\/webhooks/);
    await page.goto(url(`/webhooks?suiteId=${state.suiteId}`));
    await page.getByText('No endpoint for this suite yet').waitFor();
    await page.getByRole('button', { name: 'Add an endpoint' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('URL').fill('https://crm.example.com/wecom-events');
    await form.getByLabel('Description').fill('CRM');
    await form.getByLabel('Event types').fill('tenant.*');
    await page.keyboard.press('Enter');
    await form.getByLabel('Description').click(); // closes the type list
    await form.getByRole('button', { name: 'Create' }).click();
    const secret = await page.getByTestId('new-webhook-secret').innerText();
    expect(secret).toMatch(/^whsec_/);
    const prisma = stack.worker.prisma.client;
    const endpoint = await prisma.webhookEndpoint.findFirstOrThrow({ where: { suiteId: state.suiteId, url: 'https://crm.example.com/wecom-events' } });
    expect(endpoint).toMatchObject({ description: 'CRM', eventTypes: ['tenant.*'], enabled: true });
    expect(endpoint.secret).not.toContain(secret.slice(6)); // sealed at rest

    // A second tenant installs: the platform owes the endpoint its tenant.installed, and the screen lists it.
    const { corpId } = await installThroughBrowser({ authUrl: stack.authUrl, suite: { suiteId: state.suiteId } as SuiteFixture });
    const deliveries = page.locator('.ant-card').filter({ hasText: 'Deliveries to https://crm.example.com/wecom-events' });
    const row = deliveries.getByRole('row', { name: new RegExp(corpId) });
    await row.waitFor({ timeout: 20_000 });
    const owed = await prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id } });
    expect(owed.map((d) => d.corpId)).toEqual([corpId]);
    await row.getByRole('cell', { name: `evt_${owed[0].eventId}`, exact: true }).waitFor();
    await expectAccessible('webhooks');
    await shot('console-webhooks');
    await row.getByRole('button', { name: `Redeliver evt_${owed[0].eventId}` }).click();
    await page.getByText('Delivery queued again').waitFor();

    // The event-type filter, enabled flag and signing secret, each changed from the screen.
    const endpointRow = page.getByRole('row', { name: /crm\.example\.com/ }).first();
    await endpointRow.getByRole('button', { name: 'Edit event types' }).click();
    const edit = page.getByRole('dialog');
    await edit.getByLabel('Event types').fill('message.*');
    await page.keyboard.press('Enter');
    await edit.getByText('Edit event types', { exact: true }).click(); // the title: closes the type list
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Endpoint saved').first().waitFor();
    await waitFor(async () => (await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).eventTypes.includes('message.*'));
    expect((await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).eventTypes).toEqual(['tenant.*', 'message.*']);
    await endpointRow.getByRole('switch', { name: 'Enabled https://crm.example.com/wecom-events' }).click();
    await waitFor(async () => !(await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).enabled);
    await endpointRow.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'OK' }).click();
    await waitFor(async () => (await page.getByTestId('new-webhook-secret').innerText()) !== secret);
    expect(await page.getByTestId('new-webhook-secret').innerText()).toMatch(/^whsec_/);
    expect((await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).previousSecret).not.toBeNull();

    // The overview shows the delivery success rate and links its token numbers to the tenants in that state.
    await page.goto(url('/overview'));
    await page.getByText('Success rate').waitFor();
    await page.getByRole('link', { name: /^Fresh: \d+$/ }).click();
    await page.waitForURL(/tokenState=fresh/);
    await page.locator('.ant-table-tbody tr').filter({ hasText: state.corpId! }).first().waitFor();
  });

  it('creates an API key shown once, which works until it is revoked', async () => {
    await page.goto(url('/api-keys'));
    await page.getByRole('button', { name: 'Create a key' }).click();
    const name = uniqueId('ui-key');
    await page.getByRole('dialog').getByLabel('Name').fill(name);
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const key = (await page.getByTestId('new-api-key').innerText()).trim();
    expect(key).toMatch(/^wik_/);
    expect((await callApi(stack.authUrl, 'GET', '/api/v1/admin/suites', { key })).status).toBe(200);
    await expectAccessible('api keys');
    await shot('console-api-keys');
    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'OK' }).click();
    await page.getByRole('row', { name: new RegExp(name) }).getByText('Revoked').waitFor();
    expect((await callApi(stack.authUrl, 'GET', '/api/v1/admin/suites', { key })).status).toBe(401);
  });

  it('adds a viewer from the console; the viewer sees events but is denied a replay, in the UI and by the API', async () => {
    const viewer = { username: uniqueId('viewer'), password: uniqueId('pw-long-enough-') };
    await page.goto(url('/users'));
    await page.getByRole('button', { name: 'Add a user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Username').fill(viewer.username);
    await dialog.getByLabel('Password (12+ characters)').fill(viewer.password);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: viewer.username }).waitFor();
    await expectAccessible('users');
    await shot('console-users');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'wecom_console_session')).toBeUndefined();
    await signInWithKeyboard(viewer);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect(nav('API keys').count()).resolves.toBe(0);
    await page.goto(url(`/events?suiteId=${state.suiteId}`));
    const replay = page.getByRole('button', { name: `Replay ${state.eventId}` });
    await replay.waitFor();
    expect(await replay.isDisabled()).toBe(true);
    const answer = await page.evaluate(async (id) => {
      const session = (await (await fetch('/api/v1/console/session')).json()) as { csrfToken: string };
      const res = await fetch(`/api/v1/admin/events/${id}/replay`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
      return { status: res.status, body: (await res.json()) as { message: string } };
    }, state.eventId!);
    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ message: 'the viewer role may not operate: this needs the admin or operator role' }) });
    // Typed into the address bar: the admin screens say, in words, that they are for admins, and offer no action.
    for (const [path, title, reason, action] of [
      ['/api-keys', 'API keys', 'Only console admins may see and manage API keys.', 'Create a key'],
      ['/users', 'Console users', 'Only console admins may see and manage console users.', 'Add a user'],
    ]) {
      await page.goto(url(path));
      await page.getByRole('heading', { name: title }).waitFor();
      expect(await page.getByTestId('denied').innerText()).toBe(reason);
      expect(await page.getByRole('button', { name: action }).count()).toBe(0);
    }
    await expectAccessible('denied');
    state.viewer = viewer;
  });

  it('switches to Chinese with WeCom’s own words, and signs out', async () => {
    await page.getByText('中文', { exact: true }).click();
    await nav('授权企业').click();
    await page.getByRole('heading', { name: '授权企业' }).waitFor();
    await nav('概览').click();
    await page.getByText('每日安装与取消授权').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await shot('console-overview-zh');
    await page.goto(url('/api-keys'));
    await page.getByRole('heading', { name: 'API 密钥' }).waitFor();
    expect(await page.getByTestId('denied').innerText()).toBe('仅控制台管理员可以查看和管理 API 密钥。');
    expect(await page.getByRole('button', { name: '创建密钥' }).count()).toBe(0);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    const after = await page.evaluate(async () => (await fetch('/api/v1/admin/overview')).status);
    expect(after).toBe(401);
  });
});
