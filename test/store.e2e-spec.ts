import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import {
  ApiKeyRepository,
  AuthCodeClaimRepository,
  AuthCorpRepository,
  CallbackEventRepository,
  InstallSessionRepository,
  LicenseRepository,
  PrismaService,
  SecretCipher,
  SecretKeyMismatchError,
  SecretRotationService,
  StoreModule,
  StoredTokenRepository,
  SuiteRepository,
  SuiteTicketRepository,
} from '@app/store';
import { TEST_DATABASE_URL, TEST_SECRET_KEY, uniqueId } from './support/env.js';
import { testCipher, testPrisma } from './support/store.js';

describe('tenant store (PostgreSQL)', () => {
  let prisma: PrismaService;
  let cipher: SecretCipher;
  let suites: SuiteRepository;

  beforeAll(() => {
    prisma = testPrisma();
    cipher = testCipher();
    suites = new SuiteRepository(prisma, cipher);
  });
  afterAll(() => prisma.onModuleDestroy());

  const newSuite = (suiteId = uniqueId('ww')) =>
    suites.upsert({ suiteId, secret: 'suite-secret-x', token: 'tok', encodingAesKey: 'k'.repeat(43), providerCorpId: 'wwprov', providerSecret: 'prov-secret-x' });

  it('has applied every committed migration to the fresh database', async () => {
    const rows = await prisma.client.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
      SELECT migration_name, finished_at FROM _prisma_migrations`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    const tables = await prisma.client.$queryRaw<{ tablename: string }[]>`
      SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`;
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['ApiKey', 'AuthCodeClaim', 'AuthCorp', 'CallbackEvent', 'InstallSession', 'StoredToken', 'Suite', 'SuiteTicket']),
    );
  });

  it('stores suite secrets sealed and returns them only as credentials', async () => {
    const summary = await newSuite();
    expect(JSON.stringify(summary)).not.toContain('suite-secret-x');
    expect(summary.hasProviderSecret).toBe(true);
    const raw = await prisma.client.suite.findUniqueOrThrow({ where: { id: summary.suiteId }, include: { provider: true } });
    expect(raw.secretEnc).not.toContain('suite-secret-x');
    expect(raw.provider?.secretEnc).toEqual(expect.any(String));
    expect(raw.provider?.secretEnc).not.toContain('prov-secret-x');
    const creds = await suites.findCredentials(summary.suiteId);
    expect(creds).toMatchObject({ secret: 'suite-secret-x', encodingAesKey: 'k'.repeat(43), providerSecret: 'prov-secret-x' });
  });

  it('keeps the newest suite ticket when an older push arrives late', async () => {
    const { suiteId } = await newSuite();
    const tickets = new SuiteTicketRepository(prisma, cipher);
    expect(await tickets.save(suiteId, 'ticket-2', 2000)).toBe(true);
    expect(await tickets.save(suiteId, 'ticket-1', 1000)).toBe(false);
    expect((await tickets.find(suiteId))?.ticket).toBe('ticket-2');
  });

  it('stores a callback once per dedupe key and never processes a processed event again', async () => {
    const { suiteId } = await newSuite();
    const events = new CallbackEventRepository(prisma, testCipher());
    const event = { suiteId, kind: 'command' as const, type: 'change_auth', corpId: 'wwc', dedupeKey: uniqueId('k'), payload: '<xml/>' };
    const first = await events.insert(event);
    expect(first.duplicate).toBe(false);
    expect(await events.insert(event)).toEqual({ duplicate: true });
    if (first.duplicate) throw new Error('unreachable');
    expect((await events.findUnqueued(new Date(Date.now() + 1000), 100)).map((e) => e.id)).toContain(first.id);
    expect(await events.markQueued([first.id])).toBe(1);
    expect((await events.startAttempt(first.id))?.attempts).toBe(1);
    await events.markProcessed(first.id);
    expect(await events.startAttempt(first.id)).toBeNull();
    expect((await events.findById(first.id))?.status).toBe('processed');
  });

  it('stores a batch through the pool Prisma runs on: outcomes in order, rows as Prisma reads them, times in UTC', async () => {
    const own = testPrisma();
    try {
      await own.client.suite.count();
      // Prisma's adapter took its connection from PrismaService.pool: one pool, one connection budget.
      expect(own.pool.totalCount).toBeGreaterThan(0);
      const { suiteId } = await newSuite();
      const events = new CallbackEventRepository(own, testCipher());
      const base = { suiteId, kind: 'command' as const, corpId: null, payload: '<xml>"quoted" \\ {braces}, 中文</xml>' };
      const stored = { ...base, type: 'change_auth', dedupeKey: uniqueId('k'), event: { kind: 'command', note: 'a "quote"' } };
      await events.insert(stored);
      const fresh = { ...base, type: 'change_auth', corpId: 'wwc', dedupeKey: uniqueId('k') };
      const ticket = { ...base, type: 'suite_ticket', dedupeKey: uniqueId('k'), status: 'processed' as const };
      const before = Date.now();
      const outcomes = await events.insertMany([stored, fresh, ticket, fresh]);
      expect(outcomes.map((o) => o.duplicate)).toEqual([true, false, false, true]);
      const [, freshOutcome, ticketOutcome] = outcomes;
      if (freshOutcome.duplicate || ticketOutcome.duplicate) throw new Error('unreachable');
      expect(typeof freshOutcome.id).toBe('bigint');

      const row = await events.findById(freshOutcome.id);
      expect(row).toMatchObject({ suiteId, kind: 'command', type: 'change_auth', corpId: 'wwc', payload: base.payload, event: null, status: 'received' });
      expect(row?.processedAt).toBeNull();
      expect((await events.findByDedupeKey(stored.dedupeKey))?.event).toEqual(stored.event);
      const ticketRow = await events.findById(ticketOutcome.id);
      expect(ticketRow?.status).toBe('processed');
      expect(Math.abs(ticketRow!.processedAt!.getTime() - before)).toBeLessThan(60_000);

      expect(await events.markQueued([freshOutcome.id, ticketOutcome.id])).toBe(1);
      const queued = await events.findById(freshOutcome.id);
      expect(queued?.status).toBe('queued');
      expect(Math.abs(queued!.queuedAt!.getTime() - before)).toBeLessThan(60_000);
    } finally {
      await own.onModuleDestroy();
    }
    expect(own.pool.ended).toBe(true);
  });

  it('lets exactly one of many concurrent callers claim an auth code', async () => {
    const { suiteId } = await newSuite();
    const claims = new AuthCodeClaimRepository(prisma, testCipher());
    const results = await Promise.all(Array.from({ length: 8 }, () => claims.claim(suiteId, 'auth-code-1')));
    expect(results.filter((r) => r.state === 'claimed')).toHaveLength(1);
    await claims.finish(suiteId, 'auth-code-1', 'wwcorp');
    expect(await claims.claim(suiteId, 'auth-code-1')).toEqual({ state: 'finished', corpId: 'wwcorp' });
  });

  it('lets a caller take over an auth code claim abandoned by a process that died mid-exchange', async () => {
    const { suiteId } = await newSuite();
    const claims = new AuthCodeClaimRepository(prisma, testCipher());
    expect(await claims.claim(suiteId, 'auth-code-2')).toEqual({ state: 'claimed', sent: false });
    expect(await claims.claim(suiteId, 'auth-code-2')).toEqual({ state: 'in-progress' });
    await claims.markSent(suiteId, 'auth-code-2');
    await prisma.client.authCodeClaim.updateMany({ where: { suiteId }, data: { claimedAt: new Date(Date.now() - 91_000) } });
    // Taken over: the new holder learns the code was sent (it may be spent) and no answer was kept.
    expect(await claims.claim(suiteId, 'auth-code-2')).toEqual({ state: 'claimed', sent: true });
    expect(await claims.claim(suiteId, 'auth-code-2')).toEqual({ state: 'in-progress' });
  });

  it('imports corps and tokens in bulk, sealed, skipping ones already present', async () => {
    const { suiteId } = await newSuite();
    const corps = new AuthCorpRepository(prisma, cipher);
    const imported = [
      { corpId: 'wwbulk1', permanentCode: 'code-1', agentId: 1000001 },
      { corpId: 'wwbulk2', permanentCode: 'code-2' },
    ];
    expect(await corps.importMany(suiteId, imported)).toBe(2);
    expect(await corps.importMany(suiteId, imported)).toBe(0);
    expect(await corps.getPermanentCode(suiteId, 'wwbulk2')).toBe('code-2');
    expect(await corps.find(suiteId, 'wwbulk1')).toMatchObject({ status: 'active', agentId: 1000001 });
    const row = await prisma.client.authCorp.findUniqueOrThrow({ where: { suiteId_corpId: { suiteId, corpId: 'wwbulk1' } } });
    expect(row.permanentCodeEnc).not.toContain('code-1');
    expect(Math.abs(row.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);

    const tokens = new StoredTokenRepository(prisma, cipher);
    const expiresAt = new Date(Date.now() + 7_200_123);
    const entries = [
      { key: { kind: 'corp' as const, suiteId, corpId: 'wwbulk1' }, token: { value: 'tok-1', expiresAt } },
      { key: { kind: 'suite' as const, suiteId }, token: { value: 'tok-s', expiresAt: new Date(Date.now() - 1000) } },
    ];
    expect(await tokens.insertMany(entries)).toBe(2);
    expect(await tokens.insertMany(entries)).toBe(0);
    expect(await tokens.find({ kind: 'corp', suiteId, corpId: 'wwbulk1' })).toEqual({ value: 'tok-1', expiresAt });
    expect(await tokens.find({ kind: 'suite', suiteId })).toMatchObject({ value: 'tok-s' });
    expect(await tokens.countExpiringBefore('suite', new Date())).toBeGreaterThanOrEqual(1);
  });

  it('reactivates the same corp row on re-install and wipes the permanent code on cancel', async () => {
    const { suiteId } = await newSuite();
    const corps = new AuthCorpRepository(prisma, cipher);
    const created = await corps.saveAuthorization(suiteId, { corpId: 'wwc1', permanentCode: 'perm-1', corpName: 'Acme' });
    expect(created).not.toHaveProperty('permanentCodeEnc');
    expect(await corps.getPermanentCode(suiteId, 'wwc1')).toBe('perm-1');
    expect(await corps.markCancelled(suiteId, 'wwc1')).toBe(true);
    expect(await corps.getPermanentCode(suiteId, 'wwc1')).toBeNull();
    const raw = await prisma.client.authCorp.findUniqueOrThrow({ where: { id: created.id } });
    expect(raw.permanentCodeEnc).toBeNull();
    const again = await corps.saveAuthorization(suiteId, { corpId: 'wwc1', permanentCode: 'perm-2' });
    expect(again.id).toBe(created.id);
    expect(again.status).toBe('active');
    expect(await corps.getPermanentCode(suiteId, 'wwc1')).toBe('perm-2');
  });

  it('consumes an install state once, and only for its suite and before expiry', async () => {
    const { suiteId } = await newSuite();
    const sessions = new InstallSessionRepository(prisma);
    const session = await sessions.create({ suiteId, authType: 1, ttlSeconds: 60 });
    expect(await sessions.consume('other-suite', session.state)).toBeNull();
    expect((await sessions.consume(suiteId, session.state))?.id).toBe(session.id);
    expect(await sessions.consume(suiteId, session.state)).toBeNull();
    const expired = await sessions.create({ suiteId, authType: 0, ttlSeconds: -1 });
    expect(await sessions.consume(suiteId, expired.state)).toBeNull();
  });

  it('finds API keys by value, stores only their hash, and refuses revoked keys', async () => {
    const keys = new ApiKeyRepository(prisma);
    const { key, info } = await keys.create('console', ['admin']);
    expect(key.startsWith('wik_')).toBe(true);
    const raw = await prisma.client.apiKey.findUniqueOrThrow({ where: { id: info.id } });
    expect(JSON.stringify(raw)).not.toContain(key);
    expect((await keys.findActive(key))?.id).toBe(info.id);
    expect(await keys.findActive(key + 'x')).toBeNull();
    expect(await keys.revoke(info.id)).toBe(true);
    expect(await keys.findActive(key)).toBeNull();
  });

  it('re-seals every secret under a new key during rotation', async () => {
    const oldKey = randomBytes(32);
    const oldCipher = new SecretCipher(oldKey);
    const suiteId = uniqueId('ww');
    await new SuiteRepository(prisma, oldCipher).upsert({ suiteId, secret: 's1', token: 't', encodingAesKey: 'a'.repeat(43) });
    await new AuthCorpRepository(prisma, oldCipher).saveAuthorization(suiteId, { corpId: 'wwr', permanentCode: 'perm-r' });
    await new StoredTokenRepository(prisma, oldCipher).save({ kind: 'corp', suiteId, corpId: 'wwr' }, { value: 'tok-r', expiresAt: new Date() });
    const licenseTenant = { providerCorpId: uniqueId('wwprov'), corpId: 'wwr' };
    await new LicenseRepository(prisma, oldCipher).upsertCodes(licenseTenant, null, [{ activeCode: 'LIC-CODE-R', type: 1 }]);
    const oldClaims = new AuthCodeClaimRepository(prisma, oldCipher);
    await oldClaims.claim(suiteId, 'code-r');
    await oldClaims.keepAnswer(suiteId, 'code-r', '{"permanent_code":"perm-kept"}');

    const inboxRow = await new CallbackEventRepository(prisma, oldCipher).insert({ suiteId, kind: 'command', type: 'create_auth', corpId: null, dedupeKey: `${suiteId}:rot`, payload: '<xml><AuthCode>c-r</AuthCode></xml>' });
    const newKey = randomBytes(32);
    const rotated = new SecretCipher(newKey, [oldKey, TEST_SECRET_KEY]);
    const report = await new SecretRotationService(prisma, rotated).rotateAll();
    expect(report.resealed).toBeGreaterThanOrEqual(5);
    if (inboxRow.duplicate) throw new Error('inbox row not stored');
    expect((await new CallbackEventRepository(prisma, new SecretCipher(newKey)).findById(inboxRow.id))?.payload).toBe('<xml><AuthCode>c-r</AuthCode></xml>');

    const onlyNew = new SecretCipher(randomBytes(32));
    const suite = await prisma.client.suite.findUniqueOrThrow({ where: { id: suiteId } });
    expect(rotated.isCurrent(suite.secretEnc)).toBe(true);
    expect(() => onlyNew.open(suite.secretEnc)).toThrow(/unknown key/);
    expect(await new AuthCorpRepository(prisma, rotated).getPermanentCode(suiteId, 'wwr')).toBe('perm-r');
    expect((await new StoredTokenRepository(prisma, rotated).find({ kind: 'corp', suiteId, corpId: 'wwr' }))?.value).toBe('tok-r');
    // License activation codes: re-sealed, readable under the new key alone.
    expect(await new LicenseRepository(prisma, new SecretCipher(newKey)).freeCode(licenseTenant, 1)).toBe('LIC-CODE-R');
    // A kept exchange answer (a permanent_code) too: after rotation the old key may be dropped.
    await oldClaims.releaseKeepingAnswer(suiteId, 'code-r');
    expect(await new AuthCodeClaimRepository(prisma, new SecretCipher(newKey)).claim(suiteId, 'code-r')).toMatchObject({ state: 'claimed', keptAnswer: '{"permanent_code":"perm-kept"}' });
    expect((await new SecretRotationService(prisma, rotated).rotateAll()).resealed).toBe(0);
    // Rotation covers the whole database: put everything back under the run's key for the tests after this one.
    await new SecretRotationService(prisma, testCipher([newKey, oldKey])).rotateAll();
  });

  it('never overwrites a permanent code that a reinstall wrote while the rotation was running (compare-and-set)', async () => {
    const oldKey = randomBytes(32);
    const suiteId = uniqueId('ww');
    await new SuiteRepository(prisma, new SecretCipher(oldKey)).upsert({ suiteId, secret: 's1', token: 't', encodingAesKey: 'a'.repeat(43) });
    await new AuthCorpRepository(prisma, new SecretCipher(oldKey)).saveAuthorization(suiteId, { corpId: 'wwrace', permanentCode: 'perm-before' });
    const newKey = randomBytes(32);
    const rotated = new SecretCipher(newKey, [oldKey, TEST_SECRET_KEY]);
    const delegate = prisma.client.authCorp;
    const write = delegate.updateMany.bind(delegate);
    // The reinstall lands between the rotation's read of the row and its write.
    const spy = jest.spyOn(delegate, 'updateMany').mockImplementation((async (args: Parameters<typeof write>[0]) => {
      if (JSON.stringify(args.where).includes('permanentCodeEnc')) {
        const row = await prisma.client.authCorp.findUniqueOrThrow({ where: { suiteId_corpId: { suiteId, corpId: 'wwrace' } } });
        if ((args.where as { id?: string }).id === row.id) await new AuthCorpRepository(prisma, rotated).saveAuthorization(suiteId, { corpId: 'wwrace', permanentCode: 'perm-reinstalled' });
      }
      return write(args);
    }) as unknown as typeof delegate.updateMany);
    try {
      const report = await new SecretRotationService(prisma, rotated).rotateAll();
      expect(report.changedMeanwhile).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(await new AuthCorpRepository(prisma, rotated).getPermanentCode(suiteId, 'wwrace')).toBe('perm-reinstalled');
    await new SecretRotationService(prisma, testCipher([newKey, oldKey])).rotateAll();
  });

  it('stops an app whose SECRET_KEY cannot open the stored secrets at start-up, and starts one holding the key in SECRET_KEYS_OLD', async () => {
    await suites.upsert({ suiteId: uniqueId('ww'), secret: 's', token: 't', encodingAesKey: 'a'.repeat(43) });
    const wrongKey = randomBytes(32);
    const start = async (oldSecretKeys: Buffer[]): Promise<void> => {
      const app = await Test.createTestingModule({ imports: [StoreModule.forRoot({ url: TEST_DATABASE_URL, poolSize: 1, secretKey: wrongKey, oldSecretKeys })] }).compile();
      try {
        await app.init();
      } finally {
        await app.close();
      }
    };
    const refused = await start([]).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SecretKeyMismatchError);
    expect(refused).toMatchObject({ unknownKeyIds: [SecretCipher.keyId(TEST_SECRET_KEY)], currentKeyId: SecretCipher.keyId(wrongKey), oldKeyIds: [] });
    await expect(start([TEST_SECRET_KEY])).resolves.toBeUndefined();
  });
});
