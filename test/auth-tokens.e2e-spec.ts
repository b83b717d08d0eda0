import { getJsApiSignature } from '@wecom/crypto';
import { AuthCorpRepository, StoredTokenRepository } from '@app/store';
import { TokenCache } from '@app/tokens';
import { corpSubject } from '../apps/wecom-sim/src/core/token-store.js';
import {
  AuthStack,
  callApi,
  createApiKey,
  installThroughBrowser,
  simCallCount,
  spawnAuthApp,
  SpawnedAuthApp,
  startAuthStack,
} from './support/auth.js';
import { registerSuite, simControl } from './support/platform.js';
import { testCipher } from './support/store.js';

const CORP_TOKEN_PATH = '/cgi-bin/service/get_corp_token';
const JSAPI_TICKET_PATH = '/cgi-bin/get_jsapi_ticket';

interface TokenBody {
  access_token: string;
  expires_at: string;
}

describe('auth app: token API and JS-SDK', () => {
  let stack: AuthStack;
  let suiteId: string;
  let corpId: string;
  let suiteKey: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    suiteId = stack.suite.suiteId;
    corpId = (await installThroughBrowser(stack)).corpId;
    suiteKey = await createApiKey([`suite:${suiteId}`]);
  });

  afterAll(() => stack.close());

  const corpTokenPath = () => `/api/v1/suites/${suiteId}/corps/${corpId}/access-token`;
  const getCorpToken = (key = suiteKey) => callApi<TokenBody>(stack.authUrl, 'GET', corpTokenPath(), { key });
  /** What WeCom says when a service uses the token: errcode 0 means it works. */
  const useAtWecom = async (accessToken: string): Promise<number> => {
    const agentId = stack.sim.state.authorization(suiteId, corpId)!.agentId;
    const res = await fetch(`${stack.sim.url}/cgi-bin/agent/get?access_token=${encodeURIComponent(accessToken)}&agentid=${agentId}`);
    return ((await res.json()) as { errcode: number }).errcode;
  };
  const corpTokenFetches = () => simCallCount(stack.sim, suiteId, CORP_TOKEN_PATH);

  it('serves a corp token and a suite token that the simulator accepts, with at least 5 minutes left', async () => {
    const corp = await getCorpToken();
    expect(corp.status).toBe(200);
    expect(Object.keys(corp.body).sort()).toEqual(['access_token', 'expires_at']);
    expect(new Date(corp.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect(corp.body.expires_at).toBe(new Date(corp.body.expires_at).toISOString());
    expect(await useAtWecom(corp.body.access_token)).toBe(0);

    const suite = await callApi<TokenBody>(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/access-token`, { key: suiteKey });
    expect(suite.status).toBe(200);
    const preAuth = await fetch(`${stack.sim.url}/cgi-bin/service/get_pre_auth_code?suite_access_token=${encodeURIComponent(suite.body.access_token)}`);
    expect(((await preAuth.json()) as { errcode: number }).errcode).toBe(0);
  });

  it('serves a token near its end with its true expires_at without asking WeCom, and a new one once it expires', async () => {
    const key = { kind: 'corp' as const, suiteId, corpId };
    const store = new StoredTokenRepository(stack.worker.prisma, testCipher());
    const cache = new TokenCache(stack.worker.redis, stack.env.REDIS_PREFIX, testCipher());
    // WeCom hands out the same token until it expires: asking now would earn this one back.
    const expiresAt = new Date(Date.now() + 4 * 60_000);
    await store.save(key, { value: 'nearly-expired-token', expiresAt });
    await cache.delete(key);
    const before = await corpTokenFetches();
    const served = await getCorpToken();
    expect(served.status).toBe(200);
    expect(served.body).toEqual({ access_token: 'nearly-expired-token', expires_at: expiresAt.toISOString() });
    expect(await corpTokenFetches()).toBe(before);

    // In its last seconds it is not handed out: the broker waits for the expiry and fetches the next one.
    await store.save(key, { value: 'last-seconds-token', expiresAt: new Date(Date.now() + 1500) });
    await cache.delete(key);
    const next = await getCorpToken();
    expect(next.body.access_token).not.toBe('last-seconds-token');
    expect(await corpTokenFetches()).toBe(before + 1);
    expect(await useAtWecom(next.body.access_token)).toBe(0);
  });

  it('recovers a token WeCom invalidated early, once a service reports it', async () => {
    const first = (await getCorpToken()).body.access_token;
    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: suiteId, corp_id: corpId });
    expect([40014, 42001]).toContain(await useAtWecom(first));
    // The platform cannot know until told: it still serves the cached token.
    expect((await getCorpToken()).body.access_token).toBe(first);

    const reported = await callApi(stack.authUrl, 'POST', `${corpTokenPath()}/invalidate`, { key: suiteKey, body: { access_token: first } });
    expect(reported).toMatchObject({ status: 200, body: { invalidated: true } });
    const second = (await getCorpToken()).body.access_token;
    expect(second).not.toBe(first);
    expect(await useAtWecom(second)).toBe(0);

    // A late report of the dead token must not throw away its replacement.
    const late = await callApi(stack.authUrl, 'POST', `${corpTokenPath()}/invalidate`, { key: suiteKey, body: { access_token: first } });
    expect(late.body).toEqual({ invalidated: false });
    expect((await getCorpToken()).body.access_token).toBe(second);
  });

  it('names why there is no token: unknown corp or suite 404, no suite_ticket 503', async () => {
    const unknownCorp = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/corps/wwnosuchcorp/access-token`, { key: stack.adminKey });
    expect(unknownCorp).toMatchObject({ status: 404, body: { statusCode: 404, error: 'corp_not_found' } });
    const unknownSuite = await callApi(stack.authUrl, 'GET', '/api/v1/suites/wwnosuchsuite/access-token', { key: stack.adminKey });
    expect(unknownSuite).toMatchObject({ status: 404, body: { error: 'suite_not_found' } });
    const ticketless = await registerSuite(stack.sim, null);
    const noTicket = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${ticketless.suiteId}/access-token`, { key: stack.adminKey });
    expect(noTicket).toMatchObject({ status: 503, body: { error: 'no_suite_ticket' } });
    const badId = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/corps/bad%20id!/access-token`, { key: stack.adminKey });
    expect(badId.status).toBe(400);
    expect(badId.body.message).toEqual([expect.stringContaining('corpId')]);
  });

  it('answers 404 suite_not_found on every suite-scoped route for a suite that does not exist', async () => {
    const admin = (method: string, path: string, body?: unknown) => callApi(stack.authUrl, method, `/api/v1/suites/wwnosuchsuite${path}`, { key: stack.adminKey, body });
    const answers = [
      await admin('GET', `/corps/${corpId}/access-token`),
      await admin('POST', `/corps/${corpId}/jssdk-signatures`, { url: 'https://app.example.com/' }),
      await admin('GET', `/corps/${corpId}/wecom/cgi-bin/agent/get?agentid=1`),
      await admin('POST', `/corps/${corpId}/wecom/cgi-bin/message/send`, { touser: '@all' }),
      await admin('GET', '/events'),
      await admin('POST', '/access-token/invalidate', {}),
      await admin('POST', `/corps/${corpId}/access-token/invalidate`, {}),
    ];
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 404, body: { error: 'suite_not_found', message: 'suite wwnosuchsuite is not registered' } });
    }
    // A corp that never installed an existing suite is still the corp's 404.
    const corpless = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/wwnosuchcorp/jssdk-signatures`, { key: stack.adminKey, body: { url: 'https://app.example.com/' } });
    expect(corpless).toMatchObject({ status: 404, body: { error: 'corp_not_found' } });
    // Invalidating a token of a corp that never installed is not a reassuring 200 either.
    const nothingToInvalidate = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/wwnosuchcorp/access-token/invalidate`, { key: stack.adminKey, body: {} });
    expect(nothingToInvalidate).toMatchObject({ status: 404, body: { error: 'corp_not_found' } });
  });

  it('tells a suspended corp from a cancelled one: 404 corp_suspended', async () => {
    const { corpId: doomed } = await installThroughBrowser(stack);
    await new AuthCorpRepository(stack.worker.prisma, testCipher()).markSuspended(suiteId, doomed, 'errcode 40084');
    await stack.worker.broker.forgetCorp(suiteId, doomed);
    const res = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/corps/${doomed}/access-token`, { key: suiteKey });
    expect(res).toMatchObject({ status: 404, body: { statusCode: 404, error: 'corp_suspended' } });
    const signatures = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${doomed}/jssdk-signatures`, {
      key: suiteKey,
      body: { url: 'https://app.example.com/' },
    });
    expect(signatures).toMatchObject({ status: 404, body: { error: 'corp_suspended' } });
  });

  it('lets a suite key reach only its own suite, and nobody in without a valid key', async () => {
    const other = await registerSuite(stack.sim, null);
    const foreign = await callApi(stack.authUrl, 'GET', `/api/v1/suites/${other.suiteId}/access-token`, { key: suiteKey });
    expect(foreign).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden' } });
    const noKey = await callApi(stack.authUrl, 'GET', corpTokenPath());
    expect(noKey).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });
    const badKey = await callApi(stack.authUrl, 'GET', corpTokenPath(), { key: 'wik_not-a-key' });
    expect(badKey.status).toBe(401);
    const basic = await callApi(stack.authUrl, 'GET', corpTokenPath(), { headers: { authorization: `Basic ${suiteKey}` } });
    expect(basic.status).toBe(401);
  });

  describe('JS-SDK signatures', () => {
    interface Signatures {
      config: { corpId: string; timestamp: number; nonceStr: string; signature: string };
      agentConfig: { corpId: string; agentId: number; timestamp: number; nonceStr: string; signature: string };
    }
    const sign = (url: unknown) =>
      callApi<Signatures>(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/jssdk-signatures`, { key: suiteKey, body: { url } });
    const liveTicket = (kind: 'jsapi' | 'agent') => stack.sim.state.tokens.currentFor(kind, corpSubject(suiteId, corpId), stack.sim.clock.now())!.token;

    it('signs wx.config and wx.agentConfig over the live tickets, as @wecom/crypto computes them', async () => {
      const page = 'https://app.example.com/page?x=1&y=两';
      const res = await sign(`${page}#section`);
      expect(res.status).toBe(200);
      const { config, agentConfig } = res.body;
      expect(config).toEqual({ corpId, timestamp: expect.any(Number), nonceStr: expect.stringMatching(/^[A-Za-z0-9]{16}$/), signature: expect.any(String) });
      expect(agentConfig).toMatchObject({ corpId, agentId: stack.sim.state.authorization(suiteId, corpId)!.agentId });
      expect(Math.abs(config.timestamp - Date.now() / 1000)).toBeLessThan(5);

      const expectedConfig = getJsApiSignature({ url: page, ticket: liveTicket('jsapi'), nonceStr: config.nonceStr, timestamp: config.timestamp });
      expect(config.signature).toBe(expectedConfig.signature);
      const expectedAgent = getJsApiSignature({ url: page, ticket: liveTicket('agent'), nonceStr: agentConfig.nonceStr, timestamp: agentConfig.timestamp });
      expect(agentConfig.signature).toBe(expectedAgent.signature);
      expect(agentConfig.signature).not.toBe(config.signature);

      for (const [kind, set] of [['config', config], ['agent_config', agentConfig]] as const) {
        const check = await simControl<{ valid: boolean }>(stack.sim, 'POST', '/sim/jssdk/verify', {
          suite_id: suiteId,
          corp_id: corpId,
          kind,
          url: page,
          noncestr: set.nonceStr,
          timestamp: set.timestamp,
          signature: set.signature,
        });
        expect(check).toEqual({ valid: true });
      }
    });

    it('keeps the tickets cached like tokens, and records the corp as a JS-SDK user', async () => {
      await sign('https://app.example.com/a');
      const before = await simCallCount(stack.sim, suiteId, JSAPI_TICKET_PATH);
      for (let i = 0; i < 5; i++) expect((await sign(`https://app.example.com/${i}`)).status).toBe(200);
      expect(await simCallCount(stack.sim, suiteId, JSAPI_TICKET_PATH)).toBe(before);
      const row = await stack.worker.prisma.client.authCorp.findFirstOrThrow({ where: { suiteId, corpId } });
      expect(row.jssdkUsedAt).toBeInstanceOf(Date);
    });

    it('refuses a URL that is not absolute http(s), naming the field', async () => {
      for (const url of ['not a url', '/relative/path', 'javascript:alert(1)', 42]) {
        const res = await sign(url);
        expect(res.status).toBe(400);
        expect((res.body as unknown as { message: string[] }).message.join(' ')).toContain('url');
      }
    });

    it('answers 404 corp_not_found for a corp that never installed', async () => {
      const res = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/wwstranger/jssdk-signatures`, {
        key: suiteKey,
        body: { url: 'https://app.example.com/' },
      });
      expect(res).toMatchObject({ status: 404, body: { error: 'corp_not_found' } });
    });
  });

  describe('across processes', () => {
    const apps: SpawnedAuthApp[] = [];

    afterAll(async () => {
      await Promise.all(apps.map((a) => a.stop()));
    });

    it('turns 50 concurrent token requests on 2 processes into exactly one get_corp_token', async () => {
      apps.push(...(await Promise.all([spawnAuthApp(stack.env), spawnAuthApp(stack.env)])));
      // Start from nothing cached anywhere, so that every request wants a fetch.
      const dropped = await callApi(stack.authUrl, 'POST', `${corpTokenPath()}/invalidate`, { key: suiteKey });
      expect(dropped.body).toEqual({ invalidated: true });
      const before = await corpTokenFetches();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => callApi<TokenBody>(apps[i % 2].url, 'GET', corpTokenPath(), { key: suiteKey })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
      expect(await corpTokenFetches()).toBe(before + 1);
      expect(await useAtWecom(answers[0].body.access_token)).toBe(0);
      // Every waiter got the one fetched token with its one recorded expiry (no waiter fetched or timed out on its own).
      expect(new Set(answers.map((a) => a.body.expires_at)).size).toBe(1);
    }, 120_000);
  });
});
