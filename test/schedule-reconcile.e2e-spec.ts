import { Queue } from 'bullmq';
import { bullPrefix, RECONCILE_SCHEDULE_JOB_ID, QueueName } from '@app/queues';
import type { TokenKey } from '@app/tokens';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SuiteTicketRepository } from '@app/store';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import { testCipher } from './support/store.js';
import { scaledWorkerEnv, TestTokens, testTokens, waitFor, WorkerProcess } from './support/worker.js';

/** The "refresh schedule reconciled" lines in a worker's output: one per finished walk, with its report. */
function walks(worker: WorkerProcess): { corps: number; added: number; resumed: boolean; resumedAt: number }[] {
  return worker
    .log()
    .split('\n')
    .filter((l) => l.includes('"refresh schedule reconciled"'))
    .map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { message: { corps: number; added: number; resumed: boolean; resumedAt: number } }).message);
}

describe('start-up reconciliation of the refresh schedule, once per cluster', () => {
  const CORPS = 150;
  let sim: Simulator;
  let callback: { app: NestFastifyApplication; url: string };
  let tokens: TestTokens;
  let suiteId: string;
  let corpIds: string[];
  const workers: WorkerProcess[] = [];

  /** A fresh Redis prefix each time: a cluster that never ran, with the same tenants in PostgreSQL. */
  function clusterEnv(pageSize: number, lockMs = 2000): Record<string, string> {
    return testEnv(sim.url, scaledWorkerEnv(60, { RECONCILE_PAGE_SIZE: String(pageSize), REFRESH_JITTER_SECONDS: '600', JOB_LOCK_DURATION_MS: String(lockMs) }));
  }
  async function spawn(env: Record<string, string>): Promise<WorkerProcess> {
    const w = await WorkerProcess.spawn(env, 90_000);
    workers.push(w);
    return w;
  }
  async function scheduled(t: TestTokens): Promise<number> {
    const keys: TokenKey[] = corpIds.map((corpId) => ({ kind: 'corp', suiteId, corpId }));
    return keys.length - (await t.schedule.missing(keys)).length;
  }

  beforeAll(async () => {
    sim = await startTestSimulator({ timeFactor: 60 });
    const env = clusterEnv(1000);
    callback = await startTestCallbackApp(env);
    tokens = await testTokens(env, sim.url);
    const suite = await registerSuite(sim, callback.url);
    await simControl(sim, 'POST', `/sim/suites/${suite.suiteId}/push-ticket`);
    await waitFor(() => new SuiteTicketRepository(tokens.prisma, testCipher()).find(suite.suiteId));
    const seeded = await simControl<{ corps: { corpid: string; permanent_code: string }[] }>(sim, 'POST', `/sim/suites/${suite.suiteId}/seed-corps`, { count: CORPS });
    await tokens.corps.importMany(suite.suiteId, seeded.corps.map((c) => ({ corpId: c.corpid, permanentCode: c.permanent_code })));
    suiteId = suite.suiteId;
    corpIds = seeded.corps.map((c) => c.corpid);
  }, 120_000);

  afterEach(async () => {
    if (process.env.DUMP_WORKER_LOGS) for (const w of workers) console.log(w.log().split('\n').filter((l) => /econcil|stall|error/i.test(l)).join('\n'));
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
  });

  afterAll(async () => {
    await callback?.app.close();
    await tokens?.close();
    await sim?.close();
  });

  it('two workers started together walk the tenants once; a Redis reconnect walks again only if Redis lost the schedule', async () => {
    // A lock long enough that a loaded machine's late renewal does not hand the running walk to the other worker.
    const env = clusterEnv(20, 15_000);
    const t = await testTokens(env, sim.url);
    try {
      const [a, b] = await Promise.all([spawn(env), spawn(env)]);
      await waitFor(() => t.schedule.isReconciled(), 60_000, 'reconciled marker');
      await waitFor(async () => (await scheduled(t)) === CORPS, 10_000, 'every corp token scheduled');
      expect(walks(a).length + walks(b).length).toBe(1);

      // Every connection of this test's Redis db dropped: both workers reconnect; Redis kept its data.
      const killClients = async () => {
        const list = String(await t.redis.call('CLIENT', 'LIST'));
        const db = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0').pathname.slice(1) || '0';
        const ids = list.split('\n').filter((l) => l.includes(` db=${db} `)).map((l) => /id=(\d+)/.exec(l)![1]);
        for (const id of ids) await t.redis.call('CLIENT', 'KILL', 'ID', id).catch(() => undefined);
      };
      const already = (w: WorkerProcess) => w.log().split('\n').filter((l) => l.includes('already reconciled by this cluster')).length;
      const [beforeA, beforeB] = [already(a), already(b)];
      await killClients();
      await waitFor(async () => already(a) > beforeA && already(b) > beforeB, 30_000, 'both workers reconnected');
      expect(walks(a).length + walks(b).length).toBe(1);

      // Redis lost its data (index and marker): the next reconnect walks again, once, and refills the index.
      await t.redis.del(t.schedule.reconciledKey, `${env.REDIS_PREFIX}:refresh-due`);
      expect(await scheduled(t)).toBe(0);
      await killClients();
      await waitFor(() => t.schedule.isReconciled(), 60_000, 'reconciled again');
      await waitFor(async () => (await scheduled(t)) === CORPS, 10_000, 'index refilled');
      expect(walks(a).length + walks(b).length).toBe(2);
    } finally {
      await t.close();
    }
  }, 180_000);

  it('a worker killed mid-walk is resumed by another from its cursor', async () => {
    const env = clusterEnv(1);
    const t = await testTokens(env, sim.url);
    const connection = t.redis.duplicate();
    const queue = new Queue(QueueName.TokenRefresh, { connection, prefix: bullPrefix({ prefix: env.REDIS_PREFIX }) });
    try {
      const a = await spawn(env);
      let doneByA = 0;
      await waitFor(
        async () => {
          const progress = (await queue.getJob(RECONCILE_SCHEDULE_JOB_ID))?.progress as { corps?: number } | undefined;
          doneByA = progress?.corps ?? 0;
          return doneByA >= 10;
        },
        60_000,
        'walk under way',
      );
      await a.kill('SIGKILL');
      expect(await t.schedule.isReconciled()).toBe(false);
      expect(walks(a)).toEqual([]);

      const b = await spawn(env);
      await waitFor(() => t.schedule.isReconciled(), 90_000, 'resumed walk finished');
      const [report] = walks(b);
      expect(walks(b)).toHaveLength(1);
      expect(report.resumed).toBe(true);
      expect(report.resumedAt).toBeGreaterThanOrEqual(doneByA);
      expect(await scheduled(t)).toBe(CORPS);
    } finally {
      await queue.close();
      connection.disconnect();
      await t.close();
    }
  }, 180_000);
});
