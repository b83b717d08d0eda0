import { createHash, randomBytes } from 'node:crypto';
import { AuthStack, callApi, createApiKey, installThroughBrowser, pushTicket, startAuthStack } from './support/auth.js';
import { registerSuite, simControl } from './support/platform.js';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const CORP_TOKEN_PATH = '/cgi-bin/service/get_corp_token';
/**
 * An AMR-NB file (RFC 4867 §5: the `#!AMR\n` magic, then one frame per 20 ms) of `seconds` of 12.2 kbit/s frames: a
 * frame header byte 0x3C (frame type 7, quality bit set) and 31 bytes of speech bits (zeros: silence is fine here).
 */
function amrNb(seconds: number): Buffer {
  const frame = Buffer.concat([Buffer.from([0x3c]), Buffer.alloc(31)]);
  return Buffer.concat([Buffer.from('#!AMR\n'), ...Array.from({ length: seconds * 50 }, () => frame)]);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface SimCorpCalls {
  total: number;
  max_in_any_minute: number;
  by_path: Record<string, number>;
}

describe('WeCom API gateway', () => {
  let stack: AuthStack;
  let suiteId: string;
  let corpId: string;
  let key: string;
  let members: string[];
  let agentId: number;

  beforeAll(async () => {
    // 1 person-time per account per day: the simulator's corps have 200 accounts, so 200 a day.
    stack = await startAuthStack({ GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY: '1', GATEWAY_DEADLINE_MS: '5000' });
    suiteId = stack.suite.suiteId;
    corpId = (await installThroughBrowser(stack)).corpId;
    key = await createApiKey([`suite:${suiteId}`]);
    members = stack.sim.state.corps.get(corpId)!.users.map((u) => u.userid);
    agentId = stack.sim.state.authorization(suiteId, corpId)!.agentId;
  }, 120_000);

  afterAll(() => stack.close());

  const gw = (path: string) => `/api/v1/suites/${suiteId}/corps/${corpId}/wecom${path}`;
  const corpCalls = (path?: string) => simControl<SimCorpCalls>(stack.sim, 'GET', `/sim/calls/corps/${corpId}${path ? `?path=${encodeURIComponent(path)}` : ''}`);
  const send = (touser: string) =>
    callApi<{ errcode: number; invaliduser?: string }>(stack.authUrl, 'POST', gw('/cgi-bin/message/send'), {
      key,
      body: { touser, msgtype: 'text', agentid: agentId, text: { content: 'hi' } },
    });

  it("forwards a call with the corp's token injected, drops a token the caller sent, and answers WeCom's body with quota headers", async () => {
    const res = await fetch(`${stack.authUrl}${gw('/cgi-bin/user/get')}?userid=${members[0]}&access_token=forged`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { errcode: number; userid: string; open_userid: string };
    expect(res.status).toBe(200);
    expect(body.errcode).toBe(0);
    expect(body.userid).toBe(members[0]);
    expect(res.headers.get('x-wecom-token-kind')).toBe('corp');
    expect(res.headers.get('x-wecom-errcode')).toBe('0');
    expect(Number(res.headers.get('x-quota-corp-api-remaining-minute'))).toBe(10_000 - 1);
    expect(Number(res.headers.get('x-quota-corp-api-remaining-hour'))).toBe(150_000 - 1);
    expect(JSON.stringify(body)).not.toContain('access_token');
  });

  it('refuses paths that mint or reveal credentials, and keys of another suite', async () => {
    for (const path of ['/cgi-bin/gettoken', '/cgi-bin/service/get_corp_token', '/cgi-bin/get_jsapi_ticket', '/cgi-bin/../etc']) {
      const res = await callApi(stack.authUrl, 'GET', gw(path), { key });
      expect([res.status, res.body.error]).toEqual([400, 'invalid_wecom_path']);
    }
    const otherKey = await createApiKey(['suite:wwsomeothersuite']);
    expect((await callApi(stack.authUrl, 'GET', gw('/cgi-bin/user/get'), { key: otherKey })).status).toBe(403);
    expect((await callApi(stack.authUrl, 'GET', gw('/cgi-bin/user/get'))).status).toBe(401);
  });

  it('replaces a token WeCom stopped accepting and sends the call once more', async () => {
    const fetchesBefore = (await corpCalls(CORP_TOKEN_PATH)).total;
    await simControl(stack.sim, 'POST', '/sim/tokens/invalidate', { kind: 'corp', suite_id: suiteId, corp_id: corpId });
    const res = await fetch(`${stack.authUrl}${gw('/cgi-bin/user/get')}?userid=${members[0]}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(0);
    expect(res.headers.get('x-wecom-token-refreshed')).toBe('true');
    expect((await corpCalls(CORP_TOKEN_PATH)).total).toBe(fetchesBefore + 1);
  });

  it('retries errcode -1 with backoff and answers what WeCom finally said', async () => {
    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: -1, count: 2, paths: ['/cgi-bin/user/get'] });
    const res = await fetch(`${stack.authUrl}${gw('/cgi-bin/user/get')}?userid=${members[0]}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(0);
    expect((await simControl<{ injected: number }>(stack.sim, 'GET', '/sim/faults')).injected).toBeGreaterThanOrEqual(2);
  });

  it('keeps a retried call within GATEWAY_DEADLINE_MS: a retry gets what is left of it, not a whole attempt', async () => {
    // -1 after 3 s, then an answer that would take 4 s: the 5 s deadline ends the retry (it answered 200 after ~7 s).
    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: -1, latency_ms: 3000, count: 1, paths: ['/cgi-bin/user/get'] });
    await simControl(stack.sim, 'POST', '/sim/faults', { latency_ms: 4000, count: 1, paths: ['/cgi-bin/user/get'] });
    const res = await fetch(`${stack.authUrl}${gw('/cgi-bin/user/get')}?userid=${members[0]}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toBe('wecom_unavailable');
    await simControl(stack.sim, 'DELETE', '/sim/faults');
  });

  it('answers WeCom\'s 45009 with 429 and Retry-After, and holds that corp\'s calls without calling WeCom', async () => {
    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: 45009, count: 1, paths: ['/cgi-bin/agent/get'] });
    const limited = await fetch(`${stack.authUrl}${gw('/cgi-bin/agent/get')}?agentid=${agentId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(((await limited.json()) as { error: string }).error).toBe('corp_slowed_down');
    const before = (await corpCalls()).total;
    const held = await fetch(`${stack.authUrl}${gw('/cgi-bin/user/get')}?userid=${members[0]}`, { headers: { authorization: `Bearer ${key}` } });
    expect(held.status).toBe(429);
    expect(((await held.json()) as { error: string }).error).toBe('corp_slowed_down');
    expect((await corpCalls()).total).toBe(before);
    // Lift the hold for the tests that follow (as WeCom's lockout would end).
    await stack.worker.redis.del(`${stack.env.REDIS_PREFIX}:gw:slow:${corpId}`);
  });

  it('refuses the 31st app message to a member within a minute before WeCom would drop it, and the day budget once spent', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 32; i++) answers.push((await send(members[0])).status);
    expect(answers.filter((s) => s === 200)).toHaveLength(30);
    expect(answers.slice(30)).toEqual([429, 429]);
    const refused = await send(members[0]);
    expect(refused.body).toMatchObject({ error: 'message_member_rate_limited' });
    const stats = await simControl<{ by_corp: Record<string, { delivered: number; dropped: number }> }>(stack.sim, 'GET', '/sim/messages');
    expect(stats.by_corp[corpId]).toMatchObject({ delivered: 30, dropped: 0 });

    // 30 of the day's 200 person-times are spent: @all costs 200 (every account), so it is refused before WeCom.
    const all = await send('@all');
    expect([all.status, (all.body as unknown as { error: string }).error]).toEqual([429, 'message_daily_quota_exceeded']);
    const usage = await callApi(stack.authUrl, 'GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/gateway-usage`, { key: stack.adminKey });
    expect(usage.body).toEqual({ messagesToday: 30, messagesDailyLimit: 200, corpUserMax: 200, corpApiPerMinuteLimit: 10_000, slowedDownForSeconds: 0 });
  });

  it('gives back the member and day quotas of a message WeCom refused or never got', async () => {
    const usage = async () => (await callApi<{ messagesToday: number }>(stack.authUrl, 'GET', `/api/v1/admin/suites/${suiteId}/corps/${corpId}/gateway-usage`, { key: stack.adminKey })).body.messagesToday;
    const memberMinute = async (member: string) => Number((await stack.worker.redis.get(`${stack.env.REDIS_PREFIX}:gw:member-m:${suiteId}:${corpId}:${member}`)) ?? 0);
    const before = await usage();
    const member = members[1];

    await simControl(stack.sim, 'POST', '/sim/faults', { errcode: 81013, count: 1, paths: ['/cgi-bin/message/send'] });
    const refused = await send(member);
    expect([refused.status, refused.body.errcode]).toEqual([200, 81013]);
    expect([await usage(), await memberMinute(member)]).toEqual([before, 0]);

    await simControl(stack.sim, 'POST', '/sim/faults', { drop: true, count: 1, paths: ['/cgi-bin/message/send'] });
    const lost = await send(member);
    expect(lost.status).toBeGreaterThanOrEqual(500);
    expect([await usage(), await memberMinute(member)]).toEqual([before, 0]);

    const delivered = await send(member);
    expect([delivered.status, delivered.body.errcode]).toEqual([200, 0]);
    expect([await usage(), await memberMinute(member)]).toEqual([before + 1, 1]);
  });

  it('checks uploads by content before WeCom sees them and returns when the media_id expires', async () => {
    const upload = (bytes: Buffer, filename: string, type: string) => {
      const form = new FormData();
      form.append('media', new Blob([bytes]), filename);
      return fetch(`${stack.authUrl}${gw('/cgi-bin/media/upload')}?type=${type}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
    };
    const good = await upload(PNG_1x1, 'dot.png', 'image');
    const goodBody = (await good.json()) as { errcode: number; media_id: string; created_at: string };
    expect([good.status, goodBody.errcode]).toEqual([200, 0]);
    expect(goodBody.media_id.length).toBeGreaterThan(10);
    expect(new Date(good.headers.get('x-wecom-media-expires-at')!).getTime()).toBe((Number(goodBody.created_at) + 3 * 86_400) * 1000);

    const uploadsBefore = (await simControl<{ uploads_by_corp: Record<string, number> }>(stack.sim, 'GET', '/sim/media')).uploads_by_corp[corpId];
    const fake = await upload(Buffer.from('this is plain text, not a picture'), 'photo.jpg', 'image');
    expect(fake.status).toBe(400);
    const fakeBody = (await fake.json()) as { error: string; message: string };
    expect(fakeBody.error).toBe('media_invalid');
    expect(fakeBody.message).toMatch(/^an image must be jpg or png by content/);
    const tooBig = await upload(Buffer.alloc(2 * 1024 * 1024 + 10, 1), 'voice.amr', 'voice');
    expect(tooBig.status).toBe(413);
    // Declared far over the limit: refused before its body is read.
    const declaredTooBig = await upload(Buffer.alloc(3 * 1024 * 1024, 1), 'long.amr', 'voice');
    expect(declaredTooBig.status).toBe(413);
    expect(await declaredTooBig.json()).toMatchObject({ error: 'media_too_large', message: expect.stringMatching(/^voice uploads are at most 2097152 bytes; this request declares 31\d{5}$/) });
    const shortVoice = await upload(amrNb(3), 'hello.amr', 'voice');
    expect([shortVoice.status, ((await shortVoice.json()) as { errcode: number }).errcode]).toEqual([200, 0]);
    const longVoice = await upload(amrNb(62), 'speech.amr', 'voice');
    expect(longVoice.status).toBe(400);
    expect(await longVoice.json()).toMatchObject({ error: 'media_invalid', message: 'a voice may be at most 60 s long; this one is 62 s' });
    const anyFile = await upload(Buffer.from('a plain text file is fine as a file'), 'notes.txt', 'file');
    expect(anyFile.status).toBe(200);
    expect((await simControl<{ uploads_by_corp: Record<string, number> }>(stack.sim, 'GET', '/sim/media')).uploads_by_corp[corpId]).toBe(uploadsBefore + 2);
  });

  it("downloads media through the gateway as WeCom answers it: the bytes, Content-Type and filename unchanged, up to a 20 MB file; WeCom's errcode for an unknown media_id", async () => {
    const upload = async (bytes: Buffer, filename: string, type: string, mime?: string): Promise<string> => {
      const form = new FormData();
      form.append('media', new Blob([bytes], mime ? { type: mime } : {}), filename);
      const res = await fetch(`${stack.authUrl}${gw('/cgi-bin/media/upload')}?type=${type}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { errcode: number; media_id: string };
      expect([res.status, body.errcode]).toEqual([200, 0]);
      return body.media_id;
    };
    const download = (mediaId: string) => fetch(`${stack.authUrl}${gw('/cgi-bin/media/get')}?media_id=${mediaId}`, { headers: { authorization: `Bearer ${key}` } });
    const direct = async (mediaId: string) => {
      const token = (await callApi<{ access_token: string }>(stack.authUrl, 'GET', `/api/v1/suites/${suiteId}/corps/${corpId}/access-token`, { key })).body.access_token;
      const res = await fetch(`${stack.sim.url}/cgi-bin/media/get?access_token=${token}&media_id=${mediaId}`);
      return { type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
    };

    // A file of the largest size WeCom takes, of no type file-type knows: it streams through.
    const big = randomBytes(20 * 1024 * 1024);
    const bigId = await upload(big, 'archive.bin', 'file', 'application/octet-stream');
    const bigRes = await download(bigId);
    const bigBytes = Buffer.from(await bigRes.arrayBuffer());
    expect([bigRes.status, bigRes.headers.get('content-type'), bigRes.headers.get('content-disposition'), bigRes.headers.get('x-wecom-errcode')]).toEqual([
      200,
      'application/octet-stream',
      `attachment; filename="${bigId}.bin"`,
      '0',
    ]);
    expect([bigBytes.length, sha256(bigBytes)]).toEqual([big.length, sha256(big)]);

    for (const [bytes, filename, type, mime] of [
      [PNG_1x1, 'dot.png', 'image', undefined],
      // A text file is a download too (WeCom marks it an attachment): not mistaken for a JSON answer that failed to parse.
      [Buffer.from('{"errcode": 40014, "note": "a JSON file is a file like any other"}'), 'looks-like-an-error.json', 'file', 'application/json'],
      [Buffer.from('plain words\n'), 'notes.txt', 'file', 'text/plain'],
    ] as const) {
      const mediaId = await upload(bytes, filename, type, mime);
      const res = await download(mediaId);
      const got = { type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
      expect({ filename, status: res.status, errcode: res.headers.get('x-wecom-errcode'), refreshed: res.headers.get('x-wecom-token-refreshed'), ...got }).toEqual({
        filename,
        status: 200,
        errcode: '0',
        refreshed: null,
        ...(await direct(mediaId)),
      });
      expect(got.bytes).toEqual(bytes);
    }

    const unknown = await download('nosuchmedia');
    expect([unknown.status, unknown.headers.get('x-wecom-errcode'), await unknown.json()]).toEqual([200, '40007', expect.objectContaining({ errcode: 40007 })]);
  });

  it("forwards provider APIs with the provider_access_token injected, never the token-minting ones", async () => {
    const providerCorpId = stack.suite.providerCorpId;
    const providerKey = await createApiKey([`provider:${providerCorpId}`]);
    const res = await callApi<{ errcode: number; open_corpid: string }>(stack.authUrl, 'POST', `/api/v1/providers/${providerCorpId}/wecom/cgi-bin/service/corpid_to_opencorpid`, {
      key: providerKey,
      body: { corpid: corpId },
    });
    expect(res.status).toBe(200);
    expect(res.body.errcode).toBe(0);
    expect(res.body.open_corpid).toMatch(/^wp/);
    const minted = await callApi(stack.authUrl, 'POST', `/api/v1/providers/${providerCorpId}/wecom/cgi-bin/service/get_provider_token`, { key: providerKey, body: {} });
    expect([minted.status, minted.body.error]).toEqual([400, 'invalid_wecom_path']);
    const malformed = await fetch(`${stack.authUrl}/api/v1/providers/${providerCorpId}/wecom/cgi-bin/service/get_login_info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${providerKey}`, 'content-type': 'application/json' },
      body: '{"auth_code": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toBe('invalid_body');
    // A suite-scoped key is not a provider key.
    expect((await callApi(stack.authUrl, 'POST', `/api/v1/providers/${providerCorpId}/wecom/cgi-bin/service/corpid_to_opencorpid`, { key, body: { corpid: corpId } })).status).toBe(403);
  });

  it('converts ids through typed routes, caches them per suite and corp, and never answers one suite from another\'s cache', async () => {
    const open = await callApi<{ converted: Record<string, string>; invalid: string[] }>(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/ids/open-userids`, {
      key,
      body: { userids: [members[0], 'nobody-here'] },
    });
    const user = (await (await fetch(`${stack.authUrl}${gw('/cgi-bin/user/get')}?userid=${members[0]}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { open_userid: string };
    expect(open.status).toBe(200);
    expect(open.body).toEqual({ converted: { [members[0]]: user.open_userid }, invalid: ['nobody-here'] });
    const callsBefore = (await corpCalls('/cgi-bin/batch/userid_to_openuserid')).total;
    const again = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/ids/open-userids`, { key, body: { userids: [members[0]] } });
    expect(again.body).toEqual({ converted: { [members[0]]: user.open_userid }, invalid: [] });
    expect((await corpCalls('/cgi-bin/batch/userid_to_openuserid')).total).toBe(callsBefore);

    // The same corp installs a second suite: the same old external_userid has another new id for it.
    const suite2 = await registerSuite(stack.sim, stack.callbackUrl);
    await pushTicket(stack.sim, suite2.suiteId);
    await installThroughBrowser({ authUrl: stack.authUrl, suite: suite2 }, { simCorpId: corpId });
    const key2 = await createApiKey([`suite:${suite2.suiteId}`]);
    const convert = (s: string, k: string) =>
      callApi<{ converted: Record<string, string> }>(stack.authUrl, 'POST', `/api/v1/suites/${s}/corps/${corpId}/ids/new-external-userids`, { key: k, body: { external_userids: ['wmOLDcustomer1'] } });
    const first = (await convert(suiteId, key)).body.converted['wmOLDcustomer1'];
    const second = (await convert(suite2.suiteId, key2)).body.converted['wmOLDcustomer1'];
    expect(first).toMatch(/^wm/);
    expect(second).toMatch(/^wm/);
    expect(second).not.toBe(first);

    const union = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/ids/unionid-external-userid`, { key, body: { unionid: 'ozUNION', openid: 'oOPEN' } });
    expect(union.status).toBe(200);
    expect(union.body).toMatchObject({ external_userid: expect.stringMatching(/^wm/), pending_id: expect.any(String) });
    const tmp = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/ids/tmp-external-userids`, {
      key,
      body: { business_type: 1, user_type: 1, tmp_external_userids: ['tmpABC', 'bogus'] },
    });
    expect(tmp.body).toMatchObject({ invalid: ['bogus'] });
    const bad = await callApi(stack.authUrl, 'POST', `/api/v1/suites/${suiteId}/corps/${corpId}/ids/open-userids`, { key, body: { userids: [] } });
    expect(bad.status).toBe(400);
  });
});
