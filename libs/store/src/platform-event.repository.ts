import { Injectable } from '@nestjs/common';
import type { PlatformEvent as PlatformEventRow, PrismaClient } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { PlatformEventRow };

export interface NewPlatformEvent {
  suiteId: string;
  corpId: string | null;
  type: string;
  /** The inbox event it comes from; null for events the platform originates. */
  sourceEventId: bigint | null;
  /** `inbox:<id>`, `install:<suiteId>:<hash>`, …: one event per key however often it is published. */
  dedupeKey: string;
  /** The envelope without its id, as JSON text. */
  envelope: string;
}

export interface Publication {
  eventId: bigint;
  /** false when the dedupe key was published before */
  created: boolean;
  /** deliveries this call created, one per enabled endpoint of the suite whose filters want the event */
  deliveries: { id: bigint; endpointId: string }[];
}

/** Type filter of the pull API: exact types and `prefix.` prefixes (from `prefix.*`); both empty = every type. */
export interface TypeFilter {
  exact: string[];
  prefixes: string[];
}

/**
 * Platform events: the public event stream per suite, numbered in publication order. The envelope (message
 * contents, contact details) is sealed at rest like the inbox payload it comes from; rows come back opened.
 */
@Injectable()
export class PlatformEventRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Stores the event (once per dedupe key) and creates its deliveries in one statement: one round trip on the
   * hot path. The endpoint filter here is the SQL twin of libs/events `endpointWants` (exact types, `prefix.*`,
   * `*`, empty = all; corps: empty = all) — keep the two in step.
   */
  async publishWithDeliveries(event: NewPlatformEvent): Promise<Publication> {
    return insertPlatformEvent(this.prisma.client, this.cipher, event);
  }

  async findById(id: bigint): Promise<PlatformEventRow | null> {
    const row = await this.prisma.client.platformEvent.findUnique({ where: { id } });
    return row && this.opened(row);
  }

  private opened(row: PlatformEventRow): PlatformEventRow {
    return { ...row, envelope: this.cipher.open(row.envelope) };
  }

  /** A suite's events after a cursor, oldest first (the pull API). */
  async listAfter(suiteId: string, afterId: bigint, types: TypeFilter, limit: number): Promise<PlatformEventRow[]> {
    const any = types.exact.length === 0 && types.prefixes.length === 0;
    const rows = await this.prisma.client.platformEvent.findMany({
      where: {
        suiteId,
        id: { gt: afterId },
        OR: any ? undefined : [...(types.exact.length ? [{ type: { in: types.exact } }] : []), ...types.prefixes.map((p) => ({ type: { startsWith: p } }))],
      },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((r) => this.opened(r));
  }

  /** Events of a suite created at or after `since`, oldest first, in pages (endpoint replay). */
  async listSince(suiteId: string, since: Date, afterId: bigint, limit: number): Promise<Pick<PlatformEventRow, 'id' | 'type' | 'corpId'>[]> {
    return this.prisma.client.platformEvent.findMany({
      where: { suiteId, createdAt: { gte: since }, id: { gt: afterId } },
      select: { id: true, type: true, corpId: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }
}

/** A Prisma client or the client of an open transaction. */
type Db = Pick<PrismaClient, '$queryRaw' | 'platformEvent'>;

/**
 * `publishWithDeliveries` on a given client, so that another repository can publish inside its own transaction (a
 * tenant's suspension and its `tenant.suspended` commit together or not at all).
 */
export async function insertPlatformEvent(db: Db, cipher: SecretCipher, event: NewPlatformEvent): Promise<Publication> {
  const rows = await db.$queryRaw<{ eventId: bigint | null; created: boolean | null; deliveryId: bigint | null; endpointId: string | null }[]>`
    WITH ins AS (
      INSERT INTO "PlatformEvent" ("suiteId", "corpId", "type", "sourceEventId", "dedupeKey", "envelope")
      VALUES (${event.suiteId}, ${event.corpId}, ${event.type}, ${event.sourceEventId}, ${event.dedupeKey}, ${cipher.seal(event.envelope)})
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id"
    ), ev AS (
      SELECT "id", true AS "created" FROM ins
      UNION ALL
      SELECT "id", false FROM "PlatformEvent" WHERE "dedupeKey" = ${event.dedupeKey} AND NOT EXISTS (SELECT 1 FROM ins)
    ), d AS (
      INSERT INTO "WebhookDelivery" ("endpointId", "eventId", "suiteId", "corpId", "updatedAt")
      SELECT e."id", ev."id", ${event.suiteId}, ${event.corpId}, now() FROM "WebhookEndpoint" e CROSS JOIN ev
      WHERE e."suiteId" = ${event.suiteId} AND e."enabled"
        AND (cardinality(e."eventTypes") = 0 OR EXISTS (
          SELECT 1 FROM unnest(e."eventTypes") AS p(pat)
          WHERE p.pat = '*' OR p.pat = ${event.type} OR (right(p.pat, 2) = '.*' AND starts_with(${event.type}::text, left(p.pat, -1)))))
        AND (cardinality(e."corpIds") = 0 OR ${event.corpId}::text = ANY (e."corpIds"))
      ON CONFLICT ("eventId", "endpointId") DO NOTHING
      RETURNING "id", "endpointId"::text AS "endpointId"
    )
    SELECT ev."id" AS "eventId", ev."created", d."id" AS "deliveryId", d."endpointId" FROM ev LEFT JOIN d ON true`;
  if (!rows.length || rows[0].eventId === null) {
    // The key was taken by a transaction that committed after this statement's snapshot: read it now.
    const existing = await db.platformEvent.findUniqueOrThrow({ where: { dedupeKey: event.dedupeKey }, select: { id: true } });
    return { eventId: existing.id, created: false, deliveries: [] };
  }
  return {
    eventId: rows[0].eventId,
    created: rows[0].created === true,
    deliveries: rows.filter((r) => r.deliveryId !== null).map((r) => ({ id: r.deliveryId!, endpointId: r.endpointId! })),
  };
}
