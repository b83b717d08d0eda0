import { Injectable } from '@nestjs/common';
import type { CorpStatus, EventStatus } from './generated/prisma/enums.js';
import { PrismaService } from './prisma.service.js';

/** Counts per UTC day (`YYYY-MM-DD`). */
export interface DailyCount {
  day: string;
  count: number;
}

/** Counts per UTC hour (ISO time of the hour's start). */
export interface HourlyCount {
  hour: string;
  count: number;
}

/** Stored corp access_tokens of active corps, by how much life they have left. */
export interface TokenFreshnessCounts {
  /** at least the serve margin left: the token API serves them without asking WeCom */
  fresh: number;
  /** alive but within the margin: due for refresh */
  withinMargin: number;
  /** expired */
  expired: number;
  /** active corps with no stored token at all */
  missing: number;
}

/**
 * Aggregates for the console's overview. Each is one query over an indexed column; the day and hour buckets are
 * computed by PostgreSQL in UTC.
 */
@Injectable()
export class ConsoleStatsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async corpsByStatus(): Promise<Record<CorpStatus, number>> {
    const rows = await this.prisma.client.authCorp.groupBy({ by: ['status'], _count: { _all: true } });
    const out: Record<CorpStatus, number> = { active: 0, cancelled: 0, suspended: 0 };
    for (const row of rows) out[row.status] = row._count._all;
    return out;
  }

  async eventsByStatus(): Promise<Record<EventStatus, number>> {
    const rows = await this.prisma.client.callbackEvent.groupBy({ by: ['status'], _count: { _all: true } });
    const out: Record<EventStatus, number> = { received: 0, queued: 0, processing: 0, processed: 0, failed: 0, awaiting_tenant: 0, orphan: 0 };
    for (const row of rows) out[row.status] = row._count._all;
    return out;
  }

  /** Installs (by installedAt) and cancellations (by cancelledAt) per day since `since`. */
  async installsPerDay(since: Date): Promise<{ installs: DailyCount[]; cancellations: DailyCount[] }> {
    const installs = await this.prisma.client.$queryRaw<{ day: string; count: bigint }[]>`
      SELECT to_char(date_trunc('day', "installedAt"), 'YYYY-MM-DD') AS day, count(*) AS count
      FROM "AuthCorp" WHERE "installedAt" >= ${since} GROUP BY 1 ORDER BY 1`;
    const cancellations = await this.prisma.client.$queryRaw<{ day: string; count: bigint }[]>`
      SELECT to_char(date_trunc('day', "cancelledAt"), 'YYYY-MM-DD') AS day, count(*) AS count
      FROM "AuthCorp" WHERE "cancelledAt" >= ${since} GROUP BY 1 ORDER BY 1`;
    const asCounts = (rows: { day: string; count: bigint }[]): DailyCount[] => rows.map((r) => ({ day: r.day, count: Number(r.count) }));
    return { installs: asCounts(installs), cancellations: asCounts(cancellations) };
  }

  /** Callbacks received (by receivedAt) and processed (by processedAt) per hour since `since`. */
  async eventsPerHour(since: Date): Promise<{ received: HourlyCount[]; processed: HourlyCount[] }> {
    const received = await this.prisma.client.$queryRaw<{ hour: Date; count: bigint }[]>`
      SELECT date_trunc('hour', "receivedAt") AS hour, count(*) AS count
      FROM "CallbackEvent" WHERE "receivedAt" >= ${since} GROUP BY 1 ORDER BY 1`;
    const processed = await this.prisma.client.$queryRaw<{ hour: Date; count: bigint }[]>`
      SELECT date_trunc('hour', "processedAt") AS hour, count(*) AS count
      FROM "CallbackEvent" WHERE "processedAt" >= ${since} GROUP BY 1 ORDER BY 1`;
    // timestamp(3) columns hold UTC without a zone; the driver reads them as UTC instants.
    const asCounts = (rows: { hour: Date; count: bigint }[]): HourlyCount[] => rows.map((r) => ({ hour: new Date(r.hour).toISOString(), count: Number(r.count) }));
    return { received: asCounts(received), processed: asCounts(processed) };
  }

  /** Corp access_tokens of active corps by remaining life, relative to `marginMs`. */
  async corpTokenFreshness(marginMs: number): Promise<TokenFreshnessCounts> {
    const now = new Date();
    const margin = new Date(now.getTime() + marginMs);
    const [row] = await this.prisma.client.$queryRaw<{ fresh: bigint; within: bigint; expired: bigint; missing: bigint }[]>`
      SELECT count(*) FILTER (WHERE t."expiresAt" >= ${margin}) AS fresh,
             count(*) FILTER (WHERE t."expiresAt" > ${now} AND t."expiresAt" < ${margin}) AS within,
             count(*) FILTER (WHERE t."expiresAt" <= ${now}) AS expired,
             count(*) FILTER (WHERE t."expiresAt" IS NULL) AS missing
      FROM "AuthCorp" c
      LEFT JOIN "StoredToken" t ON t."kind" = 'corp' AND t."suiteId" = c."suiteId" AND t."corpId" = c."corpId"
      WHERE c."status" = 'active'`;
    return { fresh: Number(row.fresh), withinMargin: Number(row.within), expired: Number(row.expired), missing: Number(row.missing) };
  }

  /** Every stored token of one corp (kinds corp, jsapi, agent), with expiries; never the values. */
  async corpTokens(suiteId: string, corpId: string): Promise<{ kind: string; expiresAt: Date; updatedAt: Date }[]> {
    return this.prisma.client.storedToken.findMany({
      where: { suiteId, corpId },
      select: { kind: true, expiresAt: true, updatedAt: true },
      orderBy: { kind: 'asc' },
    });
  }

  /** Webhook deliveries created at or after `since`, by status (`delivering` counted with `pending`). */
  async webhookDeliveriesSince(since: Date): Promise<{ delivered: number; failed: number; pending: number }> {
    const rows = await this.prisma.client.webhookDelivery.groupBy({ by: ['status'], where: { createdAt: { gte: since } }, _count: { _all: true } });
    const out = { delivered: 0, failed: 0, pending: 0 };
    for (const row of rows) {
      if (row.status === 'delivered') out.delivered += row._count._all;
      else if (row.status === 'failed') out.failed += row._count._all;
      else out.pending += row._count._all;
    }
    return out;
  }
}
