import {
  InvalidCredentialError,
  PermanentCodeInvalidError,
  RateLimitedError,
  signJsapi,
  SystemBusyError,
  TokenInvalidError,
  WecomHttpError,
  WecomNetworkError,
  WecomOutcomeUnknownError,
  WecomServiceApi,
  WecomTimeoutError,
} from '@app/wecom';
import { Redis } from 'ioredis';
import { RedisWecomCallLimiter, WecomCallBudgetExceededError } from '@app/tokens';
import { HoldingProxy } from './support/holding-proxy.js';
import { TEST_REDIS_URL, uniqueId } from './support/env.js';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { registerSuite, simControl, startTestSimulator } from './support/platform.js';
import type { SuiteFixture } from './support/wecom-sender.js';

/** The simulator reports whole seconds left, rounded down: a fresh lifetime may read one second short. */
function expectLifetime(actual: number, lifetime: number): void {
  expect(actual).toBeGreaterThanOrEqual(lifetime - 1);
  expect(actual).toBeLessThanOrEqual(lifetime);
}

/** The typed client against the simulator over real HTTP: every endpoint, errcode mapping, retries, timeouts. */
describe('WecomServiceApi against the simulator', () => {
  let sim: Simulator;
  let api: WecomServiceApi;
  let suite: SuiteFixture;
  let ticket: string;
  const attempts: { path: string; errcode?: number }[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    api = new WecomServiceApi({ baseUrl: sim.url, timeoutMs: 1000, retryBaseDelayMs: 10, onCall: (c) => attempts.push({ path: c.path, errcode: c.errcode }) });
    suite = await registerSuite(sim, null);
    ticket = (await simControl<{ suite_ticket: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`)).suite_ticket;
  });
  afterAll(() => sim.close());
  afterEach(() => simControl(sim, 'DELETE', '/sim/faults'));

  const suiteToken = async () => (await api.getSuiteToken({ suiteId: suite.suiteId, suiteSecret: suite.secret, suiteTicket: ticket })).suiteAccessToken;
  const fault = async (rule: Record<string, unknown>) => {
    await simControl(sim, 'DELETE', '/sim/faults');
    await simControl(sim, 'POST', '/sim/faults', rule);
  };
  const callsTo = (path: string) => attempts.filter((a) => a.path === path).length;

  it('an exchange tells its caller when the code leaves (after the limiter) and hands over the answer; a failing beforeSend sends nothing', async () => {
    const order: string[] = [];
    const limited = new WecomServiceApi({
      baseUrl: sim.url,
      limiter: { acquire: async () => void order.push('limiter') },
      fetch: (input, init) => (order.push('fetch'), fetch(input, init)),
    });
    const token = await suiteToken();
    const refused = await simControl<{ auth_code: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
    const before = (await simControl<{ by_path: Record<string, number> }>(sim, 'GET', '/sim/calls')).by_path['/cgi-bin/service/v2/get_permanent_code'] ?? 0;
    await expect(limited.getPermanentCodeV2(token, refused.auth_code, { beforeSend: () => Promise.reject(new Error('claim store down')) })).rejects.toThrow('claim store down');
    expect((await simControl<{ by_path: Record<string, number> }>(sim, 'GET', '/sim/calls')).by_path['/cgi-bin/service/v2/get_permanent_code'] ?? 0).toBe(before);
    // The code was not spent: it still exchanges, and the hooks run in order.
    order.length = 0;
    let kept: Record<string, unknown> | undefined;
    const result = await limited.getPermanentCodeV2(token, refused.auth_code, {
      beforeSend: async () => void order.push('beforeSend'),
      keepAnswer: async (answer) => void (kept = answer),
    });
    expect(order).toEqual(['limiter', 'beforeSend', 'fetch']);
    expect(kept?.['permanent_code']).toBe(result.permanentCode);
  });

  it('walks the install flow and every token endpoint', async () => {
    const token = await suiteToken();
    expect(await suiteToken()).toBe(token);
    const pre = await api.getPreAuthCode(token);
    expectLifetime(pre.expiresIn, 1200);
    await api.setSessionInfo(token, pre.preAuthCode, { authType: 1 });

    const install = await simControl<{ auth_code: string; corp_id: string; agentid: number }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
    const perm = await api.getPermanentCode(token, install.auth_code);
    expect(perm.authCorpInfo.corpId).toBe(install.corp_id);
    expect(perm.authInfo?.agents[0].agentId).toBe(install.agentid);
    expect(perm.permanentCode.length).toBeGreaterThan(10);
    expect(JSON.stringify(perm.raw)).not.toContain(perm.permanentCode);
    await expect(api.getPermanentCode(token, install.auth_code)).rejects.toBeInstanceOf(InvalidCredentialError);

    const second = await simControl<{ auth_code: string; corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
    const v2 = await api.getPermanentCodeV2(token, second.auth_code);
    expect(v2.authCorpInfo.corpId).toBe(second.corp_id);

    const info = await api.getAuthInfo(token, install.corp_id, perm.permanentCode);
    expect(info.authInfo.agents.map((a) => a.agentId)).toEqual([install.agentid]);
    const corpToken = await api.getCorpToken(token, install.corp_id, perm.permanentCode);
    expectLifetime(corpToken.expiresIn, 7200);
    const admins = await api.getAdminList(token, install.corp_id, install.agentid);
    expect(admins.length).toBeGreaterThan(0);

    const jsapi = await api.getJsapiTicket(corpToken.accessToken);
    const agent = await api.getAgentTicket(corpToken.accessToken);
    expect(jsapi.ticket).not.toBe(agent.ticket);
    const signature = signJsapi({ ticket: jsapi.ticket, nonceStr: 'abc', timestamp: 1700000000, url: 'https://app.example.com/page?x=1#frag' });
    const verified = await simControl<{ valid: boolean }>(sim, 'POST', '/sim/jssdk/verify', {
      suite_id: suite.suiteId, corp_id: install.corp_id, kind: 'config', url: 'https://app.example.com/page?x=1', noncestr: 'abc', timestamp: 1700000000, signature,
    });
    expect(verified.valid).toBe(true);

    const provider = await api.getProviderToken(suite.providerCorpId, 'provider-secret-' + suite.suiteId);
    expect(provider.providerAccessToken.length).toBeGreaterThan(10);
    const login = await simControl<{ auth_code: string; userid: string }>(sim, 'POST', '/sim/login-codes', { provider_corpid: suite.providerCorpId, corp_id: install.corp_id });
    const loginInfo = await api.getLoginInfo(provider.providerAccessToken, login.auth_code);
    expect(loginInfo.userInfo.userId).toBe(login.userid);

    const oauth = await simControl<{ code: string; userid: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/oauth-codes`, { corp_id: install.corp_id, scope: 'snsapi_privateinfo' });
    const user = await api.getUserInfo3rd(token, oauth.code);
    if (!user.member) throw new Error('expected a corp member');
    expect(user).toMatchObject({ corpId: install.corp_id, userId: oauth.userid });
    const detail = await api.getUserDetail3rd(token, user.userTicket!);
    expect(detail).toMatchObject({ corpId: install.corp_id, userId: oauth.userid });

    await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: install.corp_id });
    await expect(api.getCorpToken(token, install.corp_id, perm.permanentCode)).rejects.toBeInstanceOf(PermanentCodeInvalidError);
  });

  it('maps errcodes to typed errors carrying errcode and errmsg, without retrying them', async () => {
    const token = await suiteToken();
    for (const [errcode, type] of [[42009, TokenInvalidError], [45009, RateLimitedError], [40085, InvalidCredentialError]] as const) {
      await fault({ errcode, count: 1, paths: ['/cgi-bin/service/get_pre_auth_code'] });
      const before = callsTo('/cgi-bin/service/get_pre_auth_code');
      const err = await api.getPreAuthCode(token).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as TokenInvalidError).errcode).toBe(errcode);
      expect(String((err as Error).message)).not.toContain(token);
      expect(callsTo('/cgi-bin/service/get_pre_auth_code') - before).toBe(1);
    }
  });

  it('retries -1 and HTTP 5xx with backoff, and gives up after the bounded number of retries', async () => {
    const token = await suiteToken();
    await fault({ errcode: -1, count: 2, paths: ['/cgi-bin/service/get_pre_auth_code'] });
    let before = callsTo('/cgi-bin/service/get_pre_auth_code');
    expectLifetime((await api.getPreAuthCode(token)).expiresIn, 1200);
    expect(callsTo('/cgi-bin/service/get_pre_auth_code') - before).toBe(3);

    await fault({ http_status: 502, count: 2, paths: ['/cgi-bin/service/get_pre_auth_code'] });
    before = callsTo('/cgi-bin/service/get_pre_auth_code');
    expectLifetime((await api.getPreAuthCode(token)).expiresIn, 1200);
    expect(callsTo('/cgi-bin/service/get_pre_auth_code') - before).toBe(3);

    await fault({ errcode: -1, count: 10, paths: ['/cgi-bin/service/get_pre_auth_code'] });
    before = callsTo('/cgi-bin/service/get_pre_auth_code');
    await expect(api.getPreAuthCode(token)).rejects.toBeInstanceOf(SystemBusyError);
    expect(callsTo('/cgi-bin/service/get_pre_auth_code') - before).toBe(4);

    await fault({ http_status: 503, count: 10, paths: ['/cgi-bin/service/get_pre_auth_code'] });
    await expect(api.getPreAuthCode(token)).rejects.toBeInstanceOf(WecomHttpError);
  });

  it('times out a call that does not answer in time', async () => {
    const token = await suiteToken();
    await fault({ latency_ms: 1500, count: 10, paths: ['/cgi-bin/service/get_pre_auth_code'] });
    const quick = new WecomServiceApi({ baseUrl: sim.url, timeoutMs: 200, maxRetries: 1, retryBaseDelayMs: 10 });
    const started = Date.now();
    await expect(quick.getPreAuthCode(token)).rejects.toBeInstanceOf(WecomTimeoutError);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it("forwards (the gateway's transport): WeCom's answer as it came; no answer in time is a timeout, a dropped connection a network error, neither retried", async () => {
    const path = '/cgi-bin/agent/get';
    const request = { method: 'GET' as const, path, query: new URLSearchParams({ agentid: '1', access_token: 'from-caller' }), tokenParam: 'access_token' as const, token: 'not-a-token', timeoutMs: 200 };
    const answer = await api.forward({ ...request, deadline: Date.now() + 5000 });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.errcode).toBe(40014);
    expect(JSON.parse(answer.text!.toString('utf8'))).toEqual(answer.json);
    await simControl(sim, 'DELETE', '/sim/calls');
    await fault({ latency_ms: 1500, count: 10, paths: [path] });
    await expect(api.forward({ ...request, deadline: Date.now() + 5000 })).rejects.toBeInstanceOf(WecomTimeoutError);
    await fault({ drop: true, count: 10, paths: [path] });
    await expect(api.forward({ ...request, deadline: Date.now() + 5000 })).rejects.toBeInstanceOf(WecomNetworkError);
    expect((await simControl<{ total: number }>(sim, 'GET', '/sim/calls')).total).toBe(2);
  });

  describe('calls that spend a one-time code', () => {
    let proxy: HoldingProxy;
    beforeAll(async () => {
      proxy = await new HoldingProxy(sim.url).start();
    });
    afterAll(() => proxy.stop());

    it('sends an auth_code once: an answer held past the timeout is an unknown outcome, never a retry (WeCom spent the code)', async () => {
      const token = await suiteToken();
      const viaProxy = new WecomServiceApi({ baseUrl: proxy.url, timeoutMs: 200, oneTimeCodeTimeoutMs: 300, maxRetries: 3, retryBaseDelayMs: 10 });
      proxy.holdPaths = ['/cgi-bin/service/get_permanent_code', '/cgi-bin/service/v2/get_permanent_code'];
      proxy.holdMs = 800;
      await simControl(sim, 'DELETE', '/sim/calls');
      for (const exchange of ['v1', 'v2'] as const) {
        const install = await simControl<{ auth_code: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
        const call = exchange === 'v1' ? viaProxy.getPermanentCode(token, install.auth_code) : viaProxy.getPermanentCodeV2(token, install.auth_code);
        const err = await call.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WecomOutcomeUnknownError);
        expect((err as WecomOutcomeUnknownError).cause).toBeInstanceOf(WecomTimeoutError);
        expect((err as Error).message).not.toContain(install.auth_code);
        // The code is spent at WeCom: a second exchange could only earn 40078.
        await expect(api.getPermanentCode(token, install.auth_code)).rejects.toMatchObject({ errcode: 40078 });
      }
      const calls = await simControl<{ by_path: Record<string, number> }>(sim, 'GET', '/sim/calls');
      expect(calls.by_path['/cgi-bin/service/get_permanent_code']).toBe(1 + 2);
      expect(calls.by_path['/cgi-bin/service/v2/get_permanent_code']).toBe(1);
    });

    it('an HTTP 5xx on an exchange is an unknown outcome too, while -1 (nothing done) is retried', async () => {
      const token = await suiteToken();
      await simControl(sim, 'DELETE', '/sim/calls');
      const install = await simControl<{ auth_code: string; corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
      await fault({ http_status: 502, count: 1, paths: ['/cgi-bin/service/get_permanent_code'] });
      await expect(api.getPermanentCode(token, install.auth_code)).rejects.toBeInstanceOf(WecomOutcomeUnknownError);
      await fault({ errcode: -1, count: 1, paths: ['/cgi-bin/service/get_permanent_code'] });
      const perm = await api.getPermanentCode(token, install.auth_code);
      expect(perm.authCorpInfo.corpId).toBe(install.corp_id);
      const calls = await simControl<{ by_path: Record<string, number> }>(sim, 'GET', '/sim/calls');
      expect(calls.by_path['/cgi-bin/service/get_permanent_code']).toBe(3);
    });

    it('OAuth and login codes are not retried either; ordinary calls still are', async () => {
      const token = await suiteToken();
      const viaProxy = new WecomServiceApi({ baseUrl: proxy.url, timeoutMs: 200, oneTimeCodeTimeoutMs: 300, maxRetries: 3, retryBaseDelayMs: 10 });
      proxy.holdPaths = ['/cgi-bin/service/auth/getuserinfo3rd', '/cgi-bin/service/get_pre_auth_code'];
      proxy.holdMs = 800;
      const install = await simControl<{ corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
      const oauth = await simControl<{ code: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/oauth-codes`, { corp_id: install.corp_id });
      proxy.held.length = 0;
      await expect(viaProxy.getUserInfo3rd(token, oauth.code)).rejects.toBeInstanceOf(WecomOutcomeUnknownError);
      expect(proxy.held).toEqual(['/cgi-bin/service/auth/getuserinfo3rd']);
      proxy.held.length = 0;
      await expect(viaProxy.getPreAuthCode(token)).rejects.toBeInstanceOf(WecomTimeoutError);
      expect(proxy.held).toHaveLength(4);
    });
  });

  it('shares one Redis-backed budget of WeCom calls between clients: over it, a call waits or is refused', async () => {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
    try {
      const redisPrefix = uniqueId('limit');
      const limiter = (maxWaitMs: number) => new RedisWecomCallLimiter({ redis, redisPrefix, callsPerMinute: 120, maxWaitMs });
      const a = new WecomServiceApi({ baseUrl: sim.url, limiter: limiter(0) });
      const b = new WecomServiceApi({ baseUrl: sim.url, limiter: limiter(0) });
      const token = await suiteToken();
      await simControl(sim, 'DELETE', '/sim/calls');
      const results = await Promise.allSettled([a.getPreAuthCode(token), b.getPreAuthCode(token), a.getPreAuthCode(token), b.getPreAuthCode(token)]);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WecomCallBudgetExceededError);
      const calls = await simControl<{ total: number }>(sim, 'GET', '/sim/calls');
      expect(calls.total).toBe(4 - refused.length);
      // A client allowed to wait gets its call through in a later window.
      const patient = new WecomServiceApi({ baseUrl: sim.url, limiter: limiter(5000) });
      await Promise.all([patient.getPreAuthCode(token), patient.getPreAuthCode(token), patient.getPreAuthCode(token)]);
      expect((await simControl<{ total: number }>(sim, 'GET', '/sim/calls')).total).toBe(4 - refused.length + 3);
    } finally {
      redis.disconnect();
    }
  });
});
