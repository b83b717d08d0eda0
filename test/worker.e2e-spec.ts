import { Queue } from 'bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bullPrefix, CALLBACK_EVENT_JOB_OPTIONS, callbackEventJobId, enqueueCallbackEvents, QueueName } from '@app/queues';
import { AuthCodeClaimRepository, CallbackEventRepository, openPayload, SuiteTicketRepository } from '@app/store';
import { EXPIRES_IN_GRANULARITY_MS } from '@app/tokens';
import { ScheduleReconciler } from '../apps/worker/src/refresh/schedule-reconciler.js';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { testCipher } from './support/store.js';
import { commandPayload, signCallback, SuiteFixture } from './support/wecom-sender.js';
import { scaledWorkerEnv, sleep, startTestWorkerApp, sumMetric, TestTokens, testTokens, TestWorker, waitFor } from './support/worker.js';

/** 60 simulated seconds per real second: a token lives two real minutes, a rate-limit lockout one second. */
const FACTOR = 60;

interface CallCounts {
  by_path: Record<string, number>;
  by_suite: Record<string, Record<string, number>>;
  by_corp: Record<string, Record<string, number>>;
  rate_limited: number;
  faults_injected: number;
}

describe('worker', () => {
  let sim: Simulator;
  let env: Record<string, string>;
  let callback: { app: NestFastifyApplication; url: string };
  let worker: TestWorker;
  let tokens: TestTokens;
  let events: CallbackEventRepository;
  let callbackQueue: Queue;

  beforeAll(async () => {
    sim = await startTestSimulator({ timeFactor: FACTOR });
    env = testEnv(sim.url, scaledWorkerEnv(FACTOR));
    callback = await startTestCallbackApp(env);
    worker = await startTestWorkerApp(env);
    // WeCom calls may take long here: one test holds a call at the simulator while a reset happens.
    tokens = await testTokens(env, sim.url, 15_000);
    events = new CallbackEventRepository(tokens.prisma, testCipher());
    callbackQueue = new Queue(QueueName.CallbackEvents, { connection: tokens.redis, prefix: bullPrefix({ prefix: env.REDIS_PREFIX }) });
  });

  afterAll(async () => {
    await worker?.app.close();
    await callback?.app.close();
    await callbackQueue?.close();
    await tokens?.close();
    await sim?.close();
  });

  const calls = () => simControl<CallCounts>(sim, 'GET', '/sim/calls');
  const suiteCalls = async (suiteId: string, path: string) => (await calls()).by_suite[suiteId]?.[path] ?? 0;
  /** Inbox rows, their payloads opened (sealed at rest). */
  const eventsOf = async (suiteId: string, type?: string) =>
    (await tokens.prisma.client.callbackEvent.findMany({ where: { suiteId, type }, orderBy: { id: 'asc' } })).map((r) => ({ ...r, payload: openPayload(testCipher(), r.payload) }));
  const corpRow = (suiteId: string, corpId: string) => tokens.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } } });
  const processed = (id: bigint) =>
    waitFor(async () => {
      const row = await events.findById(id);
      return row?.status === 'processed' ? row : null;
    }, 15_000, `event ${id} processed`);
  const metrics = async () => (await fetch(`${worker.url}/metrics`)).text();

  /** A suite with a callback URL and a fresh suite_ticket, stored by the callback app. */
  async function readySuite(): Promise<SuiteFixture> {
    const suite = await registerSuite(sim, callback.url);
    await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    await waitFor(() => new SuiteTicketRepository(tokens.prisma, testCipher()).find(suite.suiteId));
    return suite;
  }

  /** Corps authorized at the simulator and stored in the platform, their tokens due now. */
  async function seedCorps(suiteId: string, count: number, permanentCode?: string): Promise<string[]> {
    const seeded = await simControl<{ corps: { corpid: string; permanent_code: string; agentid: number }[] }>(
      sim,
      'POST',
      `/sim/suites/${suiteId}/seed-corps`,
      { count },
    );
    await tokens.corps.importMany(
      suiteId,
      seeded.corps.map((c) => ({ corpId: c.corpid, permanentCode: permanentCode ?? c.permanent_code, agentId: c.agentid })),
    );
    for (const c of seeded.corps) await tokens.schedule.scheduleNow({ kind: 'corp', suiteId, corpId: c.corpid });
    return seeded.corps.map((c) => c.corpid);
  }

  async function install(suite: SuiteFixture): Promise<{ corpId: string; authCode: string; eventId: bigint }> {
    const installed = await simControl<{ corp_id: string; auth_code: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
    const [row] = await waitFor(async () => {
      const rows = (await eventsOf(suite.suiteId, 'create_auth')).filter((r) => r.payload.includes(installed.auth_code));
      return rows.length ? rows : null;
    });
    return { corpId: installed.corp_id, authCode: installed.auth_code, eventId: row.id };
  }

  let replays = 0;
  /** What the admin API's replay does: the row back in line and a job with its own id, same name and data. */
  async function replay(eventId: bigint, suiteId: string): Promise<void> {
    await events.resetForReplay(eventId);
    await callbackQueue.add(
      'process-callback-event',
      { eventId: String(eventId), suiteId },
      { ...CALLBACK_EVENT_JOB_OPTIONS, jobId: `${callbackEventJobId(eventId)}-replay-${Date.now()}${++replays}` },
    );
  }

  describe('callback events', () => {
    it('exchanges a create_auth code once while the browser redirect races it, and schedules the new tenant', async () => {
      const suite = await readySuite();
      const installed = await simControl<{ corp_id: string; auth_code: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, { push_callback: true });
      const browser = await tokens.authorization.exchangeAuthCode(suite.suiteId, installed.auth_code);
      expect(browser.corp.corpId).toBe(installed.corp_id);
      const [row] = await eventsOf(suite.suiteId, 'create_auth');
      await processed(row.id);
      expect(await suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(1);
      expect(await tokens.prisma.client.authCorp.count({ where: { suiteId: suite.suiteId } })).toBe(1);
      expect(await tokens.schedule.scoreOf({ kind: 'corp', suiteId: suite.suiteId, corpId: installed.corp_id })).not.toBeNull();
    });

    it('processes each event type once, however often it is delivered and replayed', async () => {
      const suite = await readySuite();
      const { corpId, eventId: createId } = await install(suite);
      const created = await processed(createId);
      expect(created.attempts).toBe(1);
      const corp = await corpRow(suite.suiteId, corpId);
      expect(corp).toMatchObject({ status: 'active', agentId: expect.any(Number) });

      const send = async (infoType: string, extra: Record<string, unknown> = {}) => {
        const before = new Set((await eventsOf(suite.suiteId, infoType)).map((r) => r.id));
        const result = await simControl<{ payload: string; auth_code?: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, {
          info_type: infoType,
          auth_corpid: corpId,
          ...extra,
        });
        // WeCom retries a callback it thinks was not answered: the same payload again, twice.
        for (let i = 0; i < 2; i++) {
          const again = signCallback(suite, result.payload, suite.suiteId);
          const res = await fetch(`${callback.url}/callback/suites/${suite.suiteId}/command?${again.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: again.body });
          expect(await res.text()).toBe('success');
        }
        const rows = (await eventsOf(suite.suiteId, infoType)).filter((r) => !before.has(r.id));
        expect(rows).toHaveLength(1);
        await processed(rows[0].id);
        return { id: rows[0].id, authCode: result.auth_code };
      };

      const changeAuth = await send('change_auth');
      const contact = await send('change_contact', { change_type: 'create_user' });
      const reset = await send('reset_permanent_code');
      const afterReset = await corpRow(suite.suiteId, corpId);
      expect(afterReset?.status).toBe('active');
      // The new permanent code works: the corp token can be fetched with it.
      await tokens.broker.refresh({ kind: 'corp', suiteId: suite.suiteId, corpId });
      const data = await simControl<{ outcome?: { status?: number } }>(sim, 'POST', `/sim/suites/${suite.suiteId}/data-callbacks`, { auth_corpid: corpId });
      expect(data.outcome?.status).toBe(200);
      const [dataRow] = await tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, kind: 'data' } });
      await processed(dataRow.id);

      const cancel = await send('cancel_auth');
      const cancelled = await corpRow(suite.suiteId, corpId);
      expect(cancelled).toMatchObject({ status: 'cancelled', permanentCodeEnc: null });
      expect(await tokens.schedule.scoreOf({ kind: 'corp', suiteId: suite.suiteId, corpId })).toBeNull();
      expect(await tokens.cache.get({ kind: 'corp', suiteId: suite.suiteId, corpId })).toBeNull();

      const exchangesBefore = await suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code');
      expect(exchangesBefore).toBe(2);
      for (const id of [createId, changeAuth.id, contact.id, reset.id, cancel.id, dataRow.id]) {
        await replay(id, suite.suiteId);
        await replay(id, suite.suiteId);
      }
      await waitFor(async () => {
        const counts = await callbackQueue.getJobCounts('waiting', 'active', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      });

      // Replays changed nothing twice: no code exchanged again, the corp still cancelled as it was.
      expect(await suiteCalls(suite.suiteId, '/cgi-bin/service/v2/get_permanent_code')).toBe(exchangesBefore);
      expect(await corpRow(suite.suiteId, corpId)).toMatchObject({ status: 'cancelled', cancelledAt: cancelled!.cancelledAt });
      expect(await tokens.prisma.client.authCorp.count({ where: { suiteId: suite.suiteId } })).toBe(1);
      for (const row of await tokens.prisma.client.callbackEvent.findMany({ where: { suiteId: suite.suiteId, type: { not: 'suite_ticket' } } })) {
        // A data callback replayed after its corp cancelled waits for a tenant (orphan after the retention window).
        expect(row.status).toBe(row.kind === 'data' ? 'awaiting_tenant' : 'processed');
      }
    });

    it('does not suspend a corp whose old permanent code WeCom refuses while a reset replaces it', async () => {
      const suite = await readySuite();
      const { corpId, eventId } = await install(suite);
      await processed(eventId);
      const key = { kind: 'corp' as const, suiteId: suite.suiteId, corpId };
      await waitFor(() => tokens.storedTokens.find(key), 15_000, 'first corp token');
      // The next get_corp_token is held 8 s at WeCom: it carries the old code, and WeCom answers it after the reset.
      await simControl(sim, 'POST', '/sim/faults', { latency_ms: 8_000, count: 1, paths: ['/cgi-bin/service/get_corp_token'] });
      await tokens.broker.invalidate(key);
      const refused = tokens.broker.refresh(key).then(() => null, (err: unknown) => err);
      await sleep(300);
      await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'reset_permanent_code', auth_corpid: corpId });
      const [reset] = await waitFor(async () => {
        const rows = await eventsOf(suite.suiteId, 'reset_permanent_code');
        return rows.length ? rows : null;
      });
      await processed(reset.id);
      expect(await refused).toMatchObject({ reason: 'wecom_error' });
      expect(await corpRow(suite.suiteId, corpId)).toMatchObject({ status: 'active', statusReason: null });
      // The new code's token comes: the corp is served on.
      expect((await tokens.broker.refresh(key)).value).toEqual(expect.any(String));
    });

    it('keeps the error and attempt count of a failing event; a code WeCom refuses ends failed and replayable', async () => {
      const suite = await readySuite();
      const { corpId, eventId } = await install(suite);
      await processed(eventId);
      // Busy twice (the client tries twice per attempt): the first attempt fails, the retry succeeds.
      await simControl(sim, 'POST', '/sim/faults', { errcode: -1, count: 2, paths: ['/cgi-bin/service/get_auth_info'] });
      await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/events`, { info_type: 'change_auth', auth_corpid: corpId });
      const [changeAuth] = await eventsOf(suite.suiteId, 'change_auth');
      const done = await processed(changeAuth.id);
      expect(done.attempts).toBe(2);

      const bogus = await events.insert({
        suiteId: suite.suiteId,
        kind: 'command',
        type: 'create_auth',
        corpId: null,
        dedupeKey: `${suite.suiteId}:test:${Date.now()}`,
        payload: commandPayload(suite.suiteId, 'create_auth', { AuthCode: 'no-such-code' }),
      });
      if (bogus.duplicate) throw new Error('unexpected duplicate');
      await enqueueCallbackEvents(callbackQueue, [{ id: bogus.id, suiteId: suite.suiteId }]);
      const failed = await waitFor(async () => {
        const row = await events.findById(bogus.id);
        return row?.status === 'failed' ? row : null;
      });
      expect(failed.attempts).toBe(1);
      expect(failed.lastError).toContain('40078');
    });

    it('takes over an auth code whose exchange was abandoned by a worker that died, and authorizes the corp', async () => {
      const suite = await readySuite();
      const installed = await simControl<{ corp_id: string; auth_code: string }>(sim, 'POST', `/sim/suites/${suite.suiteId}/installs`, {});
      const claims = new AuthCodeClaimRepository(tokens.prisma, testCipher());
      expect(await claims.claim(suite.suiteId, installed.auth_code)).toEqual({ state: 'claimed', sent: false });
      await tokens.prisma.client.authCodeClaim.updateMany({ where: { suiteId: suite.suiteId }, data: { claimedAt: new Date(Date.now() - 120_000) } });
      const stored = await events.insert({
        suiteId: suite.suiteId,
        kind: 'command',
        type: 'create_auth',
        corpId: null,
        dedupeKey: `${suite.suiteId}:test:${Date.now()}`,
        payload: commandPayload(suite.suiteId, 'create_auth', { AuthCode: installed.auth_code }),
      });
      if (stored.duplicate) throw new Error('unexpected duplicate');
      await enqueueCallbackEvents(callbackQueue, [{ id: stored.id, suiteId: suite.suiteId }]);
      await processed(stored.id);
      expect(await corpRow(suite.suiteId, installed.corp_id)).toMatchObject({ status: 'active' });
    });

    it('fails an authentic but unparsable callback for good, once, with its parse error', async () => {
      const suite = await readySuite();
      const corpId = 'wwunparsable';
      const payload = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><MsgType><![CDATA[text]]></MsgType><CreateTime>soon</CreateTime></xml>`;
      const req = signCallback(suite, payload, corpId);
      const res = await fetch(`${callback.url}/callback/suites/${suite.suiteId}/data?${req.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: req.body });
      expect({ status: res.status, text: await res.text() }).toEqual({ status: 200, text: 'success' });
      const [row] = await eventsOf(suite.suiteId, 'unparsable');
      expect(row.payload).toBe(payload);
      const failed = await waitFor(async () => {
        const found = await events.findById(row.id);
        return found?.status === 'failed' ? found : null;
      });
      expect(failed.attempts).toBe(1);
      expect(failed.lastError).toContain('could not be parsed (INVALID_FIELD)');
      expect(failed.lastError).toContain('CreateTime');
    });

    it('queues stored events that never reached the queue (Redis was down at intake)', async () => {
      const suite = await readySuite();
      const stored = await events.insert({
        suiteId: suite.suiteId,
        kind: 'command',
        type: 'change_contact',
        corpId: 'wwsomecorp',
        dedupeKey: `${suite.suiteId}:test:${Date.now()}`,
        payload: commandPayload(suite.suiteId, 'change_contact', { AuthCorpId: 'wwsomecorp', ChangeType: 'update_user' }),
      });
      if (stored.duplicate) throw new Error('unexpected duplicate');
      await processed(stored.id);
    });
  });

  describe('token refresh errors', () => {
    it('on 45009 pauses the whole queue instead of retrying into the lockout, and catches up', async () => {
      const suite = await readySuite();
      await tokens.broker.get({ kind: 'suite', suiteId: suite.suiteId });
      await simControl(sim, 'POST', '/sim/rate-limits', { per_minute: 8, scope: 'suite' });
      try {
        const corpIds = await seedCorps(suite.suiteId, 24);
        await waitFor(async () => (await tokens.storedTokens.corpTokenExpiries(suite.suiteId, corpIds)).size === corpIds.length, 20_000, 'all corp tokens');
      } finally {
        await simControl(sim, 'DELETE', '/sim/rate-limits');
      }
      const counts = await calls();
      const corpTokenCalls = counts.by_suite[suite.suiteId]['/cgi-bin/service/get_corp_token'];
      expect(counts.rate_limited).toBeGreaterThan(0);
      // Refused calls are the few in flight when a lockout starts, not a retry storm.
      expect(corpTokenCalls - 24).toBeLessThanOrEqual(3 * Number(env.WORKER_CONCURRENCY));
      expect(sumMetric(await metrics(), 'wecom_rate_limited_total')).toBeGreaterThan(0);
    });

    it('rides out a storm of 5xx with backoff and refreshes afterwards', async () => {
      const suite = await readySuite();
      await tokens.broker.get({ kind: 'suite', suiteId: suite.suiteId });
      await simControl(sim, 'POST', '/sim/faults', { http_status: 502, count: 30, paths: ['/cgi-bin/service/get_corp_token'] });
      const corpIds = await seedCorps(suite.suiteId, 8);
      await waitFor(async () => (await tokens.storedTokens.corpTokenExpiries(suite.suiteId, corpIds)).size === corpIds.length, 25_000, 'all corp tokens');
      expect((await calls()).faults_injected).toBeGreaterThanOrEqual(30);
      await simControl(sim, 'DELETE', '/sim/faults');
    });

    it('suspends a corp whose permanent code WeCom rejects (40084), with the reason, and stops refreshing it', async () => {
      const suite = await readySuite();
      const [corpId] = await seedCorps(suite.suiteId, 1, 'not-the-permanent-code');
      const suspended = await waitFor(async () => {
        const row = await corpRow(suite.suiteId, corpId);
        return row?.status === 'suspended' ? row : null;
      });
      expect(suspended.statusReason).toContain('40084');
      // The status is committed a moment before the schedule entry is dropped.
      await waitFor(async () => (await tokens.schedule.scoreOf({ kind: 'corp', suiteId: suite.suiteId, corpId })) === null, 5000, 'schedule dropped');
      const tried = (await calls()).by_corp[corpId]['/cgi-bin/service/get_corp_token'];
      await sleep(1000);
      expect((await calls()).by_corp[corpId]['/cgi-bin/service/get_corp_token']).toBe(tried);
    });

    it('drops a token WeCom says is invalid and refreshes it once, then carries on', async () => {
      const suite = await readySuite();
      await tokens.broker.get({ kind: 'suite', suiteId: suite.suiteId });
      const suiteTokenCalls = await suiteCalls(suite.suiteId, '/cgi-bin/service/get_suite_token');
      const corpTokenCalls = (await calls()).by_path['/cgi-bin/service/get_corp_token'] ?? 0;
      await simControl(sim, 'POST', '/sim/tokens/invalidate', { kind: 'suite', suite_id: suite.suiteId });
      const [corpId] = await seedCorps(suite.suiteId, 1);
      await waitFor(() => tokens.storedTokens.find({ kind: 'corp', suiteId: suite.suiteId, corpId }), 10_000, 'corp token');
      expect(await suiteCalls(suite.suiteId, '/cgi-bin/service/get_suite_token')).toBe(suiteTokenCalls + 1);
      // One call refused with the dead suite token (42009), one with the new one.
      expect((await calls()).by_path['/cgi-bin/service/get_corp_token']).toBe(corpTokenCalls + 2);
    });

    it('stops refreshing JS-SDK tickets of a corp that has not used JS-SDK for a day', async () => {
      const suite = await readySuite();
      const [corpId] = await seedCorps(suite.suiteId, 1);
      await tokens.prisma.client.authCorp.updateMany({ where: { suiteId: suite.suiteId, corpId }, data: { jssdkUsedAt: new Date(Date.now() - 25 * 3600_000) } });
      const ticket = { kind: 'jsapi' as const, suiteId: suite.suiteId, corpId };
      await tokens.schedule.scheduleNow(ticket);
      await waitFor(async () => (await tokens.schedule.scoreOf(ticket)) === null, 10_000, 'ticket dropped');
      expect((await calls()).by_corp[corpId]?.['/cgi-bin/get_jsapi_ticket']).toBeUndefined();
    });

    it('rebuilds the schedule from stored tokens at start-up after Redis lost it', async () => {
      const suite = await readySuite();
      const [corpId] = await seedCorps(suite.suiteId, 1);
      const key = { kind: 'corp' as const, suiteId: suite.suiteId, corpId };
      const stored = await waitFor(() => tokens.storedTokens.find(key), 10_000, 'corp token');
      await tokens.schedule.remove([key]);
      const report = await worker.app.get(ScheduleReconciler).reconcile();
      expect(report.added).toBeGreaterThanOrEqual(1);
      const due = (await tokens.schedule.scoreOf(key))!;
      // Due when the stored token expires (WeCom hands out no other before), up to the jitter later.
      const jitter = Number(env.REFRESH_JITTER_SECONDS) * 1000;
      expect(due).toBeGreaterThanOrEqual(stored.expiresAt.getTime() + EXPIRES_IN_GRANULARITY_MS);
      expect(due).toBeLessThanOrEqual(stored.expiresAt.getTime() + EXPIRES_IN_GRANULARITY_MS + jitter + 1);
    });

    it('without a suite_ticket surfaces the suite in health and metrics and does not call WeCom', async () => {
      const suite = await registerSuite(sim, null);
      await seedCorps(suite.suiteId, 2);
      await tokens.schedule.scheduleNow({ kind: 'suite', suiteId: suite.suiteId });
      await sleep(1000);
      const health = (await (await fetch(`${worker.url}/health`)).json()) as {
        status: string;
        checks: { tokens: { detail: { suitesWithoutFreshTicket: { suiteId: string; ticketAgeSeconds: number | null }[] } } };
      };
      expect(health.status).toBe('ok');
      expect(health.checks.tokens.detail.suitesWithoutFreshTicket).toContainEqual({ suiteId: suite.suiteId, ticketAgeSeconds: null });
      const text = await metrics();
      expect(sumMetric(text, 'wecom_suite_ticket_lapses', { suite_id: suite.suiteId })).toBe(1);
      expect(sumMetric(text, 'wecom_suites_without_fresh_ticket')).toBeGreaterThanOrEqual(1);
      expect((await calls()).by_suite[suite.suiteId]).toBeUndefined();
      // The suite token stays scheduled, to be fetched once a ticket arrives.
      expect(await tokens.schedule.scoreOf({ kind: 'suite', suiteId: suite.suiteId })).not.toBeNull();
    });
  });

  it('reports database, Redis, inbox and tokens on /health and the refresh and event metrics on /metrics', async () => {
    const health = (await (await fetch(`${worker.url}/health`)).json()) as { status: string; checks: Record<string, { ok: boolean; detail?: Record<string, unknown> }> };
    expect(health.status).toBe('ok');
    expect(Object.keys(health.checks).sort()).toEqual(['database', 'inbox', 'redis', 'tokens']);
    expect(health.checks.inbox.detail).toMatchObject({ oldestPendingAgeSeconds: expect.any(Number) });
    expect(health.checks.tokens.detail).toMatchObject({ scheduledTokens: expect.any(Number), dueNow: expect.any(Number) });
    const text = await metrics();
    expect(sumMetric(text, 'wecom_token_refreshes_total', { kind: 'corp', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sumMetric(text, 'wecom_token_refreshes_total', { kind: 'suite', outcome: 'ok' })).toBeGreaterThan(0);
    expect(text).toContain('# TYPE wecom_token_time_to_expiry_seconds histogram');
    expect(text).toMatch(/wecom_queue_jobs\{queue="token-refresh",state="waiting"\}/);
    expect(sumMetric(text, 'wecom_callback_event_latency_seconds_count')).toBeGreaterThan(0);
    expect(sumMetric(text, 'wecom_refresh_sweep_duration_seconds_count')).toBeGreaterThan(0);
    expect(sumMetric(text, 'wecom_tokens_refreshed_after_expiry_total')).toBe(0);
  });
});
