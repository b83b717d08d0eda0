import { AuthStack, createApiKey, installThroughBrowser, spawnAuthApp, SpawnedAuthApp, startAuthStack } from './support/auth.js';
import { simControl } from './support/platform.js';

const BUDGET = 20;
const PATH = '/cgi-bin/user/get';

describe('WeCom API gateway on three replicas', () => {
  let stack: AuthStack;
  const replicas: SpawnedAuthApp[] = [];

  beforeAll(async () => {
    stack = await startAuthStack();
    // One after the other: three node processes starting at once on a loaded 2-core machine miss the health deadline.
    for (let i = 0; i < 3; i++) replicas.push(await spawnAuthApp({ ...stack.env, LOG_LEVEL: 'warn', GATEWAY_CORP_API_PER_MINUTE: String(BUDGET) }));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await stack?.close();
  });

  it("never lets more than the corp's per-minute budget reach WeCom under a burst of five times the budget", async () => {
    const suiteId = stack.suite.suiteId;
    const corpId = (await installThroughBrowser(stack)).corpId;
    const key = await createApiKey([`suite:${suiteId}`]);
    const userId = stack.sim.state.corps.get(corpId)!.users[0].userid;
    const statuses = await Promise.all(
      Array.from({ length: 5 * BUDGET }, async (_, i) => {
        const replica = replicas[i % replicas.length];
        const res = await fetch(`${replica.url}/api/v1/suites/${suiteId}/corps/${corpId}/wecom${PATH}?userid=${userId}`, { headers: { authorization: `Bearer ${key}` } });
        const body = (await res.json()) as { errcode?: number; error?: string };
        return res.status === 200 ? `200:${body.errcode}` : `${res.status}:${body.error}`;
      }),
    );
    const counts = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(counts).toEqual({ '200:0': BUDGET, '429:corp_api_rate_limited': 4 * BUDGET });
    const atWecom = await simControl<{ total: number; max_in_any_minute: number }>(stack.sim, 'GET', `/sim/calls/corps/${corpId}?path=${encodeURIComponent(PATH)}`);
    expect(atWecom.total).toBe(BUDGET);
    expect(atWecom.max_in_any_minute).toBeLessThanOrEqual(BUDGET);
  }, 60_000);

  it('never injects a token another replica has replaced: the replacement reaches every replica before it is used', async () => {
    const suiteId = stack.suite.suiteId;
    const corpId = (await installThroughBrowser(stack)).corpId;
    const key = await createApiKey([`suite:${suiteId}`]);
    const userId = stack.sim.state.corps.get(corpId)!.users[0].userid;
    const call = async (replica: SpawnedAuthApp) => {
      const res = await fetch(`${replica.url}/api/v1/suites/${suiteId}/corps/${corpId}/wecom/cgi-bin/user/get?userid=${userId}`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { errcode?: number };
      return { status: res.status, errcode: body.errcode, refreshed: res.headers.get('x-wecom-token-refreshed') };
    };
    const fetches = async () => (await simControl<{ total: number }>(stack.sim, 'GET', `/sim/calls/corps/${corpId}?path=${encodeURIComponent('/cgi-bin/service/get_corp_token')}`)).total;
    // Every replica holds the corp's token in memory now.
    for (const replica of [...replicas, ...replicas]) expect(await call(replica)).toEqual({ status: 200, errcode: 0, refreshed: null });
    const fetchesBefore = await fetches();

    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: suiteId, corp_id: corpId });
    expect(await call(replicas[0])).toEqual({ status: 200, errcode: 0, refreshed: 'true' });
    // The others dropped the dead token on replica 0's announcement: their first attempt already carries the new one.
    expect(await call(replicas[1])).toEqual({ status: 200, errcode: 0, refreshed: null });
    expect(await call(replicas[2])).toEqual({ status: 200, errcode: 0, refreshed: null });
    expect(await fetches()).toBe(fetchesBefore + 1);
  }, 60_000);
});
