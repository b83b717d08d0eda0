/**
 * The fault suite (`npm run test:faults`): each scenario builds its own world (database behind a proxy, its own
 * redis-server, the simulator, the apps as child processes) and checks that every acknowledged callback is stored
 * and processed exactly once, and that no token served was expired. A table of the figures is printed at the end.
 */
import { FaultRig } from './fault-rig.js';

interface Row {
  scenario: string;
  sent: number;
  acked: number;
  stored: number;
  processed: number;
  duplicates: number;
  staleTokens: number | string;
}

const rows: Row[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(() => {
  const headers = ['scenario', 'sent', 'acked', 'stored', 'processed', 'duplicates processed', 'stale tokens served'];
  const cells = [headers, ...rows.map((r) => [r.scenario, r.sent, r.acked, r.stored, r.processed, r.duplicates, r.staleTokens].map(String))];
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
    const rig = await new FaultRig('redis', { INBOX_REQUEUE_AFTER_SECONDS: '5' }).start(['callback', 'worker']);
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

  it('the worker SIGKILLed twice during event processing', async () => {
    const rig = await new FaultRig('workerkill').start(['callback', 'worker']);
    try {
      // Slow WeCom down so that exchanges are in flight when the worker dies.
      await fetch(`${rig.sim.url}/sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latency_ms: 300, paths: ['/cgi-bin/service/get_permanent_code'] }),
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
      const deadline = Date.now() + 60_000;
      let corps = 0;
      while (Date.now() < deadline && (corps = await rig.prisma.client.authCorp.count({ where: { suiteId: rig.suite.suiteId } })) < 20) await sleep(250);
      const calls = (await (await fetch(`${rig.sim.url}/sim/calls`)).json()) as { by_path: Record<string, number> };
      const row = { scenario: 'worker SIGKILL ×2', sent: tally.sent, acked: tally.acked, stored, processed, duplicates: rig.duplicatesProcessed(), staleTokens: '-' };
      rows.push(row);
      expectNoLoss(row);
      expect(corps).toBe(20);
      expect(calls.by_path['/cgi-bin/service/get_permanent_code']).toBe(20);
    } finally {
      await rig.stop();
    }
  });

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
});
