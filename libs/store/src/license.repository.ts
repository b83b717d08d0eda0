import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { LicenseAccount, LicenseOrder } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { LicenseAccount, LicenseOrder };

/** A provider's view of one corp: every license row is keyed by both (a license serves all the provider's apps in the corp). */
export interface LicenseTenant {
  providerCorpId: string;
  corpId: string;
}

export interface LicenseOrderInput {
  orderId: string;
  orderType: number;
  orderStatus: number;
  price: number;
  baseCount: number;
  externalContactCount: number;
  durationMonths: number;
  durationDays: number;
  createdAtWecom?: Date;
  paidAt?: Date;
}

export interface LicenseAccountInput {
  userId: string;
  /** 1 基础账号, 2 互通账号 */
  type: number;
  activeAt: Date;
  expiresAt: Date;
}

/** What the admin API shows per tenant; counts of accounts, members and seats. */
export interface LicenseCounts {
  /** Accounts bought in paid purchase orders (base + external contact). */
  seatsBought: number;
  /** Accounts bound to a member and not expired. */
  active: number;
  /** Active accounts expiring within 30 / 7 / 1 days. */
  expiringIn30Days: number;
  expiringIn7Days: number;
  expiringIn1Day: number;
  /** Accounts past their expiry. */
  expired: number;
  /** Members WeCom reported using the app without a license (unlicensed_notify), not licensed since. */
  unlicensedMembers: number;
  autoActive: boolean | null;
  lastReconciledAt: Date | null;
}

/** An account whose expiry reached a notice window: the window (days; 0 = expired) to announce. */
export interface ExpiryNotice extends LicenseTenant {
  userId: string;
  type: number;
  expiresAt: Date;
  window: number;
}

const DAY_MS = 86_400_000;
/** Windows of `license.expiring`, in days before expiry; 0 is the expiry itself. */
export const EXPIRY_WINDOWS_DAYS: readonly number[] = [30, 7, 1, 0];

/** SHA-256 (base64url) of an activation code: how a sealed code is found. */
export function activeCodeHash(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/**
 * Account licenses (接口调用许可) per provider and corp: orders, activation codes (sealed with the store's cipher,
 * found by hash), members' accounts, auto-activation, unlicensed members seen. Every method takes the tenant key.
 */
@Injectable()
export class LicenseRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /** Stores WeCom's view of an order; keeps `codesFetched`. */
  async upsertOrder(t: LicenseTenant, o: LicenseOrderInput): Promise<LicenseOrder> {
    const data = { ...t, ...o, createdAtWecom: o.createdAtWecom ?? null, paidAt: o.paidAt ?? null };
    return this.prisma.client.licenseOrder.upsert({ where: { orderId: o.orderId }, create: data, update: data });
  }

  async findOrder(t: LicenseTenant, orderId: string): Promise<LicenseOrder | null> {
    return this.prisma.client.licenseOrder.findFirst({ where: { ...t, orderId } });
  }

  async listOrders(t: LicenseTenant): Promise<LicenseOrder[]> {
    return this.prisma.client.licenseOrder.findMany({ where: t, orderBy: [{ createdAtWecom: 'desc' }, { orderId: 'asc' }] });
  }

  async markCodesFetched(orderId: string): Promise<void> {
    await this.prisma.client.licenseOrder.update({ where: { orderId }, data: { codesFetched: true } });
  }

  /** Stores activation codes (sealed), in one statement; an existing code keeps its binding unless `userId` is given. Returns how many were new. */
  async upsertCodes(t: LicenseTenant, orderId: string | null, codes: Array<{ activeCode: string; type: number; userId?: string }>): Promise<number> {
    if (!codes.length) return 0;
    const { count } = await this.prisma.client.licenseActiveCode.createMany({
      data: codes.map((c) => ({ codeHash: activeCodeHash(c.activeCode), sealedCode: this.cipher.seal(c.activeCode), ...t, orderId, type: c.type, userId: c.userId ?? null })),
      skipDuplicates: true,
    });
    for (const c of codes) {
      if (c.userId) await this.prisma.client.licenseActiveCode.updateMany({ where: { ...t, codeHash: activeCodeHash(c.activeCode) }, data: { userId: c.userId } });
    }
    return count;
  }

  /** A stored code of the tenant not bound to anyone, opened (for activating it); null when none is left. */
  async freeCode(t: LicenseTenant, type: number): Promise<string | null> {
    const row = await this.prisma.client.licenseActiveCode.findFirst({ where: { ...t, type, userId: null }, orderBy: { updatedAt: 'asc' } });
    return row ? this.cipher.open(row.sealedCode) : null;
  }

  /** Whether the tenant holds this code (the admin API activates only the tenant's own codes). */
  async hasCode(t: LicenseTenant, code: string): Promise<boolean> {
    return (await this.prisma.client.licenseActiveCode.count({ where: { ...t, codeHash: activeCodeHash(code) } })) > 0;
  }

  async markCodeBound(t: LicenseTenant, code: string, userId: string, activeAt: Date | null, expiresAt: Date | null): Promise<void> {
    await this.prisma.client.licenseActiveCode.updateMany({ where: { ...t, codeHash: activeCodeHash(code) }, data: { userId, activeAt, expiresAt } });
  }

  async countFreeCodes(t: LicenseTenant): Promise<number> {
    return this.prisma.client.licenseActiveCode.count({ where: { ...t, userId: null } });
  }

  /**
   * One account as WeCom reports it. A changed expiry (renewal, new code) resets the notices already sent. The
   * member's unlicensed mark is cleared while the account is valid.
   */
  async upsertAccount(t: LicenseTenant, a: LicenseAccountInput, seenAt = new Date()): Promise<void> {
    const key = { providerCorpId_corpId_userId_type: { ...t, userId: a.userId, type: a.type } };
    const current = await this.prisma.client.licenseAccount.findUnique({ where: key, select: { expiresAt: true } });
    const reset = !current || current.expiresAt.getTime() !== a.expiresAt.getTime();
    await this.prisma.client.licenseAccount.upsert({
      where: key,
      create: { ...t, ...a, seenAt },
      update: { activeAt: a.activeAt, expiresAt: a.expiresAt, seenAt, ...(reset ? { notifiedWindows: [] } : {}) },
    });
    if (a.expiresAt > seenAt) await this.prisma.client.licenseUnlicensedMember.deleteMany({ where: { ...t, userId: a.userId } });
  }

  /**
   * A page of accounts as WeCom lists them, in one statement: new ones inserted, known ones updated (a changed
   * expiry resets the notices already sent), members with a valid account no longer counted as unlicensed.
   */
  async upsertAccounts(t: LicenseTenant, accounts: readonly LicenseAccountInput[], seenAt = new Date()): Promise<void> {
    if (!accounts.length) return;
    const c = this.prisma.client;
    await c.$executeRaw`
      INSERT INTO "LicenseAccount" ("providerCorpId", "corpId", "userId", "type", "activeAt", "expiresAt", "seenAt", "updatedAt")
      SELECT ${t.providerCorpId}, ${t.corpId}, u, ty, a, e, ${seenAt}, ${seenAt}
      FROM unnest(${accounts.map((a) => a.userId)}::text[], ${accounts.map((a) => a.type)}::int[],
                  ${accounts.map((a) => a.activeAt)}::timestamp(3)[], ${accounts.map((a) => a.expiresAt)}::timestamp(3)[]) AS x(u, ty, a, e)
      ON CONFLICT ("providerCorpId", "corpId", "userId", "type") DO UPDATE SET
        "activeAt" = EXCLUDED."activeAt",
        "notifiedWindows" = CASE WHEN "LicenseAccount"."expiresAt" = EXCLUDED."expiresAt" THEN "LicenseAccount"."notifiedWindows" ELSE '{}' END,
        "expiresAt" = EXCLUDED."expiresAt",
        "seenAt" = EXCLUDED."seenAt",
        "updatedAt" = EXCLUDED."updatedAt"`;
    const valid = accounts.filter((a) => a.expiresAt > seenAt).map((a) => a.userId);
    if (valid.length) await c.licenseUnlicensedMember.deleteMany({ where: { ...t, userId: { in: valid } } });
  }

  /** The tenant's per-corp row (auto-activation, last reconciliation), if any. */
  async corpState(t: LicenseTenant): Promise<{ autoActive: boolean | null; lastReconciledAt: Date | null } | null> {
    return this.prisma.client.licenseCorp.findUnique({ where: { providerCorpId_corpId: t }, select: { autoActive: true, lastReconciledAt: true } });
  }

  /** After a full pass over WeCom's list: accounts it no longer lists (transferred away) are removed. */
  async removeAccountsNotSeenSince(t: LicenseTenant, since: Date): Promise<number> {
    const { count } = await this.prisma.client.licenseAccount.deleteMany({ where: { ...t, seenAt: { lt: since } } });
    return count;
  }

  /** batch_transfer_license succeeded: the handover's accounts now belong to the takeover. */
  async transferAccounts(t: LicenseTenant, fromUserId: string, toUserId: string): Promise<void> {
    await this.prisma.client.$transaction([
      this.prisma.client.licenseAccount.updateMany({ where: { ...t, userId: fromUserId }, data: { userId: toUserId } }),
      this.prisma.client.licenseActiveCode.updateMany({ where: { ...t, userId: fromUserId }, data: { userId: toUserId } }),
      this.prisma.client.licenseUnlicensedMember.deleteMany({ where: { ...t, userId: toUserId } }),
    ]);
  }

  async listAccounts(t: LicenseTenant): Promise<LicenseAccount[]> {
    return this.prisma.client.licenseAccount.findMany({ where: t, orderBy: [{ expiresAt: 'asc' }, { userId: 'asc' }] });
  }

  async setAutoActive(t: LicenseTenant, autoActive: boolean): Promise<void> {
    await this.prisma.client.licenseCorp.upsert({ where: { providerCorpId_corpId: t }, create: { ...t, autoActive }, update: { autoActive } });
  }

  /** The stored auto-activation setting; null until known. */
  async autoActiveOf(t: LicenseTenant): Promise<boolean | null> {
    return (await this.prisma.client.licenseCorp.findUnique({ where: { providerCorpId_corpId: t }, select: { autoActive: true } }))?.autoActive ?? null;
  }

  async markReconciled(t: LicenseTenant, at = new Date()): Promise<void> {
    await this.prisma.client.licenseCorp.upsert({ where: { providerCorpId_corpId: t }, create: { ...t, lastReconciledAt: at }, update: { lastReconciledAt: at } });
  }

  /** unlicensed_notify: returns true the first time the member is seen unlicensed (since last licensed). */
  async recordUnlicensed(t: LicenseTenant, userId: string, suiteId: string, at = new Date()): Promise<boolean> {
    const key = { providerCorpId_corpId_userId: { ...t, userId } };
    const existing = await this.prisma.client.licenseUnlicensedMember.findUnique({ where: key, select: { userId: true } });
    await this.prisma.client.licenseUnlicensedMember.upsert({
      where: key,
      create: { ...t, userId, suiteId, firstSeenAt: at, lastSeenAt: at },
      update: { lastSeenAt: at, seenCount: { increment: 1 } },
    });
    return !existing;
  }

  async listUnlicensed(t: LicenseTenant): Promise<Array<{ userId: string; suiteId: string; firstSeenAt: Date; lastSeenAt: Date; seenCount: number }>> {
    return this.prisma.client.licenseUnlicensedMember.findMany({
      where: t,
      orderBy: { lastSeenAt: 'desc' },
      select: { userId: true, suiteId: true, firstSeenAt: true, lastSeenAt: true, seenCount: true },
    });
  }

  async counts(t: LicenseTenant, now = new Date()): Promise<LicenseCounts> {
    const c = this.prisma.client;
    const within = (days: number) => c.licenseAccount.count({ where: { ...t, expiresAt: { gt: now, lte: new Date(now.getTime() + days * DAY_MS) } } });
    const [bought, active, in30, in7, in1, expired, unlicensed, corp] = await Promise.all([
      c.licenseOrder.aggregate({ where: { ...t, orderStatus: 1, orderType: { not: 2 } }, _sum: { baseCount: true, externalContactCount: true } }),
      c.licenseAccount.count({ where: { ...t, expiresAt: { gt: now } } }),
      within(30),
      within(7),
      within(1),
      c.licenseAccount.count({ where: { ...t, expiresAt: { lte: now } } }),
      c.licenseUnlicensedMember.count({ where: t }),
      c.licenseCorp.findUnique({ where: { providerCorpId_corpId: t } }),
    ]);
    return {
      seatsBought: (bought._sum.baseCount ?? 0) + (bought._sum.externalContactCount ?? 0),
      active,
      expiringIn30Days: in30,
      expiringIn7Days: in7,
      expiringIn1Day: in1,
      expired,
      unlicensedMembers: unlicensed,
      autoActive: corp?.autoActive ?? null,
      lastReconciledAt: corp?.lastReconciledAt ?? null,
    };
  }

  /**
   * Claims up to `limit` expiry notices that are due: for each window (30, 7, 1 days before, and 0 = expired) an
   * account enters and has not been announced for. Each claimed window is recorded at once (at-most-once per window
   * per expiry; a renewal resets them). Only the narrowest due window of an account is returned.
   */
  async claimExpiryNotices(now = new Date(), limit = 500): Promise<ExpiryNotice[]> {
    const horizon = new Date(now.getTime() + EXPIRY_WINDOWS_DAYS[0] * DAY_MS);
    const rows = await this.prisma.client.licenseAccount.findMany({
      where: { expiresAt: { lte: horizon } },
      orderBy: { expiresAt: 'asc' },
      take: limit * 4,
    });
    const notices: ExpiryNotice[] = [];
    for (const row of rows) {
      if (notices.length >= limit) break;
      const left = row.expiresAt.getTime() - now.getTime();
      const due = EXPIRY_WINDOWS_DAYS.filter((w) => (w === 0 ? left <= 0 : left > 0 && left <= w * DAY_MS));
      const window = due.length ? Math.min(...due) : undefined;
      if (window === undefined || row.notifiedWindows.includes(window)) continue;
      // Every wider window counts as announced too: a notice for 1 day left makes the 7- and 30-day ones moot.
      const windows = [...new Set([...row.notifiedWindows, ...EXPIRY_WINDOWS_DAYS.filter((w) => w >= window)])];
      const { count } = await this.prisma.client.licenseAccount.updateMany({
        where: { providerCorpId: row.providerCorpId, corpId: row.corpId, userId: row.userId, type: row.type, expiresAt: row.expiresAt, NOT: { notifiedWindows: { has: window } } },
        data: { notifiedWindows: windows },
      });
      if (count) notices.push({ providerCorpId: row.providerCorpId, corpId: row.corpId, userId: row.userId, type: row.type, expiresAt: row.expiresAt, window });
    }
    return notices;
  }

  /** Platform-wide gauges: unlicensed members seen, and valid accounts expiring within 7 days. */
  async totals(now = new Date()): Promise<{ unlicensedMembers: number; expiringIn7Days: number }> {
    const [unlicensedMembers, expiringIn7Days] = await Promise.all([
      this.prisma.client.licenseUnlicensedMember.count(),
      this.prisma.client.licenseAccount.count({ where: { expiresAt: { gt: now, lte: new Date(now.getTime() + 7 * DAY_MS) } } }),
    ]);
    return { unlicensedMembers, expiringIn7Days };
  }
}
