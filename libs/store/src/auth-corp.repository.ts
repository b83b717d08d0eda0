import { Injectable } from '@nestjs/common';
import { Prisma } from './generated/prisma/client.js';
import type { AuthCorp } from './generated/prisma/client.js';
import { authCodeHash } from './auth-code-claim.repository.js';
import type { CorpStatus } from './generated/prisma/enums.js';
import { insertPlatformEvent, NewPlatformEvent, Publication } from './platform-event.repository.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { CorpStatus };

/** JSON as WeCom sent it (auth info, edition info, …), stored as-is. */
export type StoredJson = Prisma.InputJsonValue;
type Json = StoredJson;

/** What an authorization (get_permanent_code or a re-install) tells us about a corp. */
export interface CorpAuthorization {
  corpId: string;
  permanentCode: string;
  corpName?: string | null;
  corpFullName?: string | null;
  agentId?: number | null;
  authCorpInfo?: Json | null;
  authInfo?: Json | null;
  authUserInfo?: Json | null;
  editionInfo?: Json | null;
  dealerCorpInfo?: Json | null;
  registerCodeInfo?: Json | null;
  /** `state` of the exchange answer, else `State` of create_auth. */
  installState?: string | null;
  /** WeCom `TimeStamp` (s) of the install: create_auth's, or the time of the browser redirect. */
  lifecycleAt?: number | null;
}

/** A suspension this caller made: the platform event written with it, if one was asked for. */
export interface SuspensionWritten {
  publication: Publication | null;
}

/** The auth_code whose claim is finished in the same transaction as the tenant is stored. */
export interface ClaimToFinish {
  authCode: string;
}

/**
 * What cancel_auth leaves of a tenant: its ids, dates and status, for the vendor's audit trail. Everything WeCom
 * handed over about the corp and its admin — permanent code, names, auth/edition/dealer info, the installing admin,
 * the install state — is deleted (WeCom asks providers to delete a corp's data once it cancels).
 */
const WIPED_ON_CANCEL = {
  permanentCodeEnc: null,
  corpName: null,
  corpFullName: null,
  agentId: null,
  authCorpInfo: Prisma.DbNull,
  authInfo: Prisma.DbNull,
  authUserInfo: Prisma.DbNull,
  editionInfo: Prisma.DbNull,
  dealerCorpInfo: Prisma.DbNull,
  registerCodeInfo: Prisma.DbNull,
  installState: null,
  jssdkUsedAt: null,
  callbackToken: null,
  callbackAesKeyEnc: null,
} as const;

const jsonOrNull = (value: Json | null | undefined): Json | typeof Prisma.DbNull => value ?? Prisma.DbNull;

/** A corp as the rest of the platform sees it: everything except the permanent code. */
export type CorpRecord = Omit<AuthCorp, 'permanentCodeEnc'>;

const omitSecret = { permanentCodeEnc: true } as const;

@Injectable()
export class AuthCorpRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Stores a corp's authorization: creates the tenant, or reactivates the same row after a cancel with the new
   * permanent code and nothing of the old install (a reinstall starts clean). With `claim`, the auth_code's claim is
   * finished in the same transaction: a crash leaves either both or neither, so the code is never exchanged twice.
   */
  async saveAuthorization(suiteId: string, auth: CorpAuthorization, claim?: ClaimToFinish): Promise<CorpRecord> {
    const data = {
      permanentCodeEnc: this.cipher.seal(auth.permanentCode),
      status: 'active' as const,
      statusReason: null,
      cancelledAt: null,
      corpName: auth.corpName ?? null,
      corpFullName: auth.corpFullName ?? null,
      agentId: auth.agentId ?? null,
      authCorpInfo: jsonOrNull(auth.authCorpInfo),
      authInfo: jsonOrNull(auth.authInfo),
      authUserInfo: jsonOrNull(auth.authUserInfo),
      editionInfo: jsonOrNull(auth.editionInfo),
      dealerCorpInfo: jsonOrNull(auth.dealerCorpInfo),
      registerCodeInfo: jsonOrNull(auth.registerCodeInfo),
      installState: auth.installState || null,
      jssdkUsedAt: null,
    };
    const lifecycleAt = auth.lifecycleAt ?? Math.floor(Date.now() / 1000);
    const where = { suiteId_corpId: { suiteId, corpId: auth.corpId } };
    return this.prisma.client.$transaction(async (tx) => {
      const existing = await tx.authCorp.findUnique({ where, select: { lifecycleAt: true } });
      const corp = await tx.authCorp.upsert({
        where,
        create: { suiteId, corpId: auth.corpId, ...data, lifecycleAt },
        update: { ...data, installedAt: new Date(), lifecycleAt: Math.max(lifecycleAt, existing?.lifecycleAt ?? 0) },
        omit: omitSecret,
      });
      if (claim) {
        await tx.authCodeClaim.update({
          where: { codeHash: authCodeHash(suiteId, claim.authCode) },
          data: { corpId: auth.corpId, finishedAt: new Date() },
        });
      }
      return corp;
    });
  }

  async find(suiteId: string, corpId: string): Promise<CorpRecord | null> {
    return this.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } }, omit: omitSecret });
  }

  /**
   * The corp's status and, while it is active, its permanent code, in one read; null for a corp that never
   * authorized the suite. Callers must never log or return the code.
   */
  async findPermanentCode(suiteId: string, corpId: string): Promise<{ status: CorpRecord['status']; permanentCode: string | null } | null> {
    const row = await this.prisma.client.authCorp.findUnique({
      where: { suiteId_corpId: { suiteId, corpId } },
      select: { status: true, permanentCodeEnc: true },
    });
    if (!row) return null;
    return { status: row.status, permanentCode: row.status === 'active' && row.permanentCodeEnc ? this.cipher.open(row.permanentCodeEnc) : null };
  }

  /** The permanent code of an active corp, or null. Callers must never log or return it. */
  async getPermanentCode(suiteId: string, corpId: string): Promise<string | null> {
    const row = await this.prisma.client.authCorp.findUnique({
      where: { suiteId_corpId: { suiteId, corpId } },
      select: { status: true, permanentCodeEnc: true },
    });
    return row?.status === 'active' && row.permanentCodeEnc ? this.cipher.open(row.permanentCodeEnc) : null;
  }

  /**
   * change_auth / change_editon: the corp's current auth info. `lifecycleAt` (the event's TimeStamp) makes a
   * delayed or replayed event older than the latest (re)install a no-op.
   */
  async updateAuthInfo(
    suiteId: string,
    corpId: string,
    info: Pick<CorpAuthorization, 'authCorpInfo' | 'authInfo' | 'editionInfo' | 'dealerCorpInfo' | 'agentId' | 'corpName' | 'corpFullName' | 'installState'>,
    lifecycleAt?: number,
  ): Promise<boolean> {
    const { count } = await this.prisma.client.authCorp.updateMany({
      where: { suiteId, corpId, status: 'active', ...notNewerThan(lifecycleAt) },
      data: {
        authCorpInfo: info.authCorpInfo ?? undefined,
        authInfo: info.authInfo ?? undefined,
        editionInfo: info.editionInfo ?? undefined,
        dealerCorpInfo: info.dealerCorpInfo ?? undefined,
        agentId: info.agentId ?? undefined,
        corpName: info.corpName ?? undefined,
        corpFullName: info.corpFullName ?? undefined,
        installState: info.installState || undefined,
        lifecycleAt,
      },
    });
    return count > 0;
  }

  /**
   * 代开发: this corp's data callbacks use their own Token and EncodingAESKey (sealed); null clears the override.
   * Returns false for an unknown corp.
   */
  async setCallbackKeys(suiteId: string, corpId: string, keys: { token: string; encodingAesKey: string } | null): Promise<boolean> {
    const { count } = await this.prisma.client.authCorp.updateMany({
      where: { suiteId, corpId },
      data: keys ? { callbackToken: keys.token, callbackAesKeyEnc: this.cipher.seal(keys.encodingAesKey) } : { callbackToken: null, callbackAesKeyEnc: null },
    });
    return count > 0;
  }

  /** The corp's own callback keys, decrypted, or null when it uses the suite's. */
  async findCallbackKeys(suiteId: string, corpId: string): Promise<{ token: string; encodingAesKey: string } | null> {
    const row = await this.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } }, select: { callbackToken: true, callbackAesKeyEnc: true } });
    if (!row?.callbackToken || !row.callbackAesKeyEnc) return null;
    return { token: row.callbackToken, encodingAesKey: this.cipher.open(row.callbackAesKeyEnc) };
  }

  /** Whether the corp is an active tenant of the suite (reads the database: no answer is cached). */
  async isActive(suiteId: string, corpId: string): Promise<boolean> {
    const row = await this.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } }, select: { status: true } });
    return row?.status === 'active';
  }

  /** The newest lifecycle TimeStamp applied to this tenant, or null. */
  async lifecycleAt(suiteId: string, corpId: string): Promise<number | null> {
    const row = await this.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } }, select: { lifecycleAt: true } });
    return row?.lifecycleAt ?? null;
  }

  /**
   * cancel_auth: WeCom expects the provider to delete the corp's data; the row keeps only its ids, dates and status
   * (WIPED_ON_CANCEL) for the audit trail. `lifecycleAt` (the event's TimeStamp): a cancel older than the latest
   * (re)install is a delayed or replayed one and changes nothing.
   */
  async markCancelled(suiteId: string, corpId: string, lifecycleAt?: number): Promise<boolean> {
    const { count } = await this.prisma.client.authCorp.updateMany({
      where: { suiteId, corpId, status: { not: 'cancelled' }, ...notNewerThan(lifecycleAt) },
      data: { ...WIPED_ON_CANCEL, status: 'cancelled', cancelledAt: new Date(), statusReason: 'cancel_auth', lifecycleAt },
    });
    return count > 0;
  }

  /**
   * Moves an active corp to `suspended`. Returns null unless this caller's update made the change; then, with `event`
   * (the `tenant.suspended` platform event), the event and its webhook deliveries are written in the same transaction
   * as the status, so a suspension is never stored without its event (nor the event without it) and `publication`
   * says which deliveries to queue. With `rejected` (the permanent code WeCom just refused), only while that code is
   * still the stored one: a reset_permanent_code exchange may have replaced it while the refused call was in flight,
   * and the new code must not be suspended for the old one's refusal. A database error leaves the corp as it was.
   */
  async markSuspended(suiteId: string, corpId: string, reason: string, rejected?: string, event?: NewPlatformEvent): Promise<SuspensionWritten | null> {
    let sealed: string | undefined;
    if (rejected !== undefined) {
      const row = await this.prisma.client.authCorp.findUnique({ where: { suiteId_corpId: { suiteId, corpId } }, select: { permanentCodeEnc: true } });
      if (!row?.permanentCodeEnc || this.cipher.open(row.permanentCodeEnc) !== rejected) return null;
      sealed = row.permanentCodeEnc;
    }
    return this.prisma.client.$transaction(async (tx) => {
      const { count } = await tx.authCorp.updateMany({
        where: { suiteId, corpId, status: 'active', permanentCodeEnc: sealed },
        data: { status: 'suspended', statusReason: reason.slice(0, 500) },
      });
      if (count === 0) return null;
      return { publication: event ? await insertPlatformEvent(tx, this.cipher, event) : null };
    });
  }

  /** Is `permanentCode` still this active corp's stored permanent code? (false once a reset replaced it) */
  async holdsPermanentCode(suiteId: string, corpId: string, permanentCode: string): Promise<boolean> {
    return (await this.getPermanentCode(suiteId, corpId)) === permanentCode;
  }

  async touchJssdk(suiteId: string, corpId: string): Promise<void> {
    await this.prisma.client.authCorp.updateMany({ where: { suiteId, corpId }, data: { jssdkUsedAt: new Date() } });
  }

  /** A suite's corps, newest install first, keyset-paginated by (installedAt, id). */
  async list(
    suiteId: string,
    options: { status?: CorpStatus; limit: number; after?: { installedAt: Date; id: string } },
  ): Promise<CorpRecord[]> {
    const after = options.after;
    return this.prisma.client.authCorp.findMany({
      where: {
        suiteId,
        status: options.status,
        OR: after
          ? [{ installedAt: { lt: after.installedAt } }, { installedAt: after.installedAt, id: { lt: after.id } }]
          : undefined,
      },
      orderBy: [{ installedAt: 'desc' }, { id: 'desc' }],
      take: options.limit,
      omit: omitSecret,
    });
  }

  /**
   * Stores many authorized corps of one suite at once (imports, load tests), skipping corps already present.
   * One INSERT … SELECT FROM unnest(…) per chunk: a row costs microseconds instead of a bound parameter set
   * each. Returns how many rows were created.
   */
  async importMany(
    suiteId: string,
    corps: readonly { corpId: string; permanentCode: string; corpName?: string | null; agentId?: number | null }[],
    chunkSize = 10_000,
  ): Promise<number> {
    let created = 0;
    for (let i = 0; i < corps.length; i += chunkSize) {
      const chunk = corps.slice(i, i + chunkSize);
      const corpIds = chunk.map((c) => c.corpId);
      const codes = chunk.map((c) => this.cipher.seal(c.permanentCode));
      const names = chunk.map((c) => c.corpName ?? null);
      const agentIds = chunk.map((c) => c.agentId ?? null);
      created += await this.prisma.client.$executeRaw`
        INSERT INTO "AuthCorp" ("id", "suiteId", "corpId", "permanentCodeEnc", "corpName", "agentId", "updatedAt")
        SELECT gen_random_uuid(), ${suiteId}, c, p, n, a, now() AT TIME ZONE 'UTC'
        FROM unnest(${corpIds}::text[], ${codes}::text[], ${names}::text[], ${agentIds}::int[]) AS t(c, p, n, a)
        ON CONFLICT ("suiteId", "corpId") DO NOTHING`;
    }
    return created;
  }

  /** Active corps across all suites in id order, for schedulers that walk every tenant in pages. */
  async pageActive(limit: number, afterId?: string): Promise<{ id: string; suiteId: string; corpId: string; jssdkUsedAt: Date | null }[]> {
    return this.prisma.client.authCorp.findMany({
      where: { status: 'active', id: afterId ? { gt: afterId } : undefined },
      select: { id: true, suiteId: true, corpId: true, jssdkUsedAt: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }
}

/** Rows whose latest lifecycle TimeStamp is not newer than `at` (an event at the same second still applies). */
function notNewerThan(at: number | undefined): Prisma.AuthCorpWhereInput {
  return at === undefined ? {} : { OR: [{ lifecycleAt: null }, { lifecycleAt: { lte: at } }] };
}
