import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { AuthCodeClaimRepository, authCodeHash, CallbackEventRepository, PrismaService } from '@app/store';
import { TEST_DATABASE_URL, uniqueId } from './support/env.js';
import { testCipher } from './support/store.js';

/**
 * A database whose TimeZone is not UTC (managed PostgreSQL in China is often Asia/Shanghai): the times PostgreSQL
 * stamps (`now()`, column defaults) and the times the apps write (UTC) must still be one clock.
 */
describe('a database set to Asia/Shanghai', () => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `${url.pathname}_tz`;
  const name = decodeURIComponent(url.pathname.slice(1));
  let prisma: PrismaService;

  const admin = async (sql: string) => {
    const adminUrl = new URL(TEST_DATABASE_URL);
    adminUrl.pathname = '/postgres';
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    execFileSync(process.execPath, ['prisma/migrate.js'], { env: { ...process.env, DATABASE_URL: url.toString(), DIRECT_DATABASE_URL: '' }, stdio: 'ignore' });
    await admin(`ALTER DATABASE "${name}" SET timezone TO 'Asia/Shanghai'`);
    prisma = new PrismaService({ url: url.toString(), poolSize: 2 });
  });
  afterAll(async () => {
    await prisma?.onModuleDestroy();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  /** Whole hours between a stored time and now: 0 on one clock, 8 when PostgreSQL stamped Shanghai time. */
  const hoursFromNow = (at: Date | null | undefined) => Math.abs(Math.round((at!.getTime() - Date.now()) / 3_600_000));

  it('gets UTC on every connection: inbox rows, queue marks and auth-code claims agree with the apps', async () => {
    expect((await prisma.pool.query<{ TimeZone: string }>('SHOW TimeZone')).rows[0].TimeZone).toBe('UTC');
    const events = new CallbackEventRepository(prisma, testCipher());
    const [stored] = await events.insertMany([{ suiteId: 'wwtz', kind: 'data', type: 'text', corpId: 'wwtzcorp', dedupeKey: uniqueId('tz'), payload: '<xml/>' }]);
    if (stored.duplicate) throw new Error('a fresh key came back duplicate');
    await events.markQueued([stored.id]);
    const row = await events.findById(stored.id);
    // receivedAt is PostgreSQL's column default, queuedAt the app's time: the same clock, not 8 hours apart.
    expect(hoursFromNow(row?.receivedAt)).toBe(0);
    expect(hoursFromNow(row?.queuedAt)).toBe(0);

    const claims = new AuthCodeClaimRepository(prisma, testCipher());
    expect((await claims.claim('wwtz', 'tz-code')).state).toBe('claimed');
    const claim = await prisma.client.authCodeClaim.findUniqueOrThrow({ where: { codeHash: authCodeHash('wwtz', 'tz-code') } });
    expect(hoursFromNow(claim.claimedAt)).toBe(0);
  });
});
