import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { PrismaService, SuiteRepository } from '@app/store';
import { SuiteKeysCache } from '../apps/callback/src/suite-keys.cache.js';
import { uniqueId } from './support/env.js';
import { randomAesKey } from './support/wecom-sender.js';
import { testCipher, testPrisma } from './support/store.js';

/** The callback app's suite lookup on the real store, under a flood of made-up suite ids. */
describe('callback app: suite keys cache', () => {
  let prisma: PrismaService;
  let suites: SuiteRepository;
  let lookups: jest.SpiedFunction<SuiteRepository['findCredentials']>;
  let cache: SuiteKeysCache;
  let known: string;

  beforeAll(async () => {
    prisma = testPrisma();
    suites = new SuiteRepository(prisma, testCipher());
    known = uniqueId('wwkeys');
    await suites.upsert({ suiteId: known, secret: 's', token: 't', encodingAesKey: randomAesKey() });
    lookups = jest.spyOn(suites, 'findCredentials');
    cache = new SuiteKeysCache(suites, 300);
  });

  afterAll(() => prisma.onModuleDestroy());

  const lookupsOf = (suiteId: string) => lookups.mock.calls.filter(([id]) => id === suiteId).length;

  it('asks the database once for a known suite and once for an unknown id, however often and concurrently asked', async () => {
    const unknown = uniqueId('wwnosuch');
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => cache.get(i % 2 ? known : unknown)));
    expect(answers.filter((a) => a !== null)).toHaveLength(100);
    for (let i = 0; i < 200; i++) await cache.get(i % 2 ? known : unknown);
    expect(lookupsOf(known)).toBe(1);
    expect(lookupsOf(unknown)).toBe(1);
  });

  it('keeps a suite in use cached while 1,000 made-up ids flood in, and stays bounded', async () => {
    await cache.get(known);
    const before = lookupsOf(known);
    for (let i = 0; i < 1000; i++) {
      await cache.get(`wwflood${randomBytes(6).toString('hex')}`);
      if (i % 50 === 0) expect(await cache.get(known)).not.toBeNull();
    }
    expect(lookupsOf(known)).toBe(before);
    expect((cache as unknown as { entries: { size: number } }).entries.size).toBe(300);
  }, 120_000);
});
