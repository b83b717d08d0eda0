import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { encrypt, getSignature } from '@wecom/crypto';
import { bullPrefix, callbackEventJobId, QueueName } from '@app/queues';
import { CallbackEventRepository, openPayload, PrismaService, SuiteTicketRepository } from '@app/store';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { TestRedisServer } from './support/redis-server.js';
import { testCipher, testPrisma } from './support/store.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';
import { commandPayload, signCallback, SuiteFixture } from './support/wecom-sender.js';

describe('callback app', () => {
  let sim: Simulator;
  let app: NestFastifyApplication;
  let url: string;
  let prefix: string;
  let prisma: PrismaService;
  let queue: Queue;
  let redis: Redis;
  let suite: SuiteFixture;

  beforeAll(async () => {
    sim = await startTestSimulator();
    const started = await startTestCallbackApp(testEnv(sim.url));
    app = started.app;
    url = started.url;
    prefix = started.config.REDIS_PREFIX;
    prisma = testPrisma();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QueueName.CallbackEvents, { connection: redis, prefix: bullPrefix({ prefix }) });
    suite = await registerSuite(sim, url);
  });

  afterAll(async () => {
    await app.close();
    await sim.close();
    await queue.close();
    redis.disconnect();
    await prisma.onModuleDestroy();
  });

  const post = (path: string, query: string, body: string) =>
    fetch(`${url}${path}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const commandPath = () => `/callback/suites/${suite.suiteId}/command`;
  /** Inbox rows as stored, their payloads opened (they are sealed at rest). */
  const events = async (where: { suiteId: string; type?: string }) =>
    (await prisma.client.callbackEvent.findMany({ where, orderBy: { id: 'asc' } })).map((r) => ({ ...r, payload: openPayload(testCipher(), r.payload) }));


  it('answers URL verification with the decrypted echostr, for the suite id and for the provider corpid', async () => {
    const bySuite = await simControl<{ verified: boolean; status: number }>(sim, 'POST', `/sim/suites/${suite.suiteId}/verify-url`, { kind: 'command' });
    expect(bySuite).toMatchObject({ verified: true, status: 200 });
    const byProvider = await simControl<{ verified: boolean }>(sim, 'POST', `/sim/suites/${suite.suiteId}/verify-url`, {
      kind: 'command',
      receiver_id: suite.providerCorpId,
    });
    expect(byProvider.verified).toBe(true);
    const echostr = encrypt(suite.aesKey, 'hello-echo', 'wwsomeoneelse');
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${url}${commandPath()}?msg_signature=${getSignature(suite.token, ts, 'n', echostr)}&timestamp=${ts}&nonce=n&echostr=${encodeURIComponent(echostr)}`);
    expect(res.status).toBe(400);
  });

  it('keeps no auth_code or message content in clear in the inbox', async () => {
    const own = await registerSuite(sim, url);
    const install = await simControl<{ corp_id: string; auth_code: string }>(sim, 'POST', `/sim/suites/${own.suiteId}/installs`, { push_callback: true });
    const secretText = `member message ${randomBytes(6).toString('hex')}`;
    // The platform learns of the corp when the worker exchanges the code; stand in for it here.
    await prisma.client.authCorp.create({ data: { suiteId: own.suiteId, corpId: install.corp_id, status: 'active' } });
    await simControl(sim, 'POST', `/sim/suites/${own.suiteId}/data-callbacks`, { auth_corpid: install.corp_id, fields: { Content: secretText } });
    const rows = await waitFor(async () => {
      const found = await prisma.client.callbackEvent.findMany({ where: { suiteId: own.suiteId, type: { in: ['create_auth', 'text'] } } });
      return found.some((r) => r.type === 'text' && openPayload(testCipher(), r.payload).includes(secretText)) && found.some((r) => r.type === 'create_auth') ? found : null;
    });
    const raw = JSON.stringify(rows.map((r) => r.payload));
    expect(raw).not.toContain(install.auth_code);
    expect(raw).not.toContain(secretText);
    expect(raw).not.toContain('<xml>');
    expect(rows.map((r) => openPayload(testCipher(), r.payload)).join()).toContain(install.auth_code);
  });

  it('stores a pushed suite_ticket sealed, and keeps the inbox row without the ticket', async () => {
    const pushed = await simControl<{ suite_ticket: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    const stored = await new SuiteTicketRepository(prisma, testCipher()).find(suite.suiteId);
    expect(stored?.ticket).toBe(pushed.suite_ticket);
    const [row] = await events({ suiteId: suite.suiteId, type: 'suite_ticket' });
    expect(row.status).toBe('processed');
    expect(row.payload).not.toContain(pushed.suite_ticket);
    const raw = await prisma.client.suiteTicket.findUniqueOrThrow({ where: { suiteId: suite.suiteId } });
    expect(raw.ticketEnc).not.toContain(pushed.suite_ticket);
  });

  it('stores each command event type once and enqueues it with the event id as job id', async () => {
    const install = await simControl<{ corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
    const corpId = install.corp_id;
    for (const [infoType, extra] of [
      ['change_auth', {}],
      ['change_contact', { change_type: 'create_user' }],
      ['reset_permanent_code', {}],
      ['cancel_auth', {}],
    ] as const) {
      await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: infoType, auth_corpid: corpId, ...extra });
    }
    const rows = await events({ suiteId: suite.suiteId });
    const types = rows.filter((r) => r.type !== 'suite_ticket').map((r) => r.type);
    expect(types).toEqual(['create_auth', 'change_auth', 'change_contact', 'reset_permanent_code', 'cancel_auth']);
    for (const row of rows.filter((r) => r.type !== 'suite_ticket')) {
      const job = await waitFor(() => queue.getJob(callbackEventJobId(row.id)));
      expect(job.data).toEqual({ eventId: String(row.id), suiteId: suite.suiteId });
      expect(job.name).toBe('process-callback-event');
    }
    const cancel = rows.find((r) => r.type === 'cancel_auth')!;
    expect(cancel.corpId).toBe(corpId);
    await waitFor(async () => (await prisma.client.callbackEvent.findUniqueOrThrow({ where: { id: cancel.id } })).status === 'queued');
  });

  it('acknowledges the same callback delivered 5 times with one inbox row and one job', async () => {
    const payload = commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwdup', ChangeType: 'update_tag', TagId: randomBytes(4).toString('hex') });
    const request = signCallback(suite, payload, suite.suiteId);
    for (let i = 0; i < 5; i++) {
      const res = await post(commandPath(), request.query, request.body);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('success');
    }
    const rows = (await events({ suiteId: suite.suiteId, type: 'change_contact' })).filter((r) => r.corpId === 'wwdup');
    expect(rows).toHaveLength(1);
    await waitFor(() => queue.getJob(callbackEventJobId(rows[0].id)));
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.eventId === String(rows[0].id))).toHaveLength(1);
  });

  it('keeps distinct events that share FromUserName and CreateTime apart', async () => {
    const base = { AuthCorpId: 'wwtags', ChangeType: 'update_tag' };
    for (const tag of ['1', '2']) {
      const req = signCallback(suite, commandPayload(suite.suiteId, 'change_contact', { ...base, TagId: tag }), suite.suiteId);
      expect((await post(commandPath(), req.query, req.body)).status).toBe(200);
    }
    const rows = (await events({ suiteId: suite.suiteId, type: 'change_contact' })).filter((r) => r.corpId === 'wwtags');
    expect(rows).toHaveLength(2);
  });

  it('takes data callbacks, dedupes by MsgId, stores one for a corp that is no tenant (yet), refuses a receiver that cannot be a corp', async () => {
    const install = await simControl<{ corp_id: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
    const corpId = install.corp_id;
    await waitFor(async () => (await events({ suiteId: suite.suiteId, type: 'create_auth' })).length >= 2);
    // The platform learns of the corp when the worker exchanges the code; stand in for it here.
    await prisma.client.authCorp.create({ data: { suiteId: suite.suiteId, corpId, status: 'active' } });
    const msg = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[u1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1234567890123456789</MsgId><AgentID>1</AgentID></xml>`;
    for (let i = 0; i < 2; i++) {
      const req = signCallback(suite, msg, corpId);
      expect((await post(`/callback/suites/${suite.suiteId}/data`, req.query, req.body)).status).toBe(200);
    }
    const rows = await prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, kind: 'data' } });
    expect(rows.map((r) => [r.type, r.corpId])).toEqual([['text', corpId]]);
    const pushed = await simControl<{ outcome?: { status?: number } }>(sim, 'POST', `/sim/suites/${suite.suiteId}/data-callbacks`, { auth_corpid: corpId });
    expect(pushed.outcome?.status).toBe(200);
    // The signature proves WeCom sent it: stored for a tenant that may appear moments later (its create_auth in flight).
    const stranger = signCallback(suite, msg.replaceAll(corpId, 'wwstranger'), 'wwstranger');
    expect((await post(`/callback/suites/${suite.suiteId}/data`, stranger.query, stranger.body)).status).toBe(200);
    expect(await prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId, kind: 'data', corpId: 'wwstranger' } })).toBe(1);
    const bogus = signCallback(suite, msg.replaceAll(corpId, 'no such corp'), 'no such corp');
    expect((await post(`/callback/suites/${suite.suiteId}/data`, bogus.query, bogus.body)).status).toBe(400);
  });

  describe('bad input', () => {
    const valid = () => signCallback(suite, commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwx', ChangeType: 'create_party', Id: randomBytes(4).toString('hex') }), suite.suiteId);
    const resign = (cipher: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      return { query: `msg_signature=${getSignature(suite.token, ts, 'nonce', cipher)}&timestamp=${ts}&nonce=nonce`, body: `<xml><Encrypt><![CDATA[${cipher}]]></Encrypt></xml>` };
    };
    const expectStatus = async (res: Response, status: number) => {
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status });
      expect(text).not.toMatch(/at .*\.js:\d+/);
      return text;
    };

    it('unknown suite → 404', async () => {
      const req = valid();
      await expectStatus(await post('/callback/suites/wwnosuchsuite/command', req.query, req.body), 404);
      await expectStatus(await post(`/callback/suites/${suite.suiteId}/other`, req.query, req.body), 404);
    });

    it('missing or wrong signature → 401', async () => {
      const req = valid();
      await expectStatus(await post(commandPath(), req.query.replace(/msg_signature=[^&]+&/, ''), req.body), 401);
      await expectStatus(await post(commandPath(), req.query.replace(/msg_signature=[0-9a-f]{4}/, 'msg_signature=0000'), req.body), 401);
      await expectStatus(await post(commandPath(), req.query.replace(/&nonce=[^&]+/, ''), req.body), 401);
    });

    it('an authentic callback replayed more than 5 minutes after it was sent → 401, not stored', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = () => commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwreplay', ChangeType: 'create_party', Id: randomBytes(4).toString('hex') });
      for (const sentAt of [now - 301, now + 301, now - 86_400]) {
        const captured = signCallback(suite, payload(), suite.suiteId, sentAt);
        const text = await expectStatus(await post(commandPath(), captured.query, captured.body), 401);
        expect(text).toContain('possible replay');
      }
      expect(await events({ suiteId: suite.suiteId, type: 'change_contact' }).then((rows) => rows.filter((r) => r.payload.includes('wwreplay')))).toEqual([]);
      const recent = signCallback(suite, payload(), suite.suiteId, now - 240);
      await expectStatus(await post(commandPath(), recent.query, recent.body), 200);
      const echostr = encrypt(suite.aesKey, 'echo', suite.suiteId);
      const stale = String(now - 3600);
      const verify = await fetch(`${url}${commandPath()}?msg_signature=${getSignature(suite.token, stale, 'n', echostr)}&timestamp=${stale}&nonce=n&echostr=${encodeURIComponent(echostr)}`);
      expect(verify.status).toBe(401);
    });

    it('malformed XML, bad base64, bad padding, wrong receiver → 400', async () => {
      const req = valid();
      await expectStatus(await post(commandPath(), req.query, '<xml><Encrypt>'), 400);
      await expectStatus(await post(commandPath(), req.query, ''), 400);
      const badBase64 = resign('@@@not-base64@@@');
      await expectStatus(await post(commandPath(), badBase64.query, badBase64.body), 400);
      const wrongKey = resign(encrypt(Buffer.alloc(32, 7).toString('base64').slice(0, 43), 'x', suite.suiteId));
      await expectStatus(await post(commandPath(), wrongKey.query, wrongKey.body), 400);
      const otherReceiver = signCallback(suite, commandPayload(suite.suiteId, 'change_auth', { AuthCorpId: 'wwz' }), 'wwnotoursuite');
      await expectStatus(await post(commandPath(), otherReceiver.query, otherReceiver.body), 400);
    });

    it('DTDs and entities → 400, and nothing is stored', async () => {
      const before = await prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId } });
      const req = valid();
      await expectStatus(await post(commandPath(), req.query, `<!DOCTYPE xml [<!ENTITY x "y">]>${req.body}`), 400);
      expect(await prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId } })).toBe(before);
      // Inside an authentic payload a DTD is never expanded: the callback is stored unparsed (see the test below).
      const inner = signCallback(suite, `<!DOCTYPE x [<!ENTITY a "b">]><xml><SuiteId>&a;</SuiteId></xml>`, suite.suiteId);
      await expectStatus(await post(commandPath(), inner.query, inner.body), 200);
      const [row] = (await events({ suiteId: suite.suiteId, type: 'unparsable' })).filter((r) => r.payload.includes('ENTITY a'));
      expect(row.event).not.toBeNull();
    });

    it('an authentic callback whose content cannot be parsed → stored typed unparsable, acknowledged, enqueued once', async () => {
      const { suiteId } = suite;
      const corpId = 'wwunparsable';
      const cases = [
        // CreateTime not a number → INVALID_FIELD
        { kind: 'data', receiver: corpId, code: 'INVALID_FIELD', corpId, payload: `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><MsgType><![CDATA[text]]></MsgType><CreateTime>soon</CreateTime></xml>` },
        // plain text, not XML → TEXT_OUTSIDE_ROOT
        { kind: 'data', receiver: corpId, code: 'TEXT_OUTSIDE_ROOT', corpId, payload: `just text ${randomBytes(4).toString('hex')}` },
        // no ToUserName → MISSING_FIELD
        { kind: 'data', receiver: corpId, code: 'MISSING_FIELD', corpId, payload: `<xml><MsgType><![CDATA[text]]></MsgType><Nonce>${randomBytes(4).toString('hex')}</Nonce></xml>` },
        // a command without InfoType → MISSING_FIELD
        { kind: 'command', receiver: suiteId, code: 'MISSING_FIELD', corpId: null, payload: `<xml><Foo>${randomBytes(4).toString('hex')}</Foo></xml>` },
      ] as const;
      for (const c of cases) {
        // Delivered twice, as WeCom retries: stored once (keyed on the plaintext's hash).
        for (let i = 0; i < 2; i++) {
          const req = signCallback(suite, c.payload, c.receiver);
          const res = await post(`/callback/suites/${suiteId}/${c.kind}`, req.query, req.body);
          expect({ status: res.status, text: await res.text() }).toEqual({ status: 200, text: 'success' });
        }
        const rows = (await events({ suiteId, type: 'unparsable' })).filter((r) => r.payload === c.payload);
        expect(rows.map((r) => ({ kind: r.kind, corpId: r.corpId }))).toEqual([{ kind: c.kind, corpId: c.corpId }]);
        // Sealed at rest like every payload.
        const raw = await prisma.client.callbackEvent.findUniqueOrThrow({ where: { id: rows[0].id } });
        expect(raw.payload).not.toContain(c.payload);
        const opened = await new CallbackEventRepository(prisma, testCipher()).findById(rows[0].id);
        expect(opened?.event).toMatchObject({ kind: c.kind, unparsable: { code: c.code } });
        const job = await waitFor(() => queue.getJob(callbackEventJobId(rows[0].id)));
        expect(job.data).toEqual({ eventId: String(rows[0].id), suiteId });
      }
    });

    it('a body over 1 MiB → 413', async () => {
      const req = valid();
      await expectStatus(await post(commandPath(), req.query, req.body + ' '.repeat(1024 * 1024)), 413);
    });
  });

  // 5,000 requests take about 30 s on the shared 2-core CI machine under load: a wider Jest timeout, no timing assertion.
  it('survives a fuzz run of 5,000 random and mutated requests with no 5xx', async () => {
    const seed = valid();
    function valid() {
      return signCallback(suite, commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwf', ChangeType: 'update_user' }), suite.suiteId);
    }
    const mutate = (s: string): string => {
      const chars = s.split('');
      const n = 1 + Math.floor(Math.random() * 4);
      for (let i = 0; i < n; i++) {
        const at = Math.floor(Math.random() * (chars.length + 1));
        const op = Math.random();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, String.fromCharCode(Math.floor(Math.random() * 0x2fff)));
        else chars.splice(at, 0, ...['<', '>', '&', ']]>', '<!DOCTYPE', '%', '\u0000', '<![CDATA['][Math.floor(Math.random() * 8)]);
      }
      return chars.join('');
    };
    const statuses = new Map<number, number>();
    const send = async (i: number) => {
      const which = i % 4;
      const query = which === 0 ? mutate(seed.query) : which === 1 ? randomBytes(20).toString('base64url') : seed.query;
      const body = which === 2 ? randomBytes(Math.floor(Math.random() * 400)).toString('latin1') : which === 3 ? mutate(seed.body) : seed.body;
      const path = i % 50 === 0 ? `/callback/suites/${encodeURIComponent(mutate(suite.suiteId))}/command` : commandPath();
      let res: Response;
      try {
        res = await fetch(`${url}${path}?${query}`, { method: i % 7 === 0 ? 'GET' : 'POST', body: i % 7 === 0 ? undefined : body });
      } catch {
        res = new Response(null, { status: 599 });
      }
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    };
    for (let i = 0; i < 5000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => send(i + j)));
    const serverErrors = [...statuses].filter(([s]) => s >= 500);
    expect(serverErrors).toEqual([]);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    // 5,000 requests take 10-30 s on a loaded 2-core machine: the default 30 s is too tight a harness limit.
  }, 120_000);
});

describe('callback app when a dependency is down', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  it('still acknowledges and stores callbacks while Redis is down, leaving them for the sweeper', async () => {
    const redisServer = await new TestRedisServer().start();
    const { app, url } = await startTestCallbackApp(testEnv(sim.url, { REDIS_URL: redisServer.url }));
    const prisma = testPrisma();
    try {
      const suite = await registerSuite(sim, url);
      await redisServer.stop();
      for (let i = 0; i < 5; i++) {
        const req = signCallback(suite, commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwr', ChangeType: 'create_user', UserID: `u${i}` }), suite.suiteId);
        const res = await fetch(`${url}/callback/suites/${suite.suiteId}/command?${req.query}`, { method: 'POST', body: req.body });
        expect(res.status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 2000));
      const rows = await prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId } });
      expect(rows.map((r) => r.status)).toEqual(['received', 'received', 'received', 'received', 'received']);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
    } finally {
      await app.close();
      await redisServer.stop();
      await prisma.onModuleDestroy();
    }
  });

  it('answers 503 while the database is unreachable, and resumes by itself', async () => {
    const pg = new URL(TEST_DATABASE_URL);
    const proxy = await new TcpProxy(pg.hostname, Number(pg.port || 5432)).start();
    pg.port = String(proxy.port);
    const { app, url } = await startTestCallbackApp(testEnv(sim.url, { DATABASE_URL: pg.toString() }));
    const prisma = testPrisma();
    try {
      const suite = await registerSuite(sim, url);
      const send = () => {
        const req = signCallback(suite, commandPayload(suite.suiteId, 'change_auth', { AuthCorpId: `ww${randomBytes(3).toString('hex')}` }), suite.suiteId);
        return fetch(`${url}/callback/suites/${suite.suiteId}/command?${req.query}`, { method: 'POST', body: req.body });
      };
      expect((await send()).status).toBe(200);
      proxy.cut();
      const down = await send();
      expect(down.status).toBe(503);
      expect(await down.text()).not.toContain('postgres');
      proxy.restore();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await send()).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect(await prisma.client.callbackEvent.count({ where: { suiteId: suite.suiteId } })).toBe(2);
    } finally {
      await app.close();
      await proxy.close();
      await prisma.onModuleDestroy();
    }
  });
});
