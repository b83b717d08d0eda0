import { AuthCorpRepository, PrismaService, SuiteTicketRepository } from '@app/store';
import { approveInstall, AuthStack, callApi, returnToPlatform, simCallCount, startAuthStack, waitFor } from './support/auth.js';
import { registerSuite, simControl } from './support/platform.js';
import { testCipher, testPrisma } from './support/store.js';
import { scaledWorkerEnv, startTestWorkerApp, TestWorker } from './support/worker.js';

const PERMANENT_CODE_PATH = '/cgi-bin/service/v2/get_permanent_code';

/**
 * Installs started from the vendor's site: WeCom sends no create_auth for them, so the browser's redirect is the only
 * signal. Here the suite has no command callback URL at all, so nothing but the redirect can complete an install.
 */
describe('link installs: the auth_code from the redirect is never lost', () => {
  let stack: AuthStack;
  let worker: TestWorker;
  let prisma: PrismaService;
  let suiteId: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    const suite = await registerSuite(stack.sim, null);
    suiteId = suite.suiteId;
    const pushed = await simControl<{ suite_ticket: string }>(stack.sim, 'POST', `/sim/suites/${suiteId}/push-ticket`);
    prisma = testPrisma();
    await new SuiteTicketRepository(prisma, testCipher()).save(suiteId, pushed.suite_ticket, Math.floor(Date.now() / 1000));
    worker = await startTestWorkerApp({ ...stack.env, ...scaledWorkerEnv(1) });
  });

  afterAll(async () => {
    await worker.app.close();
    await prisma.onModuleDestroy();
    await stack.close();
  });

  afterEach(() => simControl(stack.sim, 'DELETE', '/sim/faults'));

  const exchanges = () => simCallCount(stack.sim, suiteId, PERMANENT_CODE_PATH);
  const tenants = (corpId: string) => prisma.client.authCorp.findMany({ where: { suiteId, corpId } });

  it('records the code when WeCom fails the exchange, shows a waiting page, and the worker ends with one tenant', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId, { query: 'state=crm-7' });
    const before = await exchanges();
    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: -1, count: 4, paths: [PERMANENT_CODE_PATH] });

    const waiting = await fetch(approved.completeUrl, { redirect: 'manual', headers: { cookie: approved.cookie, accept: 'text/html' } });
    expect(waiting.status).toBe(202);
    expect(waiting.headers.get('refresh')).toBe('2');
    expect(await waiting.text()).toContain('正在完成安装');
    const recorded = await prisma.client.callbackEvent.findFirstOrThrow({ where: { suiteId, type: 'create_auth' }, orderBy: { id: 'desc' } });
    expect(recorded.dedupeKey).not.toContain(approved.authCode);

    // The browser asks again until the worker has finished; each ask is harmless.
    const done = await waitFor(async () => {
      const res = await returnToPlatform(approved);
      return res.status === 200 ? res : null;
    }, 60_000);
    const body = (await done.json()) as { corpId: string; state: string | null; status: string };
    expect(body).toMatchObject({ status: 'active', state: 'crm-7' });
    expect(await tenants(body.corpId)).toHaveLength(1);
    expect(await new AuthCorpRepository(prisma, testCipher()).getPermanentCode(suiteId, body.corpId)).toBe(
      stack.sim.state.authorization(suiteId, body.corpId)!.permanentCode,
    );
    // Four answers were WeCom's -1 (not counted as calls by the simulator), one exchange succeeded.
    expect(await exchanges()).toBe(before + 1);
    expect((await simControl<{ faults_injected: number }>(stack.sim, 'GET', '/sim/calls')).faults_injected).toBeGreaterThanOrEqual(4);
    expect((await prisma.client.callbackEvent.findUniqueOrThrow({ where: { id: recorded.id } })).status).toBe('processed');
  }, 90_000);

  it('finishes an install whose tab was closed on the waiting page', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId);
    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: -1, count: 4, paths: [PERMANENT_CODE_PATH] });
    expect((await returnToPlatform(approved)).status).toBe(202);
    // The corp WeCom's install page just authorized; the browser never comes back.
    const corpId = stack.sim.state.suite(suiteId)!.authKeys.at(-1)!.split('|')[1];
    await waitFor(() => prisma.client.authCorp.findFirst({ where: { suiteId, corpId, status: 'active' } }), 60_000);
    expect(await tenants(corpId)).toHaveLength(1);
  }, 90_000);

  it('answers 400 at once when the exchange may have spent the code (its answer lost), and never sends it again', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId);
    // WeCom received the code and the connection died before its answer: the code may be spent (临时授权码一次有效).
    await simControl(stack.sim, 'POST', '/sim/faults', { drop: true, count: 1, paths: [PERMANENT_CODE_PATH] });
    const first = await returnToPlatform(approved);
    expect(first.status).toBe(400);
    expect(((await first.json()) as { error: string }).error).toBe('invalid_auth_code');
    const recorded = await prisma.client.callbackEvent.findFirstOrThrow({ where: { suiteId, type: 'create_auth' }, orderBy: { id: 'desc' } });
    expect(recorded.status).toBe('failed');
    expect(recorded.lastError).toContain('AuthCodeUnusableError');
    const sent = await exchanges();
    expect((await returnToPlatform(approved)).status).toBe(400);
    // Nothing was handed to the worker to try again.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await exchanges()).toBe(sent);
    expect((await prisma.client.callbackEvent.findUniqueOrThrow({ where: { id: recorded.id } })).attempts).toBe(recorded.attempts);
  });

  it('shows a browser a success page when the suite has no success URL, and API clients the JSON', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId, { simCorpName: '<b>页面</b>测试企业' });
    const page = await fetch(approved.completeUrl, { redirect: 'manual', headers: { cookie: approved.cookie, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('安装成功');
    expect(html).toContain('installed');
    // The corp's name, escaped; never the code that was exchanged nor the permanent code.
    expect(html).toContain('&lt;b&gt;页面&lt;/b&gt;测试企业');
    expect(html).not.toContain('<b>');
    const corpId = stack.sim.state.suite(suiteId)!.authKeys.at(-1)!.split('|')[1];
    expect(html).not.toContain(approved.authCode);
    expect(html).not.toContain(stack.sim.state.authorization(suiteId, corpId)!.permanentCode);
    const api = await fetch(approved.completeUrl, { redirect: 'manual', headers: { cookie: approved.cookie } });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ suiteId, corpId, status: 'active' });
  });

  it('answers a reloaded redirect with the same tenant and never exchanges twice', async () => {
    const approved = await approveInstall(stack.authUrl, suiteId);
    const before = await exchanges();
    const first = (await (await returnToPlatform(approved)).json()) as { corpId: string };
    for (let i = 0; i < 3; i++) {
      const again = await returnToPlatform(approved);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { corpId: string }).corpId).toBe(first.corpId);
    }
    const otherBrowser = await callApi(stack.authUrl, 'GET', new URL(approved.completeUrl).pathname + new URL(approved.completeUrl).search);
    expect(otherBrowser).toMatchObject({ status: 200, body: { corpId: first.corpId, state: null } });
    expect(await exchanges()).toBe(before + 1);
    expect(await tenants(first.corpId)).toHaveLength(1);
  });
});
