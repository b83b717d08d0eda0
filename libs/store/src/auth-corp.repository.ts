import { Injectable } from '@nestjs/common';
import type { AuthCorp, Prisma } from './generated/prisma/client.js';
import type { CorpStatus } from './generated/prisma/enums.js';
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
}

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
   * Stores a corp's authorization: creates the tenant, or reactivates the same row after a cancel,
   * with the new permanent code.
   */
  async saveAuthorization(suiteId: string, auth: CorpAuthorization): Promise<CorpRecord> {
    const data = {
      permanentCodeEnc: this.cipher.seal(auth.permanentCode),
      status: 'active' as const,
      statusReason: null,
      cancelledAt: null,
      corpName: auth.corpName ?? null,
      corpFullName: auth.corpFullName ?? null,
      agentId: auth.agentId ?? null,
      authCorpInfo: auth.authCorpInfo ?? undefined,
      authInfo: auth.authInfo ?? undefined,
      authUserInfo: auth.authUserInfo ?? undefined,
      editionInfo: auth.editionInfo ?? undefined,
      dealerCorpInfo: auth.dealerCorpInfo ?? undefined,
      registerCodeInfo: auth.registerCodeInfo ?? undefined,
    };
    return this.prisma.client.authCorp.upsert({
      where: { suiteId_corpId: { suiteId, corpId: auth.corpId } },
      create: { suiteId, corpId: auth.corpId, ...data },
      update: { ...data, installedAt: new Date() },
      omit: omitSecret,
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

  async updateAuthInfo(
    suiteId: string,
    corpId: string,
    info: Pick<CorpAuthorization, 'authCorpInfo' | 'authInfo' | 'editionInfo' | 'dealerCorpInfo' | 'agentId' | 'corpName'>,
  ): Promise<boolean> {
    const { count } = await this.prisma.client.authCorp.updateMany({
      where: { suiteId, corpId, status: 'active' },
      data: {
        authCorpInfo: info.authCorpInfo ?? undefined,
        authInfo: info.authInfo ?? undefined,
        editionInfo: info.editionInfo ?? undefined,
        dealerCorpInfo: info.dealerCorpInfo ?? undefined,
        agentId: info.agentId ?? undefined,
        corpName: info.corpName ?? undefined,
      },
    });
    return count > 0;
  }

  /** cancel_auth: WeCom expects the provider to drop the corp's secrets; the row stays for the audit trail. */
  async markCancelled(suiteId: string, corpId: string): Promise<boolean> {
    const { count } = await this.prisma.client.authCorp.updateMany({
      where: { suiteId, corpId, status: { not: 'cancelled' } },
      data: { status: 'cancelled', cancelledAt: new Date(), permanentCodeEnc: null, statusReason: 'cancel_auth' },
    });
    return count > 0;
  }

  async markSuspended(suiteId: string, corpId: string, reason: string): Promise<boolean> {
    const { count } = await this.prisma.client.authCorp.updateMany({
      where: { suiteId, corpId, status: 'active' },
      data: { status: 'suspended', statusReason: reason.slice(0, 500) },
    });
    return count > 0;
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
