import { randomBytes } from 'node:crypto';
import { decrypt, getJsApiSignature, getSignature } from '@wecom/crypto';
import { startSimulator, Simulator } from '../apps/wecom-sim/src/simulator.js';
import { CallbackReceiver, ReceivedRequest, xmlField } from '../apps/wecom-sim/test/support/callback-receiver.js';
import { Json, SimClient } from '../apps/wecom-sim/test/support/sim-client.js';

const SUITE = 'wwsuite0001';
const SECRET = 'suite-secret-0001';
const TOKEN = 'callbackToken';
const AES_KEY = randomBytes(32).toString('base64').slice(0, 43);
const PROVIDER = 'wwprovider0001';
const PROVIDER_SECRET = 'provider-secret';

let sim: Simulator;
let client: SimClient;
let receiver: CallbackReceiver;

/** Decrypts a received callback after checking its signature, the way the platform must. */
function openCallback(request: ReceivedRequest, token = TOKEN, aesKey = AES_KEY) {
  const encrypted = xmlField(request.body, 'Encrypt');
  if (!encrypted) throw new Error(`no Encrypt in ${request.body}`);
  const { msg_signature, timestamp, nonce } = request.query;
  return {
    signatureValid: getSignature(token, timestamp, nonce, encrypted) === msg_signature,
    toUserName: xmlField(request.body, 'ToUserName'),
    agentId: xmlField(request.body, 'AgentID'),
    timestamp,
    ...decrypt(aesKey, encrypted),
  };
}

const isInfo = (infoType: string) => (r: ReceivedRequest) => r.method === 'POST' && r.path === '/command' && openCallback(r).message.includes(`<InfoType><![CDATA[${infoType}]]></InfoType>`);

async function registerSuite(overrides: Json = {}): Promise<Json> {
  return client.control('POST', '/sim/suites', {
    suite_id: SUITE,
    suite_secret: SECRET,
    token: TOKEN,
    encoding_aes_key: AES_KEY,
    command_callback_url: receiver.url('/command'),
    data_callback_url: receiver.url('/data'),
    provider_corpid: PROVIDER,
    provider_secret: PROVIDER_SECRET,
    install_domain: 'isv.test',
    ...overrides,
  });
}

async function suiteToken(suiteId = SUITE, secret = SECRET): Promise<string> {
  const { suite_ticket } = await client.control('POST', `/sim/suites/${suiteId}/push-ticket`);
  const res = await client.post('/cgi-bin/service/get_suite_token', { suite_id: suiteId, suite_secret: secret, suite_ticket });
  expect(res.errcode).toBe(0);
  return res.suite_access_token as string;
}

async function installCorp(token: string, options: Json = {}, suiteId = SUITE) {
  const install = await client.control('POST', `/sim/suites/${suiteId}/installs`, options);
  const exchanged = await client.post('/cgi-bin/service/get_permanent_code', { auth_code: install.auth_code }, { suite_access_token: token });
  expect(exchanged.errcode).toBe(0);
  return { corpId: install.corp_id as string, permanentCode: exchanged.permanent_code as string, agentId: install.agentid as number, exchanged, install };
}

async function corpToken(token: string, corpId: string, permanentCode: string): Promise<Json> {
  return client.post('/cgi-bin/service/get_corp_token', { auth_corpid: corpId, permanent_code: permanentCode }, { suite_access_token: token });
}

beforeAll(async () => {
  receiver = await new CallbackReceiver().start();
  sim = await startSimulator({ port: 0, ticketIntervalSeconds: 0, logger: false, callbackTimeoutMs: 1000, callbackRetryDelayMs: 20 });
  client = new SimClient(sim);
});

afterAll(async () => {
  await sim.close();
  await receiver.stop();
});

beforeEach(async () => {
  await sim.core.pusher.idle();
  await client.control('POST', '/sim/reset');
  receiver.reset();
  await registerSuite();
});

describe('suite_ticket and suite_access_token', () => {
  it('pushes a suite_ticket encrypted and signed for receiver_id = suite_id', async () => {
    const pushed = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    const [request] = await receiver.waitFor(isInfo('suite_ticket'));
    const opened = openCallback(request);
    expect(opened.signatureValid).toBe(true);
    expect(opened.id).toBe(SUITE);
    expect(opened.toUserName).toBe(SUITE);
    expect(xmlField(opened.message, 'SuiteId')).toBe(SUITE);
    expect(xmlField(opened.message, 'SuiteTicket')).toBe(pushed.suite_ticket);
    expect(xmlField(opened.message, 'TimeStamp')).toBe(opened.timestamp);
    expect(pushed.outcome).toMatchObject({ delivered: true, attempts: 1, status: 200, info_type: 'suite_ticket' });
  });

  it('returns the same suite token while valid and a new one after expiry', async () => {
    const first = await suiteToken();
    sim.clock.advance(3600);
    const { suite_ticket } = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    const again = await client.post('/cgi-bin/service/get_suite_token', { suite_id: SUITE, suite_secret: SECRET, suite_ticket });
    expect(again.suite_access_token).toBe(first);
    // Rounded down: the milliseconds spent since the advance make it 3599 at times.
    expect([3599, 3600]).toContain(again.expires_in);
    sim.clock.advance(3600);
    expect((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: first })).errcode).toBe(42009);
    // The ticket pushed an hour ago is past its 30 minutes.
    const stale = await client.post('/cgi-bin/service/get_suite_token', { suite_id: SUITE, suite_secret: SECRET, suite_ticket });
    expect(stale.errcode).toBe(40085);
    const renewed = await suiteToken();
    expect(renewed).not.toBe(first);
  });

  it('rejects an unknown suite, a wrong secret, a foreign ticket and missing fields', async () => {
    const { suite_ticket } = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    const ask = (body: Json) => client.post('/cgi-bin/service/get_suite_token', body).then((r) => r.errcode);
    expect(await ask({ suite_id: 'wwnosuch', suite_secret: SECRET, suite_ticket })).toBe(40083);
    expect(await ask({ suite_id: SUITE, suite_secret: 'wrong', suite_ticket })).toBe(40080);
    expect(await ask({ suite_id: SUITE, suite_secret: SECRET, suite_ticket: 'never-pushed' })).toBe(40085);
    expect(await ask({ suite_secret: SECRET, suite_ticket })).toBe(41021);
    expect(await ask({ suite_id: SUITE, suite_secret: SECRET })).toBe(41023);
  });

  it('pushes tickets automatically every interval of simulated time', async () => {
    const auto = await startSimulator({ port: 0, ticketIntervalSeconds: 600, logger: false });
    try {
      const autoClient = new SimClient(auto);
      await autoClient.control('POST', '/sim/suites', { suite_id: 'wwauto', suite_secret: 's', token: TOKEN, encoding_aes_key: AES_KEY, command_callback_url: receiver.url('/auto') });
      const fromAuto = (r: ReceivedRequest) => r.path === '/auto';
      await receiver.waitFor(fromAuto, 1);
      auto.clock.advance(590);
      await new Promise((r) => setTimeout(r, 400));
      expect(receiver.requests.filter(fromAuto)).toHaveLength(1);
      auto.clock.advance(10);
      const pushes = await receiver.waitFor(fromAuto, 2);
      expect(openCallback(pushes[1]).id).toBe('wwauto');
    } finally {
      await auto.close();
    }
  });
});

describe('pre_auth_code, install and auth_code', () => {
  it('pre_auth_code accepts session info and expires after 1200 s', async () => {
    const token = await suiteToken();
    const pre = await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token });
    expect(pre).toMatchObject({ errcode: 0, expires_in: 1200 });
    const set = (code: string) =>
      client.post('/cgi-bin/service/set_session_info', { pre_auth_code: code, session_info: { appid: [], auth_type: 1 } }, { suite_access_token: token });
    expect((await set(pre.pre_auth_code as string)).errcode).toBe(0);
    expect((await set('nonsense')).errcode).toBe(40077);
    sim.clock.advance(1199);
    expect((await set(pre.pre_auth_code as string)).errcode).toBe(0);
    sim.clock.advance(1);
    expect((await set(pre.pre_auth_code as string)).errcode).toBe(42007);
  });

  it('install page approves and redirects with auth_code, state and expires_in, and pushes no create_auth (link install)', async () => {
    const token = await suiteToken();
    const pre = await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token });
    const res = await client.fetch('GET', '/3rdapp/install', {
      query: { suite_id: SUITE, pre_auth_code: pre.pre_auth_code as string, redirect_uri: 'http://platform.test/install/complete?x=1', state: 'st-42' },
      headers: { referer: 'https://isv.test/install/page' },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('http://platform.test/install/complete');
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('state')).toBe('st-42');
    expect(location.searchParams.get('expires_in')).toBe('600');
    const authCode = location.searchParams.get('auth_code') ?? '';
    await sim.core.pusher.idle();
    expect(receiver.requests.filter(isInfo('create_auth'))).toEqual([]);
    expect((await client.control('GET', `/sim/callbacks?info_type=create_auth`)).callbacks).toEqual([]);
    const exchanged = await client.post('/cgi-bin/service/get_permanent_code', { auth_code: authCode }, { suite_access_token: token });
    expect(exchanged.state).toBe('st-42');
  });

  it('a market / QR install through the control API pushes create_auth with AuthCode and State', async () => {
    const install = await client.control('POST', `/sim/suites/${SUITE}/installs`, { state: 'qr7', push_callback: true });
    expect(install.outcome).toMatchObject({ delivered: true, info_type: 'create_auth' });
    const [callback] = await receiver.waitFor(isInfo('create_auth'));
    const opened = openCallback(callback);
    expect(opened.signatureValid).toBe(true);
    expect(opened.id).toBe(SUITE);
    expect(xmlField(opened.message, 'AuthCode')).toBe(install.auth_code);
    expect(xmlField(opened.message, 'State')).toBe('qr7');
  });

  it('install page refuses a request that was not clicked on the registered 授权发起域名, as WeCom does', async () => {
    const token = await suiteToken();
    const pre = await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token });
    const query = { suite_id: SUITE, pre_auth_code: pre.pre_auth_code as string, redirect_uri: 'http://platform.test/done', state: 's' };
    for (const headers of [{}, { referer: 'https://evil.test/isv.test' }, { referer: 'https://notisv.test/' }, { referer: 'not a url' }] as Record<string, string>[]) {
      const res = await client.fetch('GET', '/3rdapp/install', { query, headers });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('校验请求来源错误');
    }
    const fromSubdomain = await client.fetch('GET', '/3rdapp/install', { query, headers: { referer: 'https://www.isv.test/x' } });
    expect(fromSubdomain.status).toBe(302);
  });

  it('install page refuses a bad pre_auth_code or suite with an error page', async () => {
    const bad = await client.fetch('GET', '/3rdapp/install', { query: { suite_id: SUITE, pre_auth_code: 'nope', redirect_uri: 'http://x.test/' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/html');
    const unknown = await client.fetch('GET', '/3rdapp/install', { query: { suite_id: 'wwother', pre_auth_code: 'nope', redirect_uri: 'http://x.test/' } });
    expect(unknown.status).toBe(400);
  });

  it('exchanges an auth_code once, with WeCom v1 fields; a reused or expired code gives 40078', async () => {
    const token = await suiteToken();
    const install = await client.control('POST', `/sim/suites/${SUITE}/installs`, { state: 's1', corp_name: '测试企业' });
    const first = await client.post('/cgi-bin/service/get_permanent_code', { auth_code: install.auth_code }, { suite_access_token: token });
    expect(first).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      expires_in: 7200,
      state: 's1',
      auth_corp_info: { corpid: install.corp_id, corp_name: '测试企业', corp_type: 'verified', subject_type: 1 },
      auth_info: { agent: [{ agentid: install.agentid, appid: 1, privilege: { level: 1, allow_party: [1] } }] },
      auth_user_info: { userid: install.admin_userid },
      edition_info: { agent: [{ agentid: install.agentid }] },
    });
    expect(typeof first.access_token).toBe('string');
    expect(typeof first.permanent_code).toBe('string');
    for (const key of ['corp_square_logo_url', 'corp_user_max', 'corp_full_name', 'verified_end_time', 'corp_wxqrcode', 'corp_scale', 'corp_industry', 'corp_sub_industry']) {
      expect(first.auth_corp_info).toHaveProperty(key);
    }
    const again = await client.post('/cgi-bin/service/get_permanent_code', { auth_code: install.auth_code }, { suite_access_token: token });
    expect(again.errcode).toBe(40078);

    const other = await client.control('POST', `/sim/suites/${SUITE}/installs`, {});
    sim.clock.advance(600);
    const expired = await client.post('/cgi-bin/service/v2/get_permanent_code', { auth_code: other.auth_code }, { suite_access_token: token });
    expect(expired.errcode).toBe(40078);
  });

  it('v2 get_permanent_code has no access_token', async () => {
    const token = await suiteToken();
    const install = await client.control('POST', `/sim/suites/${SUITE}/installs`, {});
    const v2 = await client.post('/cgi-bin/service/v2/get_permanent_code', { auth_code: install.auth_code }, { suite_access_token: token });
    expect(v2.errcode).toBe(0);
    expect(v2).not.toHaveProperty('access_token');
    expect(v2).not.toHaveProperty('expires_in');
    // v2 leaves the agents, edition and dealer to get_auth_info (document 100776).
    for (const field of ['auth_info', 'edition_info', 'dealer_corp_info']) expect(v2).not.toHaveProperty(field);
    expect(v2.auth_corp_info).toEqual({ corpid: install.corp_id, corp_name: expect.any(String) });
  });
});

describe.each(['remaining', 'constant'] as const)('same token for its whole validity (expires_in_mode %s)', (mode) => {
  beforeEach(async () => {
    expect((await client.control('POST', '/sim/clock', { expires_in_mode: mode })).expires_in_mode).toBe(mode);
  });

  /** What a repeated fetch reports with `left` simulated seconds remaining. */
  const reported = (left: number) => (mode === 'constant' ? [7200] : [left - 1, left]);

  it('suite_access_token: the same token until it expires, then a new one', async () => {
    const first = await client.post('/cgi-bin/service/get_suite_token', { suite_id: SUITE, suite_secret: SECRET, suite_ticket: (await client.control('POST', `/sim/suites/${SUITE}/push-ticket`)).suite_ticket });
    expect(first.expires_in).toBe(7200);
    sim.clock.advance(7100);
    const { suite_ticket } = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    const late = await client.post('/cgi-bin/service/get_suite_token', { suite_id: SUITE, suite_secret: SECRET, suite_ticket });
    expect(late.suite_access_token).toBe(first.suite_access_token);
    expect(reported(100)).toContain(late.expires_in);
    sim.clock.advance(100);
    expect((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: first.suite_access_token as string })).errcode).toBe(42009);
    const next = await client.post('/cgi-bin/service/get_suite_token', { suite_id: SUITE, suite_secret: SECRET, suite_ticket });
    expect(next.suite_access_token).not.toBe(first.suite_access_token);
    expect(next.expires_in).toBe(7200);
  });

  it('corp access_token, jsapi and agent tickets: the same until expiry, whatever is asked in between', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode, exchanged } = await installCorp(token);
    sim.clock.advance(7000);
    const token2 = await suiteToken();
    const late = await corpToken(token2, corpId, permanentCode);
    expect(late.access_token).toBe(exchanged.access_token);
    expect(reported(200)).toContain(late.expires_in);
    const jsapi = await client.get('/cgi-bin/get_jsapi_ticket', { access_token: late.access_token as string });
    expect(jsapi.expires_in).toBe(7200);
    sim.clock.advance(199);
    expect((await corpToken(token2, corpId, permanentCode)).access_token).toBe(exchanged.access_token);
    sim.clock.advance(1);
    const fresh = await corpToken(await suiteToken(), corpId, permanentCode);
    expect(fresh.access_token).not.toBe(exchanged.access_token);
    expect(fresh.expires_in).toBe(7200);
    sim.clock.advance(6900);
    const again = await client.get('/cgi-bin/get_jsapi_ticket', { access_token: fresh.access_token as string });
    expect(again.ticket).toBe(jsapi.ticket);
    expect(reported(100)).toContain(again.expires_in);
    const agent = await client.get('/cgi-bin/ticket/get', { access_token: fresh.access_token as string, type: 'agent_config' });
    sim.clock.advance(99);
    const agentAgain = await client.get('/cgi-bin/ticket/get', { access_token: fresh.access_token as string, type: 'agent_config' });
    expect(agentAgain.ticket).toBe(agent.ticket);
    expect(reported(7101)).toContain(agentAgain.expires_in);
  });

  it('provider_access_token: the same until expiry; an early revocation gives a new one at once', async () => {
    const ask = () => client.post('/cgi-bin/service/get_provider_token', { corpid: PROVIDER, provider_secret: PROVIDER_SECRET });
    const first = await ask();
    sim.clock.advance(7199);
    const late = await ask();
    expect(late.provider_access_token).toBe(first.provider_access_token);
    expect(mode === 'constant' ? [7200] : [1]).toContain(late.expires_in);
    await client.control('POST', '/sim/tokens/invalidate', { kind: 'provider' });
    const next = await ask();
    expect(next.provider_access_token).not.toBe(first.provider_access_token);
    expect(next.expires_in).toBe(7200);
  });
});

describe('permanent_code and corp tokens', () => {
  it('keeps one permanent_code per (suite, corp)', async () => {
    await client.control('POST', '/sim/suites', { suite_id: 'wwsuite0002', suite_secret: 'two', token: TOKEN, encoding_aes_key: AES_KEY });
    const tokenA = await suiteToken();
    const tokenB = await suiteToken('wwsuite0002', 'two');
    const a = await installCorp(tokenA);
    const b = await installCorp(tokenB, { corp_id: a.corpId }, 'wwsuite0002');
    expect(b.corpId).toBe(a.corpId);
    expect(b.permanentCode).not.toBe(a.permanentCode);
    expect((await corpToken(tokenB, a.corpId, a.permanentCode)).errcode).toBe(40084);
    expect((await corpToken(tokenA, a.corpId, a.permanentCode)).access_token).toBeDefined();
    const info = await client.post('/cgi-bin/service/get_auth_info', { auth_corpid: a.corpId, permanent_code: a.permanentCode }, { suite_access_token: tokenA });
    expect(info).toMatchObject({ errcode: 0, auth_corp_info: { corpid: a.corpId }, auth_info: { agent: [{ agentid: a.agentId }] } });
  });

  it('answers get_corp_token without errcode, as WeCom does', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode, exchanged } = await installCorp(token);
    const first = await corpToken(token, corpId, permanentCode);
    expect(first).toEqual({ access_token: exchanged.access_token, expires_in: expect.any(Number) });
  });

  it('accepts the corp token on a corp API and rejects bad or expired ones', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode, agentId } = await installCorp(token);
    const { access_token } = await corpToken(token, corpId, permanentCode);
    const agent = await client.get('/cgi-bin/agent/get', { access_token: access_token as string, agentid: String(agentId) });
    expect(agent).toMatchObject({ errcode: 0, agentid: agentId });
    expect((await client.get('/cgi-bin/agent/get', { access_token: 'bogus', agentid: String(agentId) })).errcode).toBe(40014);
    expect((await client.get('/cgi-bin/agent/get', { agentid: String(agentId) })).errcode).toBe(41001);
    sim.clock.advance(7200);
    expect((await client.get('/cgi-bin/agent/get', { access_token: access_token as string, agentid: String(agentId) })).errcode).toBe(42001);
  });

  it('lists departments and their members as a third-party app sees them (ids, no names), with WeCom\'s errcodes', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode } = await installCorp(token);
    const access_token = (await corpToken(token, corpId, permanentCode)).access_token as string;
    expect(await client.get('/cgi-bin/department/list', { access_token })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      department: [{ id: 1, name: '1', parentid: 0, order: 100000000 }],
    });
    expect((await client.get('/cgi-bin/department/list', { access_token, id: '7' })).errcode).toBe(60003);
    const members = await client.get('/cgi-bin/user/simplelist', { access_token, department_id: '1' });
    const userlist = members.userlist as Json[];
    expect(userlist.length).toBeGreaterThan(0);
    for (const user of userlist) {
      expect(Object.keys(user).sort()).toEqual(['department', 'open_userid', 'userid']);
      expect((await client.get('/cgi-bin/user/get', { access_token, userid: user.userid as string })).open_userid).toBe(user.open_userid);
    }
    expect((await client.get('/cgi-bin/user/simplelist', { access_token, department_id: '9' })).errcode).toBe(60003);
    expect((await client.get('/cgi-bin/user/simplelist', { access_token })).errcode).toBe(40058);
    expect((await client.get('/cgi-bin/user/simplelist', { access_token: 'bogus', department_id: '1' })).errcode).toBe(40014);
  });

  it('gives jsapi and agent_config tickets that stay the same while valid and verify JS-SDK signatures', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode } = await installCorp(token);
    const access = (await corpToken(token, corpId, permanentCode)).access_token as string;
    const jsapi = await client.get('/cgi-bin/get_jsapi_ticket', { access_token: access });
    expect(jsapi).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect((await client.get('/cgi-bin/get_jsapi_ticket', { access_token: access })).ticket).toBe(jsapi.ticket);
    const agentTicket = await client.get('/cgi-bin/ticket/get', { access_token: access, type: 'agent_config' });
    expect(agentTicket.errcode).toBe(0);
    expect(agentTicket.ticket).not.toBe(jsapi.ticket);
    const url = 'https://app.example.com/page?x=1';
    const sig = getJsApiSignature({ url, ticket: jsapi.ticket as string, nonceStr: 'abc', timestamp: 1700000000 });
    const verify = (kind: string, signature: string) =>
      client.control('POST', '/sim/jssdk/verify', { suite_id: SUITE, corp_id: corpId, kind, url, noncestr: 'abc', timestamp: 1700000000, signature });
    expect(await verify('config', sig.signature)).toEqual({ valid: true });
    expect((await verify('agent_config', sig.signature)).valid).toBe(false);
  });

  it('lists the app admins', async () => {
    const token = await suiteToken();
    const { corpId, agentId, install } = await installCorp(token);
    const admins = await client.post('/cgi-bin/service/get_admin_list', { auth_corpid: corpId, agentid: agentId }, { suite_access_token: token });
    expect(admins).toMatchObject({ errcode: 0, admin: [{ userid: install.admin_userid, auth_type: 1 }] });
    expect(typeof (admins.admin as Json[])[0].open_userid).toBe('string');
    const wrongAgent = await client.post('/cgi-bin/service/get_admin_list', { auth_corpid: corpId, agentid: 1 }, { suite_access_token: token });
    expect(wrongAgent.errcode).toBe(40056);
  });
});

describe('temporary media', () => {
  it('gives back an uploaded file from media/get to the same corp for 3 days; otherwise 40007', async () => {
    const token = await suiteToken();
    const a = await installCorp(token);
    const b = await installCorp(token);
    const accessToken = async (corp: { corpId: string; permanentCode: string }) => (await corpToken(await suiteToken(), corp.corpId, corp.permanentCode)).access_token as string;
    const bytes = Buffer.from('quarterly figures, as text\n');
    const form = new FormData();
    form.append('media', new Blob([bytes], { type: 'text/plain' }), 'figures.txt');
    const uploaded = (await (await fetch(`${sim.url}/cgi-bin/media/upload?type=file&access_token=${await accessToken(a)}`, { method: 'POST', body: form })).json()) as Json;
    expect(uploaded.errcode).toBe(0);
    const mediaId = uploaded.media_id as string;
    const get = async (token: string, id = mediaId) => client.fetch('GET', '/cgi-bin/media/get', { query: { access_token: token, media_id: id } });

    const res = await get(await accessToken(a));
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-disposition')]).toEqual([200, 'text/plain', `attachment; filename="${mediaId}.txt"`]);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const imageForm = new FormData();
    imageForm.append('media', new Blob([png]), 'upload');
    const image = (await (await fetch(`${sim.url}/cgi-bin/media/upload?type=image&access_token=${await accessToken(a)}`, { method: 'POST', body: imageForm })).json()) as Json;
    const imageRes = await get(await accessToken(a), image.media_id as string);
    expect([imageRes.headers.get('content-type'), imageRes.headers.get('content-disposition')]).toEqual(['image/png', `attachment; filename="${image.media_id as string}.png"`]);
    expect(Buffer.from(await imageRes.arrayBuffer())).toEqual(png);

    const invalid = { errcode: 40007, errmsg: expect.stringMatching(/^invalid media_id/) };
    expect(await (await get(await accessToken(b))).json()).toMatchObject(invalid);
    expect(await (await get(await accessToken(a), 'nosuchmedia')).json()).toMatchObject(invalid);
    sim.clock.advance(3 * 86_400 - 60);
    expect((await get(await accessToken(a))).status).toBe(200);
    sim.clock.advance(60);
    const expired = await get(await accessToken(a));
    expect([expired.status, await expired.json()]).toEqual([200, invalid]);
  });
});

describe('lifecycle events', () => {
  it('cancel_auth is pushed and kills the permanent code and tokens; a reinstall gets a new code', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode, agentId } = await installCorp(token);
    const access = (await corpToken(token, corpId, permanentCode)).access_token as string;
    const event = await client.control('POST', `/sim/suites/${SUITE}/events`, { info_type: 'cancel_auth', auth_corpid: corpId });
    expect(event.outcome).toMatchObject({ delivered: true });
    const [callback] = await receiver.waitFor(isInfo('cancel_auth'));
    expect(xmlField(openCallback(callback).message, 'AuthCorpId')).toBe(corpId);
    expect((await corpToken(token, corpId, permanentCode)).errcode).toBe(40084);
    expect((await client.get('/cgi-bin/agent/get', { access_token: access, agentid: String(agentId) })).errcode).toBe(42001);

    const pre = await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token });
    const res = await client.fetch('GET', '/3rdapp/install', {
      query: { suite_id: SUITE, pre_auth_code: pre.pre_auth_code as string, redirect_uri: 'http://platform.test/done', sim_corp_id: corpId },
      headers: { referer: 'https://isv.test/' },
    });
    const authCode = new URL(res.headers.get('location') ?? '').searchParams.get('auth_code');
    const again = await client.post('/cgi-bin/service/get_permanent_code', { auth_code: authCode }, { suite_access_token: token });
    expect(again.auth_corp_info).toMatchObject({ corpid: corpId });
    expect(again.permanent_code).not.toBe(permanentCode);
    expect((await corpToken(token, corpId, permanentCode)).errcode).toBe(40084);
    expect((await corpToken(token, corpId, again.permanent_code as string)).access_token).toBeDefined();
  });

  it('reset_permanent_code carries a new auth_code that yields the new code', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode } = await installCorp(token);
    const event = await client.control('POST', `/sim/suites/${SUITE}/events`, { info_type: 'reset_permanent_code', auth_corpid: corpId });
    const [callback] = await receiver.waitFor(isInfo('reset_permanent_code'));
    const authCode = xmlField(openCallback(callback).message, 'AuthCode');
    expect(authCode).toBe(event.auth_code);
    expect((await corpToken(token, corpId, permanentCode)).errcode).toBe(40084);
    const exchanged = await client.post('/cgi-bin/service/get_permanent_code', { auth_code: authCode }, { suite_access_token: token });
    expect(exchanged.permanent_code).not.toBe(permanentCode);
    expect((await corpToken(token, corpId, exchanged.permanent_code as string)).access_token).toBeDefined();
  });

  it('change_contact carries ChangeType and the user', async () => {
    const token = await suiteToken();
    const { corpId } = await installCorp(token);
    await client.control('POST', `/sim/suites/${SUITE}/events`, {
      info_type: 'change_contact',
      auth_corpid: corpId,
      change_type: 'create_user',
      fields: { UserID: 'zhangsan', Name: '张三' },
    });
    const [callback] = await receiver.waitFor(isInfo('change_contact'));
    const message = openCallback(callback).message;
    expect(xmlField(message, 'AuthCorpId')).toBe(corpId);
    expect(xmlField(message, 'ChangeType')).toBe('create_user');
    expect(xmlField(message, 'UserID')).toBe('zhangsan');
    expect(xmlField(message, 'Name')).toBe('张三');
    const corp = await client.control('GET', `/sim/corps/${corpId}`);
    expect((corp.users as Json[]).map((u) => u.userid)).toContain('zhangsan');
  });

  it('pushes data callbacks encrypted for receiver_id = the corp', async () => {
    const token = await suiteToken();
    const { corpId, agentId } = await installCorp(token);
    const sent = await client.control('POST', `/sim/suites/${SUITE}/data-callbacks`, { auth_corpid: corpId, fields: { Content: '你好' } });
    expect(sent.outcome).toMatchObject({ delivered: true, kind: 'data' });
    const [request] = await receiver.waitFor((r) => r.path === '/data');
    const opened = openCallback(request);
    expect(opened.signatureValid).toBe(true);
    expect(opened.id).toBe(corpId);
    expect(opened.toUserName).toBe(corpId);
    expect(opened.agentId).toBe(String(agentId));
    expect(xmlField(opened.message, 'MsgType')).toBe('text');
    expect(xmlField(opened.message, 'Content')).toBe('你好');
  });
});

describe('callback delivery', () => {
  it('retries three times on network failure and on any non-200 answer, and stops at the first 200', async () => {
    await registerSuite({ command_callback_url: 'http://127.0.0.1:9/unreachable' });
    const failed = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    expect(failed.outcome).toMatchObject({ delivered: false, attempts: 3 });
    await registerSuite();
    receiver.responder = () => ({ status: 400, body: 'bad' });
    const refused = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    expect(refused.outcome).toMatchObject({ delivered: false, attempts: 3, status: 400 });
    let answers = 0;
    receiver.responder = () => (++answers === 1 ? { status: 503, body: 'busy' } : { status: 200, body: 'success' });
    const second = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    expect(second.outcome).toMatchObject({ delivered: true, attempts: 2, status: 200 });
    const log = await client.control('GET', `/sim/callbacks?suite_id=${SUITE}&info_type=suite_ticket`);
    expect((log.callbacks as Json[]).map((c) => c.attempts)).toEqual([2, 3, 3]);
  });

  it('verifies both callback URLs with an echostr encrypted for the provider corpid', async () => {
    receiver.responder = (r) => ({ status: 200, body: decrypt(AES_KEY, r.query.echostr).message });
    for (const kind of ['command', 'data']) {
      receiver.reset();
      receiver.responder = (r) => ({ status: 200, body: decrypt(AES_KEY, r.query.echostr).message });
      const result = await client.control('POST', `/sim/suites/${SUITE}/verify-url`, { kind });
      expect(result.verified).toBe(true);
      const [request] = await receiver.waitFor((r) => r.method === 'GET');
      expect(getSignature(TOKEN, request.query.timestamp, request.query.nonce, request.query.echostr)).toBe(request.query.msg_signature);
      expect(decrypt(AES_KEY, request.query.echostr).id).toBe(PROVIDER);
    }
  });

  it('gives a suite registered without provider credentials a provider corpid of its own for URL verification', async () => {
    const view = await client.control('POST', '/sim/suites', { suite_id: 'wwsuite0009', suite_secret: SECRET, token: TOKEN, encoding_aes_key: AES_KEY, data_callback_url: receiver.url('/data') });
    expect(view.service_corpid).toMatch(/^wwsp[0-9a-f]{14}$/);
    receiver.responder = (r) => ({ status: 200, body: decrypt(AES_KEY, r.query.echostr).message });
    await client.control('POST', `/sim/suites/wwsuite0009/verify-url`, { kind: 'data' });
    const [request] = await receiver.waitFor((r) => r.method === 'GET');
    expect(decrypt(AES_KEY, request.query.echostr).id).toBe(view.service_corpid);
  });

  it('encrypts every callback of a 个人主体 app for the empty receiveid', async () => {
    await registerSuite({ personal: true });
    receiver.responder = (r) => ({ status: 200, body: r.method === 'GET' ? decrypt(AES_KEY, r.query.echostr).message : 'success' });
    await client.control('POST', `/sim/suites/${SUITE}/verify-url`, { kind: 'command' });
    await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    const token = await suiteToken();
    const { corpId } = await installCorp(token);
    await client.control('POST', `/sim/suites/${SUITE}/data-callbacks`, { auth_corpid: corpId });
    const [verify] = await receiver.waitFor((r) => r.method === 'GET');
    expect(decrypt(AES_KEY, verify.query.echostr).id).toBe('');
    const [ticket] = await receiver.waitFor(isInfo('suite_ticket'));
    expect(openCallback(ticket).id).toBe('');
    const [data] = await receiver.waitFor((r) => r.path === '/data');
    expect(openCallback(data).id).toBe('');
  });
});

describe('users: OAuth and provider login', () => {
  it('OAuth redirects with a single-use code; snsapi_privateinfo adds a user_ticket', async () => {
    const token = await suiteToken();
    const { corpId, install } = await installCorp(token);
    const res = await client.fetch('GET', '/connect/oauth2/authorize', {
      query: { appid: SUITE, redirect_uri: 'http://platform.test/oauth/cb', response_type: 'code', scope: 'snsapi_privateinfo', state: 'o1' },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('o1');
    const code = location.searchParams.get('code') ?? '';
    const info = await client.get('/cgi-bin/service/auth/getuserinfo3rd', { suite_access_token: token, code });
    expect(info).toMatchObject({ errcode: 0, corpid: corpId, userid: install.admin_userid, expires_in: 1800 });
    expect(typeof info.open_userid).toBe('string');
    expect((await client.get('/cgi-bin/service/auth/getuserinfo3rd', { suite_access_token: token, code })).errcode).toBe(40029);
    const detail = await client.post('/cgi-bin/service/auth/getuserdetail3rd', { user_ticket: info.user_ticket }, { suite_access_token: token });
    expect(detail).toMatchObject({ errcode: 0, corpid: corpId, userid: install.admin_userid });
    for (const key of ['gender', 'avatar', 'qr_code', 'mobile', 'email', 'biz_mail', 'address']) expect(detail).toHaveProperty(key);

    const base = await client.control('POST', `/sim/suites/${SUITE}/oauth-codes`, { corp_id: corpId });
    const baseInfo = await client.get('/cgi-bin/service/auth/getuserinfo3rd', { suite_access_token: token, code: base.code as string });
    expect(baseInfo.errcode).toBe(0);
    expect(baseInfo).not.toHaveProperty('user_ticket');
    sim.clock.advance(300);
    const late = await client.control('POST', `/sim/suites/${SUITE}/oauth-codes`, { corp_id: corpId });
    sim.clock.advance(300);
    expect((await client.get('/cgi-bin/service/auth/getuserinfo3rd', { suite_access_token: token, code: late.code as string })).errcode).toBe(40029);
  });

  it('provider login gives the admin usertype 1 and the installed agents', async () => {
    const token = await suiteToken();
    const { corpId, agentId } = await installCorp(token);
    const provider = await client.post('/cgi-bin/service/get_provider_token', { corpid: PROVIDER, provider_secret: PROVIDER_SECRET });
    expect(provider).toEqual({ provider_access_token: expect.any(String), expires_in: 7200 });
    expect((await client.post('/cgi-bin/service/get_provider_token', { corpid: PROVIDER, provider_secret: 'x' })).errcode).toBe(40001);
    const res = await client.fetch('GET', '/wwopen/sso/3rd_qrConnect', { query: { appid: PROVIDER, redirect_uri: 'http://platform.test/login', state: 'l1', usertype: 'admin' } });
    const authCode = new URL(res.headers.get('location') ?? '').searchParams.get('auth_code');
    const login = await client.post('/cgi-bin/service/get_login_info', { auth_code: authCode }, { access_token: provider.provider_access_token as string });
    expect(login).toMatchObject({ errcode: 0, usertype: 1, corp_info: { corpid: corpId }, agent: [{ agentid: agentId, auth_type: 1 }] });
  });
});

describe('traffic control', () => {
  it('injects an errcode into the next N calls, then answers normally', async () => {
    const token = await suiteToken();
    await client.control('POST', '/sim/faults', { errcode: -1, count: 2, paths: ['/cgi-bin/service/get_pre_auth_code'] });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token })).errcode);
    expect(codes).toEqual([-1, -1, 0]);
    await client.control('POST', '/sim/faults', { http_status: 502, count: 1 });
    const gateway = await client.fetch('GET', '/cgi-bin/service/get_pre_auth_code', { query: { suite_access_token: token } });
    expect(gateway.status).toBe(502);
    await client.control('POST', '/sim/faults', { drop: true, count: 1 });
    await expect(client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token })).rejects.toThrow();
    expect((await client.control('GET', '/sim/faults')).faults).toEqual([]);
  });

  it('injects into a share of calls', async () => {
    const values = [0.1, 0.9, 0.2, 0.8];
    let i = 0;
    const seeded = await startSimulator({ port: 0, ticketIntervalSeconds: 0, logger: false, random: () => values[i++ % values.length] });
    try {
      const c = new SimClient(seeded);
      await c.control('POST', '/sim/faults', { errcode: 45033, ratio: 0.5 });
      const codes = [];
      for (let n = 0; n < 4; n++) codes.push((await c.get('/cgi-bin/service/get_pre_auth_code')).errcode);
      expect(codes).toEqual([45033, 41022, 45033, 41022]);
      expect((await c.control('GET', '/sim/calls')).faults_injected).toBe(2);
    } finally {
      await seeded.close();
    }
  });

  it('adds latency without failing', async () => {
    await client.control('POST', '/sim/faults', { latency_ms: 300, count: 1 });
    const started = Date.now();
    const res = await client.get('/cgi-bin/service/get_pre_auth_code');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.errcode).toBe(41022);
  });

  it('rate limits with 45009 for a minute of simulated time', async () => {
    const token = await suiteToken();
    await client.control('POST', '/sim/rate-limits', { per_minute: 3, scope: 'global' });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token })).errcode);
    expect(codes).toEqual([0, 0, 0, 45009, 45009]);
    sim.clock.advance(60);
    expect((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token })).errcode).toBe(0);
    await client.control('DELETE', '/sim/rate-limits');
  });

  it('rate limits per corp without touching other corps', async () => {
    const token = await suiteToken();
    const a = await installCorp(token);
    const b = await installCorp(token);
    await client.control('POST', '/sim/rate-limits', { per_minute: 1, scope: 'corp' });
    expect((await corpToken(token, a.corpId, a.permanentCode)).access_token).toBeDefined();
    expect((await corpToken(token, a.corpId, a.permanentCode)).errcode).toBe(45009);
    expect((await corpToken(token, b.corpId, b.permanentCode)).access_token).toBeDefined();
  });

  it('counts calls per path, suite and corp, and tokens issued', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode } = await installCorp(token);
    await client.control('DELETE', '/sim/calls');
    await corpToken(token, corpId, permanentCode);
    await corpToken(token, corpId, permanentCode);
    await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token });
    const calls = await client.control('GET', '/sim/calls');
    expect(calls).toMatchObject({
      total: 3,
      by_path: { '/cgi-bin/service/get_corp_token': 2, '/cgi-bin/service/get_pre_auth_code': 1 },
      by_suite: { [SUITE]: { '/cgi-bin/service/get_corp_token': 2, '/cgi-bin/service/get_pre_auth_code': 1 } },
      by_corp: { [corpId]: { '/cgi-bin/service/get_corp_token': 2 } },
      tokens_issued: { suite: 0, corp: 0 },
    });
    sim.clock.advance(7200);
    await suiteToken();
    await corpToken(token, corpId, permanentCode);
    expect((await client.control('GET', '/sim/calls')).tokens_issued).toMatchObject({ suite: 1 });
  });

  it('invalidates tokens early: the next use answers expired, the next fetch mints a new one', async () => {
    const token = await suiteToken();
    const { corpId, permanentCode, agentId } = await installCorp(token);
    const access = (await corpToken(token, corpId, permanentCode)).access_token as string;
    const res = await client.control('POST', '/sim/tokens/invalidate', { kind: 'corp', corp_id: corpId });
    expect(res.invalidated).toBe(1);
    expect((await client.get('/cgi-bin/agent/get', { access_token: access, agentid: String(agentId) })).errcode).toBe(42001);
    const renewed = await corpToken(token, corpId, permanentCode);
    expect(renewed.access_token).not.toBe(access);
    await client.control('POST', '/sim/tokens/invalidate', { kind: 'suite' });
    expect((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: token })).errcode).toBe(42009);
  });

  it('answers WeCom errors for malformed requests and unknown paths', async () => {
    expect((await client.call('POST', '/cgi-bin/service/get_suite_token', { rawBody: '{"suite_id":' })).errcode).toBe(47001);
    const missing = await client.fetch('GET', '/cgi-bin/no/such/api');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errcode: 404 });
    expect((await client.get('/cgi-bin/get_jsapi_ticket')).errcode).toBe(41001);
    expect((await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: 'nope' })).errcode).toBe(40082);
    const control = await client.fetch('POST', '/sim/suites', { body: { suite_id: 'x' } });
    expect(control.status).toBe(400);
  });
});

describe('seeding for benchmarks', () => {
  it('authorizes many corps at once and pages through them', async () => {
    const token = await suiteToken();
    const started = Date.now();
    const seeded = await client.control('POST', `/sim/suites/${SUITE}/seed-corps`, { count: 5000, prefix: 'wwbench' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(seeded.created).toBe(5000);
    const corps = seeded.corps as Array<{ corpid: string; permanent_code: string }>;
    expect(corps[0].corpid).toBe('wwbench000000');
    const last = corps[4999];
    expect((await corpToken(token, last.corpid, last.permanent_code)).access_token).toBeDefined();
    const page = await client.control('GET', `/sim/suites/${SUITE}/corps?offset=4990&limit=20`);
    expect(page.total).toBe(5000);
    expect((page.corps as Json[]).map((c) => c.corpid)).toEqual(corps.slice(4990).map((c) => c.corpid));
  });

  it('restores authorizations it forgot (a restarted demo): the stored permanent_code and agentid work again', async () => {
    const token = await suiteToken();
    const input = { corps: [{ corpid: 'wwrestored01', permanent_code: 'pc-kept-by-the-platform', agentid: 1000005, corp_name: '恢复企业' }] };
    expect(await client.control('POST', `/sim/suites/${SUITE}/restore-corps`, input)).toEqual({ restored: 1 });
    expect((await corpToken(token, 'wwrestored01', 'pc-kept-by-the-platform')).access_token).toBeDefined();
    const { total } = await client.control('GET', `/sim/suites/${SUITE}/corps?limit=1`);
    const [listed] = (await client.control('GET', `/sim/suites/${SUITE}/corps?offset=${(total as number) - 1}&limit=1`)).corps as Json[];
    expect(listed).toMatchObject({ corpid: 'wwrestored01', corp_name: '恢复企业', agentid: 1000005, status: 'active' });
    // A corp it still knows is left as it is.
    const again = { corps: [{ corpid: 'wwrestored01', permanent_code: 'another-code' }] };
    expect(await client.control('POST', `/sim/suites/${SUITE}/restore-corps`, again)).toEqual({ restored: 0 });
    expect((await corpToken(token, 'wwrestored01', 'another-code')).errcode).toBe(40084);
    for (const bad of [{}, { corps: [{ corpid: 'wwx' }] }, { corps: [{ corpid: 'bad id!', permanent_code: 'p' }] }, { corps: [{ corpid: 'wwy', permanent_code: 'p', agentid: -1 }] }]) {
      const res = await fetch(`${sim.url}/sim/suites/${SUITE}/restore-corps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) });
      expect(res.status).toBe(400);
    }
  });
});

describe('control', () => {
  it('reports and changes the simulated clock', async () => {
    const before = await client.control('GET', '/sim/clock');
    expect(before.time_factor).toBe(1);
    const after = await client.control('POST', '/sim/clock/advance', { seconds: 3600 });
    expect((after.now as number) - (before.now as number)).toBeGreaterThanOrEqual(3_600_000);
    const fast = await client.control('POST', '/sim/clock', { time_factor: 120 });
    expect(fast.time_factor).toBe(120);
  });

  it('reports expires_in in real seconds under a fast clock, so a real-time client computes the true expiry', async () => {
    await client.control('POST', '/sim/clock', { time_factor: 60 });
    const { suite_ticket } = await client.control('POST', `/sim/suites/${SUITE}/push-ticket`);
    const suite = await client.post('/cgi-bin/service/get_suite_token', { suite_id: SUITE, suite_secret: SECRET, suite_ticket });
    expect(suite.expires_in).toBe(120);
    const pre = await client.get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: suite.suite_access_token as string });
    expect(pre.expires_in).toBe(20);
    const install = await client.control('POST', `/sim/suites/${SUITE}/installs`, {});
    expect(install.expires_in).toBe(10);
    const provider = await client.post('/cgi-bin/service/get_provider_token', { corpid: PROVIDER, provider_secret: PROVIDER_SECRET });
    expect(provider.expires_in).toBe(120);
    sim.clock.advance(3600);
    const again = await client.post('/cgi-bin/service/get_provider_token', { corpid: PROVIDER, provider_secret: PROVIDER_SECRET });
    expect(again.provider_access_token).toBe(provider.provider_access_token);
    expect([59, 60]).toContain(again.expires_in);
  });
});
