import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { AuthStack, callApi, createApiKey, pushTicket, simCallCount, startAuthStack, startTestAuthApp } from './support/auth.js';
import { registerSuite } from './support/platform.js';

const PRE_AUTH_CODE_PATH = '/cgi-bin/service/get_pre_auth_code';

/** Anonymous clients hammering the browser routes, as the security review did: every limit holds. Loopback only. */
describe('auth app: rate limits on anonymous routes', () => {
  let stack: AuthStack;
  let suiteId: string;
  const extraApps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    stack = await startAuthStack({
      INSTALL_REQUESTS_PER_IP_PER_MINUTE: '5',
      INSTALL_STARTS_PER_SUITE_PER_MINUTE: '3',
      OAUTH_REQUESTS_PER_IP_PER_MINUTE: '8',
      INVALIDATIONS_PER_TOKEN_PER_MINUTE: '3',
      INVALIDATIONS_PER_KEY_PER_MINUTE: '5',
    });
    suiteId = stack.suite.suiteId;
  });

  afterAll(async () => {
    for (const app of extraApps) await app.close();
    await stack.close();
  });

  /** Another replica of the auth app on the same Redis prefix, with these settings changed. */
  async function replica(overrides: Record<string, string> = {}): Promise<string> {
    const started = await startTestAuthApp({ ...stack.env, ...overrides });
    extraApps.push(started.app);
    return started.url;
  }

  it('answers 429 after the per-IP install limit, whatever X-Forwarded-For says, in every replica', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await callApi(stack.authUrl, 'GET', `/install/${suiteId}`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body).toMatchObject({ statusCode: 429, error: 'rate_limited' });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
    const limited = await fetch(`${stack.authUrl}/install/${suiteId}/complete?auth_code=x&state=abc`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // The counters live in Redis: another replica already knows this client.
    const other = await replica();
    expect((await fetch(`${other}/install/${suiteId}`)).status).toBe(429);
  });

  it('caps install button presses per suite across clients behind a trusted proxy (TRUST_PROXY as CIDR)', async () => {
    const behindProxy = await replica({ TRUST_PROXY: '127.0.0.0/8' });
    const before = await simCallCount(stack.sim, suiteId, PRE_AUTH_CODE_PATH);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${behindProxy}/install/${suiteId}/start`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: behindProxy, 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429, 429, 429, 429, 429]);
    expect(await simCallCount(stack.sim, suiteId, PRE_AUTH_CODE_PATH)).toBe(before + 3);
  });

  it('answers 429 after the per-IP OAuth limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await fetch(`${stack.authUrl}/oauth/${suiteId}/authorize`, { redirect: 'manual' })).status);
    expect(statuses).toEqual([302, 302, 302, 302, 302, 302, 302, 302, 429, 429]);
  });

  it('stops a suite key from turning fetch + invalidate into a WeCom refetch loop', async () => {
    const suiteKey = await createApiKey([`suite:${suiteId}`]);
    const path = `/api/v1/suites/${suiteId}/access-token`;
    const fetches = () => simCallCount(stack.sim, suiteId, '/cgi-bin/service/get_suite_token');
    const before = await fetches();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const token = await callApi<{ access_token: string }>(stack.authUrl, 'GET', path, { key: suiteKey });
      const dropped = await callApi(stack.authUrl, 'POST', `${path}/invalidate`, { key: suiteKey, body: i % 2 ? {} : { access_token: token.body.access_token } });
      statuses.push(dropped.status);
      if (dropped.status === 429) expect(dropped.body).toMatchObject({ error: 'rate_limited' });
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    expect(await fetches()).toBeLessThanOrEqual(before + 4);

    // Another key has its own budget; one key's budget spans every token it may drop.
    const otherKey = await createApiKey([`suite:${suiteId}`]);
    expect((await callApi(stack.authUrl, 'POST', `${path}/invalidate`, { key: otherKey, body: {} })).status).toBe(200);
    const second = await registerSuite(stack.sim, stack.callbackUrl);
    await pushTicket(stack.sim, second.suiteId);
    const adminStatuses: number[] = [];
    for (const target of [suiteId, suiteId, suiteId, second.suiteId, second.suiteId, second.suiteId]) {
      adminStatuses.push((await callApi(stack.authUrl, 'POST', `/api/v1/suites/${target}/access-token/invalidate`, { key: stack.adminKey, body: {} })).status);
    }
    expect(adminStatuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('names its Redis counters <prefix>:rl:<route>:<ip or key>, and nothing `undefined`', async () => {
    const prefix = stack.env.REDIS_PREFIX;
    const redis = new Redis(stack.env.REDIS_URL);
    try {
      const keys = (await redis.keys(`${prefix}:*`)).sort();
      expect(keys.filter((k) => k.includes('undefined'))).toEqual([]);
      const counters = keys.filter((k) => k.startsWith(`${prefix}:rl:`));
      expect(counters).toEqual(expect.arrayContaining([`${prefix}:rl:install:127.0.0.1`, `${prefix}:rl:oauth:127.0.0.1`, `${prefix}:rl:install-start:${suiteId}`]));
      // API keys are counted by a hash, never the key itself; per token under the token's kind, suite and corp.
      const perKey = `${prefix}:rl:invalidate:`;
      expect(counters.some((k) => k.startsWith(perKey) && /^[\w-]{22}$/.test(k.slice(perKey.length)))).toBe(true);
      expect(counters.some((k) => k.startsWith(`${prefix}:rl:invalidate-token:`) && k.endsWith(`:suite:${suiteId}:`))).toBe(true);
      expect(await redis.pttl(`${prefix}:rl:install:127.0.0.1`)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
