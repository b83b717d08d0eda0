/**
 * The fault suite (`npm run test:faults`): each scenario builds its own world (database behind a proxy, its own
 * redis-server, the simulator, the apps as child processes) and checks that every acknowledged callback is stored
 * and processed exactly once, and that no token served was expired. A table of the figures is printed at the end.
 */
import { ABANDONED_CLAIM_MS } from '@app/store';
import { startRedisSentinel } from '../support/redis-topologies.js';
import { FaultRig } from './fault-rig.js';
import { createApiKeyIn, TokenProbe } from './fault-tokens.js';
import { fuzzRequests } from './fuzz.js';
import { FaultReceiver, WEBHOOK_FAULT_ENV, WebhookFigures } from './fault-webhooks.js';

interface Row {
  scenario: string;
  sent: number;
  acked: number;
  stored: number;
  processed: number;
  duplicates: number;
  staleTokens: number | string;
  webhooks?: WebhookFigures;
}

const rows: Row[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(() => {
  const headers = ['scenario', 'sent', 'acked', 'stored', 'processed', 'duplicates processed', 'stale tokens served', 'events', 'webhooks delivered', 'webhook duplicates (same id)', 'webhooks lost'];
  const cells = [
    headers,
    ...rows.map((r) =>
      [r.scenario, r.sent, r.acked, r.stored, r.processed, r.duplicates, r.staleTokens, r.webhooks?.events ?? '-', r.webhooks?.delivered ?? '-', r.webhooks?.duplicates ?? '-', r.webhooks?.lost ?? '-'].map(String),
    ),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const table = cells.map((c) => c.map((v, i) => v.padEnd(widths[i])).join('  ')).join('\n');
  process.stdout.write(`\nfault suite\n${table}\n`);
});

/** Every acknowledged callback stored and processed once: stored ≥ acked (a callback may be stored and its answer lost), processed = stored. */
function expectNoLoss(row: Row): void {
  expect(row.stored).toBeGreaterThanOrEqual(row.acked);
  expect(row.processed).toBe(row.stored);
  expect(row.duplicates).toBe(0);
}

describe('fault suite', () => {
  it('Redis killed for 10 s in the middle of a 2,000-callback load, then restarted', async () => {
    const rig = await new FaultRig('redis').start(['callback', 'worker']);
    try {
      const tally = await rig.load(2000, 100, [
        [5000, () => rig.redis.stop()],
        [15000, async () => void (await rig.redis.start())],
      ]);
      const acked = tally.acked;
      const { stored, processed } = await rig.waitProcessed(acked);
      const row = { scenario: 'redis down 10 s', sent: tally.sent, acked, stored, processed, duplicates: rig.duplicatesProcessed(), staleTokens: '-' };
      rows.push(row);
      expect(acked).toBe(2000);
      expectNoLoss(row);
    } finally {
      await rig.stop();
    }
  });

  it('the Redis master SIGKILLed under Sentinel in the middle of a 2,000-callback load: the replica takes over', async () => {
    // Ports of our own (27031–27041), apart from test/redis-topologies.e2e-spec.ts's.
    const sentinel = await startRedisSentinel({ master: 27031, replica: 27032, sentinel: 27041 });
    const rig = new FaultRig('sentinel', sentinel.env);
    try {
      await rig.start(['callback', 'worker']);
      const tally = await rig.load(2000, 100, [[5000, () => sentinel.killMaster()]]);
      const { stored, processed } = await rig.waitProcessed(tally.acked, 120_000);
      const row = { scenario: 'redis master SIGKILL (Sentinel failover)', sent: tally.sent, acked: tally.acked, stored, processed, duplicates: rig.duplicatesProcessed(), staleTokens: '-' };
      rows.push(row);
      expect(tally.acked).toBe(2000);
      expectNoLoss(row);
    } finally {
      await rig.stop();
      await sentinel.stop();
    }
  });

  it('the worker SIGKILLed twice during event processing', async () => {
    const rig = await new FaultRig('workerkill').start(['callback', 'worker']);
    try {
      // Slow WeCom down so that exchanges are in flight when the worker dies.
      await fetch(`${rig.sim.url}/sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latency_ms: 300, paths: ['/cgi-bin/service/v2/get_permanent_code'] }),
      });
      const installs: Promise<Response>[] = [];
      const tally = await rig.load(2000, 200, [
        [500, async () => {
          for (let i = 0; i < 20; i++) {
            installs.push(fetch(`${rig.sim.url}/sim/suites/${rig.suite.suiteId}/installs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ push_callback: true }) }));
          }
        }],
        [2500, async () => {
          await rig.kill('worker');
          await rig.startApp('worker');
        }],
        [6000, async () => {
          await rig.kill('worker');
          await rig.startApp('worker');
        }],
      ]);
      await Promise.all(installs);
      const { stored, processed } = await rig.waitProcessed(tally.acked);
      // A worker killed holding a claim leaves it to be taken over once abandoned (ABANDONED_CLAIM_MS, 90 s). The
      // retried create_auth then completes the tenant from WeCom's kept answer, or, for a code the dead worker had
      // sent without keeping an answer (the code may be spent: 临时授权码一次有效), records the failure and alerts.
      const installsSettled = () =>
        rig.prisma.client.callbackEvent.count({ where: { suiteId: rig.suite.suiteId, type: 'create_auth', status: { in: ['processed', 'failed'] } } });
      const deadline = Date.now() + ABANDONED_CLAIM_MS + 120_000;
      while (Date.now() < deadline && (await installsSettled()) < 20) await sleep(500);
      const corps = await rig.prisma.client.authCorp.count({ where: { suiteId: rig.suite.suiteId, status: 'active' } });
      const claims = await rig.prisma.client.authCodeClaim.findMany({ where: { suiteId: rig.suite.suiteId } });
      const failedInstalls = await rig.prisma.client.callbackEvent.findMany({ where: { suiteId: rig.suite.suiteId, type: 'create_auth', status: 'failed' } });
      const alerts = rig.apps.get('worker')!.logs.filter((l) => String((l.message as { msg?: string } | undefined)?.msg).startsWith('ALERT: install may be lost')).length;
      const calls = (await (await fetch(`${rig.sim.url}/sim/calls`)).json()) as { by_path: Record<string, number> };
      const row = { scenario: 'worker SIGKILL ×2', sent: tally.sent, acked: tally.acked, stored, processed, duplicates: rig.duplicatesProcessed(), staleTokens: '-' };
      rows.push(row);
      process.stdout.write(
        `worker SIGKILL: 20 installs: ${corps} tenants, ${failedInstalls.length} given up (sent, answer lost with the worker), ` +
          `${alerts} alerts, get_permanent_code calls ${calls.by_path['/cgi-bin/service/v2/get_permanent_code']}\n`,
      );
      expectNoLoss(row);
      // Every install ends as a tenant or as a recorded, alerted failure; none is left hanging or silently lost.
      expect(corps + failedInstalls.length).toBe(20);
      expect(claims.filter((c) => c.finishedAt !== null)).toHaveLength(corps);
      expect(claims.filter((c) => c.failure !== null)).toHaveLength(failedInstalls.length);
      for (const failed of failedInstalls) expect(failed.lastError).toContain('AuthCodeUnusableError');
      expect(alerts).toBe(failedInstalls.length);
      // A code once sent is never sent again: one exchange call per install, whoever finished it.
      expect(calls.by_path['/cgi-bin/service/v2/get_permanent_code']).toBe(20);
    } finally {
      await rig.stop();
    }
  }, 480_000);

  it('PostgreSQL unreachable for a period: callbacks get 503, none acknowledged is lost, intake resumes by itself', async () => {
    const rig = await new FaultRig('pgdown').start(['callback', 'worker']);
    try {
      let refusedWhileDown = 0;
      const tally = await rig.load(1000, 100, [
        [3000, async () => rig.dbProxy.cut()],
        [7000, async () => {
          refusedWhileDown = (await rig.counts()).stored;
          rig.dbProxy.restore();
        }],
      ]);
      const { stored, processed } = await rig.waitProcessed(tally.acked);
      const row = { scenario: 'postgres down 4 s', sent: tally.sent, acked: tally.acked, stored, processed, duplicates: rig.duplicatesProcessed(), staleTokens: '-' };
      rows.push(row);
      expect(tally.refused).toBeGreaterThan(0);
      expect(refusedWhileDown).toBeLessThan(tally.acked);
      expect(tally.acked).toBeGreaterThan(500);
      expectNoLoss(row);
    } finally {
      await rig.stop();
    }
  });

  it('WeCom answers 5xx and 45009 for 30% of calls for a period and invalidates every token early once', async () => {
    // 120× clock: a 7200 s token lives 60 real seconds, so the run spans more than one lifetime; margins scale too.
    const factor = 120;
    const rig = await new FaultRig(
      'wecomfaults',
      {
        TOKEN_SERVE_MARGIN_SECONDS: String(300 / factor),
        REFRESH_MARGIN_SECONDS: String(900 / factor),
        REFRESH_JITTER_SECONDS: '1',
        REFRESH_SWEEP_INTERVAL_MS: '250',
        WECOM_RATE_LIMIT_PAUSE_MS: '500',
      },
      factor,
    ).start(['callback', 'worker', 'auth']);
    try {
      const key = await createApiKeyIn(rig.prisma, rig.suite.suiteId);
      for (let i = 0; i < 5; i++) await rig.simPost(`/sim/suites/${rig.suite.suiteId}/installs`, { push_callback: true });
      const deadline = Date.now() + 30_000;
      // Active with its agent: the v2 exchange stores the tenant first, get_auth_info adds the agent the probe calls.
      const ready = { suiteId: rig.suite.suiteId, status: 'active' as const, agentId: { not: null } };
      while ((await rig.prisma.client.authCorp.count({ where: ready })) < 5 && Date.now() < deadline) await sleep(200);
      const corps = await rig.prisma.client.authCorp.findMany({ where: { suiteId: rig.suite.suiteId }, select: { corpId: true, agentId: true } });
      expect(corps).toHaveLength(5);

      const probe = new TokenProbe(rig.apps.get('auth')!.url, rig.sim.url, rig.suite.suiteId, key, corps);
      const faultPaths = ['/cgi-bin/service/', '/cgi-bin/get_jsapi_ticket', '/cgi-bin/ticket/'];
      const probing = probe.run(80_000);
      const tally = await rig.load(300, 20, [
        [2000, async () => {
          await rig.simPost('/sim/faults', { http_status: 503, ratio: 0.15, paths: faultPaths });
          await rig.simPost('/sim/faults', { errcode: 45009, ratio: 0.15, paths: faultPaths });
        }],
        [32_000, async () => void (await fetch(`${rig.sim.url}/sim/faults`, { method: 'DELETE' }))],
        [40_000, async () => {
          probe.markInvalidation();
          await rig.simPost('/sim/tokens/invalidate', { kind: 'all' });
        }],
      ]);
      const report = await probing;
      const { stored, processed } = await rig.waitProcessed(tally.acked);
      const row = { scenario: 'WeCom 30% 5xx/45009, tokens revoked', sent: tally.sent, acked: tally.acked, stored, processed, duplicates: rig.duplicatesProcessed(), staleTokens: report.stale };
      rows.push(row);
      process.stdout.write(`token probe: ${JSON.stringify(report)}\n`);
      expectNoLoss(row);
      expect(report.served).toBeGreaterThan(100);
      expect(report.stale).toBe(0);
      // Every corp got a new token after the early revocation (the platform recovered, not just stayed silent).
      expect(report.distinctTokens).toBeGreaterThanOrEqual(2 * corps.length);
    } finally {
      await rig.stop();
    }
  });

  it('webhook receiver down for 5 s, then answering 500s for 4 s, then hanging past the 1 s timeout for 4 s', async () => {
    await webhookScenario('whreceiver', [
      {
        scenario: 'webhooks: receiver down 5 s',
        misbehave: (receiver) => [
          [1000, () => receiver.stop()],
          [6000, async () => void (await receiver.start())],
        ],
      },
      {
        scenario: 'webhooks: receiver 500s for 4 s',
        misbehave: (receiver) => [
          [1000, async () => receiver.receiver.behave({ status: 500 })],
          [5000, async () => receiver.receiver.behave('accept')],
        ],
      },
      {
        scenario: 'webhooks: receiver hangs 4 s',
        misbehave: (receiver) => [
          [1000, async () => receiver.receiver.behave('hang')],
          [5000, async () => receiver.receiver.behave('accept')],
        ],
      },
    ]);
  });

  it('the worker SIGKILLed twice during webhook delivery', async () => {
    await webhookScenario('whkill', [
      {
        scenario: 'webhooks: worker SIGKILL ×2',
        misbehave: (receiver, rig) => {
          // A slow receiver keeps deliveries in flight when the worker dies.
          receiver.receiver.behave({ delayMs: 300 });
          return [
            [1500, async () => {
              await rig.kill('worker');
              await rig.startApp('worker');
            }],
            [4000, async () => {
              await rig.kill('worker');
              await rig.startApp('worker');
            }],
          ];
        },
      },
    ]);
  });

  it('20,000 malformed requests against every public route: no 5xx, no crash, memory stable', async () => {
    const rig = await new FaultRig('fuzz').start(['callback', 'worker', 'auth']);
    try {
      const adminKey = await createApiKeyIn(rig.prisma, null);
      const rssBefore = { callback: await rig.rssBytes('callback'), auth: await rig.rssBytes('auth'), worker: await rig.rssBytes('worker') };
      const statuses = await fuzzRequests(
        { callback: rig.apps.get('callback')!.url, auth: rig.apps.get('auth')!.url, worker: rig.apps.get('worker')!.url },
        rig.suite,
        adminKey,
        20_000,
      );
      const rssAfter = { callback: await rig.rssBytes('callback'), auth: await rig.rssBytes('auth'), worker: await rig.rssBytes('worker') };
      process.stdout.write(`fuzz statuses: ${JSON.stringify(statuses)}; RSS MB before ${JSON.stringify(mb(rssBefore))} after ${JSON.stringify(mb(rssAfter))}\n`);
      const serverErrors = Object.entries(statuses).filter(([status]) => Number(status) >= 500);
      rows.push({ scenario: 'fuzz 20,000 malformed', sent: 20_000, acked: 0, stored: 0, processed: 0, duplicates: 0, staleTokens: `5xx: ${serverErrors.length}` });
      expect(serverErrors).toEqual([]);
      for (const app of rig.apps.values()) expect(app.process.exitCode).toBeNull();
      for (const name of ['callback', 'auth', 'worker'] as const) expect(rssAfter[name]).toBeLessThan(rssBefore[name] + 150 * 1024 * 1024);
    } finally {
      await rig.stop();
    }
  });
});

/** Every published event verified by the receiver; duplicates only as at-least-once allows (same id, same body). */
function expectAllDelivered(w: WebhookFigures, acked: number): void {
  expect(w.events).toBeGreaterThanOrEqual(acked);
  expect(w.lost).toBe(0);
  expect(w.delivered).toBe(w.events);
  expect(w.mismatched).toBe(0);
}

interface WebhookPhase {
  scenario: string;
  misbehave: (receiver: FaultReceiver, rig: FaultRig) => [number, () => Promise<void>][];
}

/**
 * Webhook scenarios on one rig, one after the other: each phase sends 300 change_contact callbacks at 100/s
 * (contact.user.updated events) to a receiver that misbehaves as the phase says, then recovers; every event must
 * reach it. Rows count each phase's own events.
 */
async function webhookScenario(name: string, phases: WebhookPhase[]): Promise<void> {
  const t0 = Date.now();
  const rig = await new FaultRig(name, WEBHOOK_FAULT_ENV).start(['callback', 'worker']);
  const receiver = await new FaultReceiver(rig).start();
  process.stdout.write(`${name}: rig started in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  try {
    await receiver.register();
    let before = { counts: await rig.counts(), webhooks: await receiver.figures(), duplicatesProcessed: 0 };
    for (const [n, phase] of phases.entries()) {
      const started = Date.now();
      const tally = await rig.load(300, 100, phase.misbehave(receiver, rig), `${name}${n}`);
      const counts = await rig.waitProcessed(before.counts.processed + tally.acked);
      const webhooks = await receiver.waitDelivered(before.webhooks.events + tally.acked);
      const duplicatesProcessed = rig.duplicatesProcessed();
      const row = {
        scenario: phase.scenario,
        sent: tally.sent,
        acked: tally.acked,
        stored: counts.stored - before.counts.stored,
        processed: counts.processed - before.counts.processed,
        duplicates: duplicatesProcessed - before.duplicatesProcessed,
        staleTokens: '-',
        webhooks: {
          events: webhooks.events - before.webhooks.events,
          delivered: webhooks.delivered - before.webhooks.delivered,
          duplicates: webhooks.duplicates - before.webhooks.duplicates,
          lost: webhooks.lost,
          mismatched: webhooks.mismatched,
        },
      };
      rows.push(row);
      process.stdout.write(`${phase.scenario}: ${JSON.stringify(row.webhooks)}, all delivered ${((Date.now() - started) / 1000).toFixed(1)} s after the first callback\n`);
      expectNoLoss(row);
      expectAllDelivered(row.webhooks, tally.acked);
      before = { counts, webhooks, duplicatesProcessed };
    }
  } finally {
    await receiver.stop().catch(() => undefined);
    await rig.stop();
  }
}

function mb(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.round(v / 1048576)]));
}
