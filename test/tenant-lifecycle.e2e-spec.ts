import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bullPrefix, enqueueCallbackEvents, enqueueReplay, QueueName } from '@app/queues';
import { ABANDONED_CLAIM_MS, authCodeHash, CallbackEventRepository, openPayload, SuiteRepository, SuiteTicketRepository } from '@app/store';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { uniqueId } from './support/env.js';
import { HoldingProxy } from './support/holding-proxy.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { testCipher } from './support/store.js';
import { commandPayload, randomAesKey, signCallback, SuiteFixture } from './support/wecom-sender.js';
import { scaledWorkerEnv, startTestWorkerApp, TestTokens, testTokens, TestWorker, waitFor } from './support/worker.js';

interface CallCounts {
  by_path: Record<string, number>;
  by_suite: Record<string, Record<string, number>>;
  by_corp: Record<string, Record<string, number>>;
}

/** One world: the simulator, the callback app and the worker on real PostgreSQL and Redis. */
class World {
  sim!: Simulator;
  env!: Record<string, string>;
  callback!: { app: NestFastifyApplication; url: string };
  worker!: TestWorker;
  tokens!: TestTokens;
  events!: CallbackEventRepository;
  queue!: Queue;

  async start(overrides: Record<string, string> = {}, apiBase?: (sim: Simulator) => Promise<string>): Promise<this> {
    this.sim = await startTestSimulator();
    const base = apiBase ? await apiBase(this.sim) : this.sim.url;
    this.env = testEnv(this.sim.url, scaledWorkerEnv(1, { WECOM_API_BASE: base, ...overrides }));
    this.env.WECOM_API_BASE = base;
    this.callback = await startTestCallbackApp(this.env);
    this.worker = await startTestWorkerApp(this.env);
    this.tokens = await testTokens(this.env, this.sim.url);
    this.events = new CallbackEventRepository(this.tokens.prisma, testCipher());
    this.queue = new Queue(QueueName.CallbackEvents, { connection: this.tokens.redis, prefix: bullPrefix({ prefix: this.env.REDIS_PREFIX }) });
    return this;
  }

  async stop(): Promise<void> {
    await this.worker?.app.close();
    await this.callback?.app.close();
    await this.queue?.close();
    await this.tokens?.close();
    await this.sim?.close();
  }

  calls = () => simControl<CallCounts>(this.sim, 'GET', '/sim/calls');
  suiteCalls = async (suiteId: string, path: string) => (await this.calls()).by_suite[suiteId]?.[path] ?? 0;
  corp = (suiteId: string, corpId: string) => this.tokens.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } } });
  /** Inbox rows, their payloads opened (sealed at rest). */
  rows = async (suiteId: string, type?: string) =>
    (await this.tokens.prisma.client.callbackEvent.findMany({ where: { suiteId, type }, orderBy: { id: 'asc' } })).map((r) => ({ ...r, payload: openPayload(testCipher(), r.payload) }));

  async readySuite(): Promise<SuiteFixture> {
    const suite = await registerSuite(this.sim, this.callback.url);
    await simControl(this.sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    await waitFor(() => new SuiteTicketRepository(this.tokens.prisma, testCipher()).find(suite.suiteId));
    return suite;
  }

  /** The row of an event once it has reached `status`. */
  settled(id: bigint, status: string, ms = 15_000) {
    return waitFor(async () => {
      const row = await this.events.findById(id);
      return row?.status === status ? row : null;
    }, ms, `event ${id} ${status}`);
  }

  /** A market / QR install: WeCom pushes create_auth; returns its inbox row once stored. */
  async marketInstall(suite: SuiteFixture, body: Record<string, unknown> = {}) {
    const installed = await simControl<{ corp_id: string; auth_code: string }>(this.sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true, ...body });
    const [row] = await waitFor(async () => {
      const rows = (await this.rows(suite.suiteId, 'create_auth')).filter((r) => r.payload.includes(installed.auth_code));
      return rows.length ? rows : null;
    });
    return { corpId: installed.corp_id, authCode: installed.auth_code, row };
  }

  async activeTenants(suiteId: string, corpId: string): Promise<number> {
    return this.tokens.prisma.client.authCorp.count({ where: { suiteId, corpId, status: 'active' } });
  }

  async post(path: string, request: { query: string; body: string }): Promise<Response> {
    return fetch(`${this.callback.url}${path}?${request.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: request.body });
  }
}

describe('tenant lifecycle as WeCom documents it', () => {
  const world = new World();
  beforeAll(() => world.start({ INBOX_ORPHAN_AFTER_SECONDS: '30' }));
  afterAll(() => world.stop());
  afterEach(async () => {
    await simControl(world.sim, 'DELETE', '/sim/response-patches');
    await simControl(world.sim, 'DELETE', '/sim/faults');
  });

  /** Answers that differ from WeCom's samples only in informational fields. */
  const VARIANTS: Array<[string, { set?: Record<string, unknown>; remove?: string[] }]> = [
    ['an empty dealer block of a direct install', { set: { dealer_corp_info: { corpid: '', corp_name: '' } } }],
    ['numbers sent as strings', { set: { auth_corp_info: { corp_user_max: '200', subject_type: '1', verified_end_time: '' }, expires_in: '7200' } }],
    ['unknown fields and null blocks', { set: { brand_new_block: { x: [1] }, register_code_info: null, auth_user_info: null } }],
    ['no auth_info and no edition_info', { remove: ['auth_info', 'edition_info'] }],
    ['an agent list of the wrong shape', { set: { auth_info: { agent: 'none' }, edition_info: { agent: [{ agentid: 'x' }] } } }],
  ];

  it.each(VARIANTS)('item 0: an exchange answer with %s still makes exactly one active tenant, its answer kept sealed', async (_name, patch) => {
    const suite = await world.readySuite();
    await simControl(world.sim, 'POST', '/sim/response-patches', { paths: ['/cgi-bin/service/v2/get_permanent_code', '/cgi-bin/service/get_auth_info'], ...patch });
    const { corpId, authCode, row } = await world.marketInstall(suite);
    await world.settled(row.id, 'processed');
    expect(await world.activeTenants(suite.suiteId, corpId)).toBe(1);
    const claim = await world.tokens.prisma.client.authCodeClaim.findFirstOrThrow({ where: { suiteId: suite.suiteId, corpId } });
    expect(claim.answerEnc).toBeTruthy();
    expect(claim.answerEnc).not.toContain(authCode);
    expect(JSON.parse(testCipher().open(claim.answerEnc!)).auth_corp_info.corpid).toBe(corpId);
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(1);

    // get_auth_info (change_auth) answers the same way: the tenant keeps working.
    const change = await simControl<{ payload: string }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'change_auth', auth_corpid: corpId });
    const changed = await waitFor(async () => (await world.rows(suite.suiteId, 'change_auth')).find((r) => r.payload === change.payload));
    await world.settled(changed.id, 'processed');
    expect(await world.activeTenants(suite.suiteId, corpId)).toBe(1);
  });

  it('item 3: a data callback arriving while its create_auth is still being exchanged is stored, acknowledged and processed once the tenant exists', async () => {
    const suite = await world.readySuite();
    // WeCom is slow to answer the exchange: the member's first message arrives before the tenant exists.
    await simControl(world.sim, 'POST', '/sim/faults', { latency_ms: 1500, count: 1, paths: ['/cgi-bin/service/v2/get_permanent_code'] });
    const installed = await simControl<{ corp_id: string }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
    const sent = await simControl<{ outcome: { delivered: boolean; attempts: number; status: number } }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/data-callbacks`, {
      auth_corpid: installed.corp_id,
      fields: { Content: 'first message' },
    });
    expect(sent.outcome).toMatchObject({ delivered: true, attempts: 1, status: 200 });
    expect(await world.activeTenants(suite.suiteId, installed.corp_id)).toBe(0);
    const [data] = await world.tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, kind: 'data', corpId: installed.corp_id } });
    expect(openPayload(testCipher(), data.payload)).toContain('first message');
    await world.settled(data.id, 'processed');
    expect(await world.activeTenants(suite.suiteId, installed.corp_id)).toBe(1);
  });

  it('item 3: a data callback for a corp that never becomes a tenant is kept as orphan after the retention window', async () => {
    const suite = await world.readySuite();
    const msg = `<xml><ToUserName><![CDATA[wwnevertenant]]></ToUserName><FromUserName><![CDATA[u1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>${Date.now()}</MsgId><AgentID>1</AgentID></xml>`;
    expect((await world.post(`/callback/suites/${suite.suiteId}/data`, signCallback(suite, msg, 'wwnevertenant'))).status).toBe(200);
    const [row] = await world.tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, corpId: 'wwnevertenant' } });
    await world.settled(row.id, 'awaiting_tenant');
    // Past the retention window (30 s here): visible as orphan, never processed.
    await world.tokens.prisma.client.callbackEvent.update({ where: { id: row.id }, data: { receivedAt: new Date(Date.now() - 31_000) } });
    const orphan = await world.settled(row.id, 'orphan');
    expect(orphan.processedAt).toBeNull();
  });

  it('item 4: a delayed cancel older than the reinstall, and a replayed create_auth, leave the tenant active', async () => {
    const suite = await world.readySuite();
    const first = await world.marketInstall(suite);
    await world.settled(first.row.id, 'processed');
    const cancel = await simControl<{ payload: string }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: first.corpId });
    const cancelRow = await waitFor(async () => (await world.rows(suite.suiteId, 'cancel_auth')).find((r) => r.payload === cancel.payload));
    await world.settled(cancelRow.id, 'processed');
    expect((await world.corp(suite.suiteId, first.corpId))?.status).toBe('cancelled');

    world.sim.clock.advance(5);
    const again = await world.marketInstall(suite, { corp_id: first.corpId });
    await world.settled(again.row.id, 'processed');
    expect((await world.corp(suite.suiteId, first.corpId))?.status).toBe('active');

    // The cancel's retry (or a replay) arrives now; so does a replay of the first create_auth.
    await world.events.resetForReplay(cancelRow.id);
    await enqueueReplay(world.queue, cancelRow);
    await world.settled(cancelRow.id, 'processed');
    await world.events.resetForReplay(first.row.id);
    await enqueueReplay(world.queue, first.row);
    await world.settled(first.row.id, 'processed');
    const corp = await world.corp(suite.suiteId, first.corpId);
    expect(corp?.status).toBe('active');
    expect(await world.tokens.corps.getPermanentCode(suite.suiteId, first.corpId)).toBeTruthy();
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(2);
    // The tenant's token still works at WeCom: the newer permanent code was kept.
    const token = await world.tokens.broker.get({ kind: 'corp', suiteId: suite.suiteId, corpId: first.corpId });
    expect(world.sim.state.tokens.lookup('corp', token.value, world.sim.clock.now()).status).toBe('valid');
  });

  it('item 6: keeps State of the install, names the corp of order events (PaidCorpId), refreshes the edition on change_editon', async () => {
    const suite = await world.readySuite();
    const { corpId, row } = await world.marketInstall(suite, { state: 'promoQR42' });
    await world.settled(row.id, 'processed');
    expect((await world.corp(suite.suiteId, corpId))?.installState).toBe('promoQR42');

    const authInfoCalls = await world.suiteCalls(suite.suiteId, '/cgi-bin/service/get_auth_info');
    for (const infoType of ['change_editon', 'open_order']) {
      const payload = commandPayload(suite.suiteId, infoType, { PaidCorpId: corpId, OrderId: randomBytes(4).toString('hex') });
      expect((await world.post(`/callback/suites/${suite.suiteId}/command`, signCallback(suite, payload, suite.suiteId))).status).toBe(200);
    }
    const edition = await waitFor(async () => (await world.rows(suite.suiteId, 'change_editon'))[0]);
    expect(edition.corpId).toBe(corpId);
    expect((await world.rows(suite.suiteId, 'open_order'))[0].corpId).toBe(corpId);
    await world.settled(edition.id, 'processed');
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/get_auth_info')).toBe(authInfoCalls + 1);
  });

  it('item 7: cancel deletes the permanent code, the admin and corp details, kept answers and tokens; a reinstall starts clean', async () => {
    const suite = await world.readySuite();
    const { corpId, row } = await world.marketInstall(suite, { state: 'firstInstall' });
    await world.settled(row.id, 'processed');
    await world.tokens.broker.get({ kind: 'corp', suiteId: suite.suiteId, corpId });
    await world.tokens.prisma.client.authCorp.updateMany({ where: { suiteId: suite.suiteId, corpId }, data: { jssdkUsedAt: new Date() } });
    const before = await world.corp(suite.suiteId, corpId);
    expect(before).toMatchObject({ corpName: expect.any(String), installState: 'firstInstall' });
    expect(before?.authUserInfo).not.toBeNull();

    const cancel = await simControl<{ payload: string }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'cancel_auth', auth_corpid: corpId });
    const cancelRow = await waitFor(async () => (await world.rows(suite.suiteId, 'cancel_auth')).find((r) => r.payload === cancel.payload));
    await world.settled(cancelRow.id, 'processed');
    const after = await world.corp(suite.suiteId, corpId);
    expect(after).toMatchObject({
      suiteId: suite.suiteId,
      corpId,
      status: 'cancelled',
      statusReason: 'cancel_auth',
      permanentCodeEnc: null,
      corpName: null,
      corpFullName: null,
      agentId: null,
      authCorpInfo: null,
      authInfo: null,
      authUserInfo: null,
      editionInfo: null,
      dealerCorpInfo: null,
      registerCodeInfo: null,
      installState: null,
      jssdkUsedAt: null,
    });
    expect(after?.installedAt).toEqual(before?.installedAt);
    expect(after?.cancelledAt).toBeInstanceOf(Date);
    expect(await world.tokens.prisma.client.storedToken.count({ where: { suiteId: suite.suiteId, corpId } })).toBe(0);
    expect(await world.tokens.cache.get({ kind: 'corp', suiteId: suite.suiteId, corpId })).toBeNull();
    expect(await world.tokens.prisma.client.authCodeClaim.count({ where: { suiteId: suite.suiteId, corpId, answerEnc: { not: null } } })).toBe(0);

    world.sim.clock.advance(5);
    const again = await world.marketInstall(suite, { corp_id: corpId });
    await world.settled(again.row.id, 'processed');
    const reinstalled = await world.corp(suite.suiteId, corpId);
    expect(reinstalled).toMatchObject({ status: 'active', installState: null, jssdkUsedAt: null, corpName: expect.any(String) });
  });

  it('item 8: URL verification works for a suite registered without its provider corpid, which it learns from WeCom', async () => {
    const suiteId = uniqueId('wwnoprov');
    const fixture = { suiteId, secret: randomBytes(8).toString('hex'), token: randomBytes(8).toString('hex'), aesKey: randomAesKey() };
    const suites = new SuiteRepository(world.tokens.prisma, testCipher());
    await suites.upsert({ suiteId, secret: fixture.secret, token: fixture.token, encodingAesKey: fixture.aesKey });
    const sim = await simControl<{ service_corpid: string }>(world.sim, 'POST', '/sim/suites', {
      suite_id: suiteId,
      suite_secret: fixture.secret,
      token: fixture.token,
      encoding_aes_key: fixture.aesKey,
      command_callback_url: `${world.callback.url}/callback/suites/${suiteId}/command`,
      data_callback_url: `${world.callback.url}/callback/suites/${suiteId}/data`,
    });
    for (const kind of ['command', 'data']) {
      expect(await simControl(world.sim, 'POST', `/sim/suites/${suiteId}/verify-url`, { kind })).toMatchObject({ verified: true, status: 200 });
    }
    expect((await suites.findCredentials(suiteId))?.providerCorpId).toBe(sim.service_corpid);
    // Learned once: another receiveid is refused with a clear error.
    const other = await simControl<{ verified: boolean; status: number; response: string }>(world.sim, 'POST', `/sim/suites/${suiteId}/verify-url`, { kind: 'data', receiver_id: 'wwsomeoneelse' });
    expect(other).toMatchObject({ verified: false, status: 400 });
    expect(other.response).toContain('wwsomeoneelse');
  });

  it('item 9: 40082 for a corp that has not authorized the suite suspends the corp and keeps the valid suite token', async () => {
    const suite = await world.readySuite();
    const suiteToken = await world.tokens.broker.get({ kind: 'suite', suiteId: suite.suiteId });
    const corpId = uniqueId('wwnotauth');
    await world.tokens.corps.importMany(suite.suiteId, [{ corpId, permanentCode: 'a-code-wecom-never-issued' }]);
    const tokenCalls = await world.suiteCalls(suite.suiteId, '/cgi-bin/service/get_suite_token');
    await expect(world.tokens.broker.get({ kind: 'corp', suiteId: suite.suiteId, corpId })).rejects.toMatchObject({ reason: 'corp_suspended' });
    const corp = await world.corp(suite.suiteId, corpId);
    expect(corp).toMatchObject({ status: 'suspended' });
    expect(corp?.statusReason).toContain('40082');
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/get_suite_token')).toBe(tokenCalls);
    expect((await world.tokens.broker.get({ kind: 'suite', suiteId: suite.suiteId })).value).toBe(suiteToken.value);
  });

  it('item 10: an authentic data callback whose text holds raw control characters is stored and acknowledged on the first try', async () => {
    const suite = await world.readySuite();
    const { corpId, row } = await world.marketInstall(suite);
    await world.settled(row.id, 'processed');
    const content = 'pasted\u001dfrom\u0010another app';
    const sent = await simControl<{ outcome: { delivered: boolean; attempts: number } }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/data-callbacks`, {
      auth_corpid: corpId,
      fields: { Content: content },
    });
    expect(sent.outcome).toMatchObject({ delivered: true, attempts: 1 });
    const [data] = await world.tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, kind: 'data', corpId } });
    expect(openPayload(testCipher(), data.payload)).toContain(content);
    await world.settled(data.id, 'processed');
  });

  it('item 10: a 个人主体 app (empty receiveid) gets its callbacks stored', async () => {
    const suite = await registerSuite(world.sim, world.callback.url);
    await simControl(world.sim, 'POST', '/sim/suites', {
      suite_id: suite.suiteId,
      suite_secret: suite.secret,
      token: suite.token,
      encoding_aes_key: suite.aesKey,
      command_callback_url: `${world.callback.url}/callback/suites/${suite.suiteId}/command`,
      data_callback_url: `${world.callback.url}/callback/suites/${suite.suiteId}/data`,
      personal: true,
    });
    const pushed = await simControl<{ outcome: { delivered: boolean; attempts: number } }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    expect(pushed.outcome).toMatchObject({ delivered: true, attempts: 1 });
    const { corpId, row } = await world.marketInstall(suite);
    await world.settled(row.id, 'processed');
    const sent = await simControl<{ outcome: { delivered: boolean } }>(world.sim, 'POST', `/sim/suites/${suite.suiteId}/data-callbacks`, { auth_corpid: corpId });
    expect(sent.outcome.delivered).toBe(true);
    const [data] = await world.tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, kind: 'data' } });
    expect(data.corpId).toBe(corpId);
    expect(await simControl(world.sim, 'POST', `/sim/suites/${suite.suiteId}/verify-url`, { kind: 'command' })).toMatchObject({ verified: true });
  });

  it('item 12: an install is processed ahead of 2,000 queued data events', async () => {
    const suite = await world.readySuite();
    await world.queue.pause();
    try {
      const stored = await world.events.insertMany(
        Array.from({ length: 2000 }, (_, i) => ({
          suiteId: suite.suiteId,
          kind: 'data' as const,
          type: 'text',
          corpId: 'wwchatty',
          dedupeKey: `${suite.suiteId}:bulk:${i}`,
          payload: `<xml><ToUserName>wwchatty</ToUserName><MsgType>text</MsgType><Content>${i}</Content></xml>`,
        })),
      );
      const ids = stored.flatMap((s) => (s.duplicate ? [] : [{ id: s.id, suiteId: suite.suiteId, type: 'text' }]));
      await enqueueCallbackEvents(world.queue, ids);
      await world.events.markQueued(ids.map((e) => e.id));
      const install = await world.marketInstall(suite);
      await world.queue.resume();
      await world.settled(install.row.id, 'processed', 30_000);
      const waiting = await world.tokens.prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId, corpId: 'wwchatty', status: { in: ['received', 'queued'] } } });
      // Taken first: most of the chat backlog is still in line when the tenant exists.
      expect(waiting).toBeGreaterThan(1000);
      expect(await world.activeTenants(suite.suiteId, install.corpId)).toBe(1);
    } finally {
      await world.queue.resume();
    }
  });
});

describe('item 11: a single-use code is never sent to WeCom twice', () => {
  const world = new World();
  let proxy: HoldingProxy;
  beforeAll(() =>
    world.start({ WECOM_ONE_TIME_CODE_TIMEOUT_MS: '400', WECOM_TIMEOUT_MS: '2000' }, async (sim) => {
      proxy = await new HoldingProxy(sim.url).start();
      return proxy.url;
    }),
  );
  afterAll(async () => {
    await world.stop();
    await proxy?.stop();
  });

  it('an exchange whose answer is held past the timeout is recorded and alerted, not retried into 40078', async () => {
    const suite = await world.readySuite();
    proxy.holdPaths = ['/cgi-bin/service/v2/get_permanent_code'];
    proxy.holdMs = 1500;
    const { row, authCode } = await world.marketInstall(suite);
    const failed = await world.settled(row.id, 'failed');
    expect(failed.lastError).toContain('AuthCodeUnusableError');
    expect(failed.attempts).toBe(1);
    // The held answer reaches nobody; WeCom spent the code once.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(1);
    const claim = await world.tokens.prisma.client.authCodeClaim.findFirstOrThrow({ where: { suiteId: suite.suiteId } });
    expect(claim.failure).toContain('may have spent the one-time code');
    expect(claim.failure).not.toContain(authCode);
    // A later replay of the event does not send the code again either.
    await world.events.resetForReplay(row.id);
    await enqueueReplay(world.queue, row);
    await world.settled(row.id, 'failed');
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(1);
  });

  it('a claim left by a holder that sent the code and died (a SIGKILLed worker) is given up for good, replays included', async () => {
    const suite = await world.readySuite();
    proxy.holdPaths = [];
    await world.queue.pause();
    let install: Awaited<ReturnType<World['marketInstall']>>;
    try {
      install = await world.marketInstall(suite);
      // What a worker killed between sending the code and keeping WeCom's answer leaves behind, now abandoned.
      const abandonedAt = new Date(Date.now() - ABANDONED_CLAIM_MS - 1000);
      await world.tokens.prisma.client.authCodeClaim.create({
        data: { codeHash: authCodeHash(suite.suiteId, install.authCode), suiteId: suite.suiteId, claimedAt: abandonedAt, sentAt: abandonedAt },
      });
    } finally {
      await world.queue.resume();
    }
    const failed = await world.settled(install.row.id, 'failed');
    expect(failed.lastError).toContain('stopped before WeCom answered');
    const claimWhere = { codeHash: authCodeHash(suite.suiteId, install.authCode) };
    expect((await world.tokens.prisma.client.authCodeClaim.findUniqueOrThrow({ where: claimWhere })).failure).toContain('stopped before WeCom answered');
    // The failure stays recorded: a replay neither sends the code nor finds the claim free.
    await world.events.resetForReplay(install.row.id);
    await enqueueReplay(world.queue, install.row);
    await world.settled(install.row.id, 'failed');
    expect(await world.suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(0);
    expect((await world.tokens.prisma.client.authCodeClaim.findUniqueOrThrow({ where: claimWhere })).failure).toContain('stopped before WeCom answered');
    expect(await world.activeTenants(suite.suiteId, install.corpId)).toBe(0);
  });
});
