import { randomBytes } from 'node:crypto';
import { InstallSessionRepository, PrismaService, RetentionRepository } from '@app/store';
import { uniqueId } from './support/env.js';
import { testEnv } from './support/platform.js';
import { testPrisma } from './support/store.js';
import { waitFor } from './support/wait.js';
import { scaledWorkerEnv, startTestWorkerApp } from './support/worker.js';

const DAY_MS = 86_400_000;

/** Retention deletes what outlived it, in bounded batches, and nothing still needed. */
describe('retention', () => {
  let prisma: PrismaService;
  let retention: RetentionRepository;

  beforeAll(() => {
    prisma = testPrisma();
    retention = new RetentionRepository(prisma);
  });
  afterAll(() => prisma.onModuleDestroy());

  /** Deletes in batches of `batch` until a short batch comes back; returns the total. */
  async function drain(step: (limit: number) => Promise<number>, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step(batch);
      total += n;
      if (n < batch) return total;
    }
  }

  it('deletes finished inbox events older than the cutoff in batches, never unfinished ones', async () => {
    const suiteId = uniqueId('wwret');
    const event = (status: 'received' | 'queued' | 'processing' | 'processed' | 'failed', ageDays: number) => ({
      suiteId,
      kind: 'data' as const,
      type: 'text',
      corpId: 'wwcorp',
      dedupeKey: `${suiteId}:${randomBytes(8).toString('hex')}`,
      payload: '<xml/>',
      status,
      receivedAt: new Date(Date.now() - ageDays * DAY_MS),
    });
    await prisma.client.callbackEvent.createMany({
      data: [
        ...Array.from({ length: 25 }, () => event('processed', 40)),
        ...Array.from({ length: 5 }, () => event('failed', 40)),
        ...(['received', 'queued', 'processing'] as const).map((s) => event(s, 40)),
        ...Array.from({ length: 4 }, () => event('processed', 10)),
      ],
    });
    const deleted = await drain((limit) => retention.deleteFinishedEvents(new Date(Date.now() - 30 * DAY_MS), limit), 7);
    expect(deleted).toBeGreaterThanOrEqual(30);
    const left = await prisma.client.callbackEvent.findMany({ where: { suiteId }, select: { status: true } });
    expect(left.map((e) => e.status).sort()).toEqual(['processed', 'processed', 'processed', 'processed', 'processing', 'queued', 'received']);
  });

  it('purges expired install sessions and old auth_code claims, keeping live ones', async () => {
    const suiteId = uniqueId('wwret');
    const sessions = new InstallSessionRepository(prisma);
    const live = await sessions.create({ suiteId, authType: 0, ttlSeconds: 600 });
    for (let i = 0; i < 12; i++) await sessions.create({ suiteId, authType: 0, ttlSeconds: -7200 });
    await drain((limit) => retention.deleteExpiredInstallSessions(new Date(Date.now() - 3_600_000), limit), 5);
    expect((await prisma.client.installSession.findMany({ where: { suiteId } })).map((s) => s.id)).toEqual([live.id]);

    await prisma.client.authCodeClaim.createMany({
      data: [
        { codeHash: randomBytes(16).toString('hex'), suiteId, claimedAt: new Date(Date.now() - 8 * DAY_MS), corpId: 'wwa', finishedAt: new Date(Date.now() - 8 * DAY_MS) },
        { codeHash: randomBytes(16).toString('hex'), suiteId, claimedAt: new Date(Date.now() - 8 * DAY_MS) },
        { codeHash: randomBytes(16).toString('hex'), suiteId },
      ],
    });
    await drain((limit) => retention.deleteAuthCodeClaims(new Date(Date.now() - 7 * DAY_MS), limit), 100);
    expect(await prisma.client.authCodeClaim.count({ where: { suiteId } })).toBe(1);
  });

  it("runs in the worker on its own schedule (the purge-retention Job Scheduler)", async () => {
    const suiteId = uniqueId('wwret');
    const old = { suiteId, kind: 'data' as const, type: 'text', corpId: 'wwcorp', payload: '<xml/>', receivedAt: new Date(Date.now() - 2 * DAY_MS) };
    await prisma.client.callbackEvent.createMany({
      data: [
        { ...old, dedupeKey: `${suiteId}:a`, status: 'processed' },
        { ...old, dedupeKey: `${suiteId}:b`, status: 'queued' },
      ],
    });
    const worker = await startTestWorkerApp({ ...testEnv('http://127.0.0.1:9'), ...scaledWorkerEnv(1), INBOX_RETENTION_DAYS: '1', RETENTION_PURGE_INTERVAL_MS: '1000' });
    try {
      await waitFor(async () => (await prisma.client.callbackEvent.count({ where: { suiteId, status: 'processed' } })) === 0, 20_000);
      expect(await prisma.client.callbackEvent.count({ where: { suiteId } })).toBe(1);
    } finally {
      await worker.app.close();
    }
  }, 30_000);
});
