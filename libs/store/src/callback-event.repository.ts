import { Injectable } from '@nestjs/common';
import type { CallbackKind, EventStatus } from './generated/prisma/enums.js';
import type { CallbackEvent } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { CallbackEvent, CallbackKind, EventStatus };

export interface NewCallbackEvent {
  suiteId: string;
  kind: CallbackKind;
  type: string;
  corpId: string | null;
  dedupeKey: string;
  payload: string;
  /** The typed event parsed at intake (`InboxEvent` from @app/wecom), stored as jsonb; absent: NULL. */
  event?: object | null;
  /** `processed` for events fully handled at intake (suite_ticket); otherwise `received` */
  status?: 'received' | 'processed';
}

export type InsertOutcome = { duplicate: false; id: bigint } | { duplicate: true };

const INSERT_EVENTS = `
  INSERT INTO "CallbackEvent" ("suiteId", "kind", "type", "corpId", "dedupeKey", "payload", "event", "status", "processedAt")
  SELECT * FROM unnest($1::text[], $2::"CallbackKind"[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
    $8::"EventStatus"[], $9::timestamp(3)[])
  ON CONFLICT ("dedupeKey") DO NOTHING
  RETURNING "id", "dedupeKey"`;

const MARK_QUEUED = `
  UPDATE "CallbackEvent" SET "status" = 'queued', "queuedAt" = $2::timestamp(3)
  WHERE "id" = ANY($1::bigint[]) AND "status" = 'received'`;

export interface EventFilter {
  suiteId?: string;
  corpId?: string;
  /** one type, or any of several */
  type?: string | string[];
  status?: EventStatus;
  kind?: CallbackKind;
  from?: Date;
  to?: Date;
}

/**
 * The callback inbox. Every method is a single statement, so intake stays one round trip per event. Payloads are
 * sealed at rest (AES-256-GCM under SECRET_KEY, like every secret): they carry single-use auth_codes and members'
 * messages. Every row this repository returns has its payload opened; rows stored before sealing read as they are.
 */
@Injectable()
export class CallbackEventRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /** Stores the event unless its dedupe key is already there. */
  async insert(event: NewCallbackEvent): Promise<InsertOutcome> {
    return (await this.insertMany([event]))[0];
  }

  /**
   * Stores many events in one statement (one commit, one fsync), skipping dedupe keys already stored.
   * Outcomes come back in input order; a key repeated within the batch counts once. On pg's pool directly (the
   * intake's hot path: see PrismaService.pool), one unnamed statement, PgBouncer-safe.
   */
  async insertMany(events: readonly NewCallbackEvent[]): Promise<InsertOutcome[]> {
    // timestamp(3) holds UTC as Prisma writes it: an ISO string, whose zone the cast to timestamp ignores.
    const now = new Date().toISOString();
    const { rows } = await this.prisma.pool.query<{ id: string; dedupeKey: string }>(INSERT_EVENTS, [
      events.map((e) => e.suiteId),
      events.map((e) => e.kind),
      events.map((e) => e.type),
      events.map((e) => e.corpId),
      events.map((e) => e.dedupeKey),
      events.map((e) => this.cipher.seal(e.payload)),
      events.map((e) => (e.event ? JSON.stringify({ sealed: this.cipher.seal(JSON.stringify(e.event)) }) : null)),
      events.map((e) => e.status ?? 'received'),
      events.map((e) => (e.status === 'processed' ? now : null)),
    ]);
    const inserted = new Map(rows.map((r) => [r.dedupeKey, BigInt(r.id)]));
    return events.map((e) => {
      const id = inserted.get(e.dedupeKey);
      if (id === undefined) return { duplicate: true };
      inserted.delete(e.dedupeKey);
      return { duplicate: false, id };
    });
  }

  /** Marks events as handed to the queue; only rows still `received` move. One statement per forwarded batch. */
  async markQueued(ids: readonly bigint[]): Promise<number> {
    if (!ids.length) return 0;
    const { rowCount } = await this.prisma.pool.query(MARK_QUEUED, [ids.map(String), new Date().toISOString()]);
    return rowCount ?? 0;
  }

  /** Stored events that never reached the queue (Redis was down), oldest first. */
  async findUnqueued(receivedBefore: Date, limit: number): Promise<{ id: bigint; suiteId: string; type: string }[]> {
    return this.prisma.client.callbackEvent.findMany({
      where: { status: 'received', receivedAt: { lt: receivedBefore } },
      select: { id: true, suiteId: true, type: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  /**
   * Events handed to the queue long ago and still not processed: their job may have been lost with Redis's data.
   * Re-adding them under the same job id is a no-op where the job still exists.
   */
  async findStaleQueued(queuedBefore: Date, limit: number): Promise<{ id: bigint; suiteId: string; type: string }[]> {
    return this.prisma.client.callbackEvent.findMany({
      where: { status: { in: ['queued', 'processing'] }, queuedAt: { lt: queuedBefore } },
      select: { id: true, suiteId: true, type: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  /** Restarts the staleness clock of events just re-added to the queue. */
  async touchQueued(ids: readonly bigint[]): Promise<void> {
    if (!ids.length) return;
    await this.prisma.client.callbackEvent.updateMany({ where: { id: { in: [...ids] } }, data: { queuedAt: new Date() } });
  }

  /**
   * Takes the event for processing and counts the attempt. Returns null when it is already processed
   * (a replayed or duplicate job), so the caller does nothing twice.
   */
  async startAttempt(id: bigint): Promise<CallbackEvent | null> {
    const rows = await this.prisma.client.$queryRaw<CallbackEvent[]>`
      UPDATE "CallbackEvent" SET "status" = 'processing', "attempts" = "attempts" + 1
      WHERE "id" = ${id} AND "status" <> 'processed'
      RETURNING *`;
    return rows[0] ? this.opened(rows[0]) : null;
  }

  /**
   * `corpId`: the corp the processing named, for an event that arrived without one (create_auth carries only the
   * AuthCode; its exchange names the corp), so the tenant's history finds it. Left unset, the row keeps its own.
   */
  async markProcessed(id: bigint, corpId?: string): Promise<void> {
    await this.prisma.client.callbackEvent.update({
      where: { id },
      data: { status: 'processed', processedAt: new Date(), lastError: null, corpId },
    });
  }

  /** A data callback whose corp is not a tenant yet: kept aside, not processed; false if the row is gone. */
  async markAwaitingTenant(id: bigint): Promise<boolean> {
    const { count } = await this.prisma.client.callbackEvent.updateMany({ where: { id, status: 'processing' }, data: { status: 'awaiting_tenant', lastError: null } });
    return count > 0;
  }

  /**
   * Inbox sweep: data callbacks awaiting a tenant that now exists go back in line (returned, now `queued`, for the
   * sweeper to enqueue under a new job id: their first job is complete); those still without one after
   * `orphanBefore` become `orphan` (kept, visible, replayable, not processed).
   */
  async resolveAwaitingTenant(orphanBefore: Date, limit: number): Promise<{ released: { id: bigint; suiteId: string; type: string }[]; orphaned: number }> {
    const released = await this.prisma.client.$queryRaw<{ id: bigint; suiteId: string; type: string }[]>`
      UPDATE "CallbackEvent" SET "status" = 'queued', "queuedAt" = now()
      WHERE "id" IN (
        SELECT e."id" FROM "CallbackEvent" e
        WHERE e."status" = 'awaiting_tenant'
          AND EXISTS (SELECT 1 FROM "AuthCorp" c WHERE c."suiteId" = e."suiteId" AND c."corpId" = e."corpId" AND c."status" = 'active')
        ORDER BY e."id" LIMIT ${limit})
      RETURNING "id", "suiteId", "type"`;
    const orphaned = await this.prisma.client.$executeRaw`
      UPDATE "CallbackEvent" SET "status" = 'orphan', "lastError" = 'no active tenant for this corp within the retention window'
      WHERE "status" = 'awaiting_tenant' AND "receivedAt" < ${orphanBefore}`;
    return { released, orphaned };
  }

  /** Records a failed attempt; `final` makes the row `failed` (replayable), otherwise it waits for a retry. */
  async markAttemptFailed(id: bigint, error: string, final: boolean): Promise<void> {
    await this.prisma.client.callbackEvent.update({
      where: { id },
      data: { status: final ? 'failed' : 'queued', lastError: error.slice(0, 2000) },
    });
  }

  /** Puts a failed or processed event back in line; returns false for an unknown id. */
  async resetForReplay(id: bigint): Promise<boolean> {
    const { count } = await this.prisma.client.callbackEvent.updateMany({
      where: { id },
      data: { status: 'queued', queuedAt: new Date(), lastError: null, processedAt: null },
    });
    return count > 0;
  }

  async findByDedupeKey(dedupeKey: string): Promise<CallbackEvent | null> {
    return this.opened(await this.prisma.client.callbackEvent.findUnique({ where: { dedupeKey } }));
  }

  async findById(id: bigint): Promise<CallbackEvent | null> {
    return this.opened(await this.prisma.client.callbackEvent.findUnique({ where: { id } }));
  }

  /** Newest first, keyset-paginated by id. */
  async list(filter: EventFilter, limit: number, beforeId?: bigint): Promise<CallbackEvent[]> {
    const rows = await this.prisma.client.callbackEvent.findMany({
      where: {
        suiteId: filter.suiteId,
        corpId: filter.corpId,
        type: Array.isArray(filter.type) ? { in: filter.type } : filter.type,
        status: filter.status,
        kind: filter.kind,
        receivedAt: filter.from || filter.to ? { gte: filter.from, lt: filter.to } : undefined,
        id: beforeId !== undefined ? { lt: beforeId } : undefined,
      },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows.map((row) => this.opened(row));
  }

  /** Age in seconds of the oldest event not yet processed (failed ones excluded), or 0. */
  async oldestPendingAgeSeconds(): Promise<number> {
    const row = await this.prisma.client.callbackEvent.findFirst({
      where: { status: { in: ['received', 'queued', 'processing'] } },
      orderBy: { id: 'asc' },
      select: { receivedAt: true },
    });
    return row ? Math.max(0, (Date.now() - row.receivedAt.getTime()) / 1000) : 0;
  }

  /** The row with its payload and typed event in clear. */
  private opened<T extends CallbackEvent | null>(row: T): T {
    if (!row) return row;
    return { ...row, payload: openPayload(this.cipher, row.payload), event: openEvent(this.cipher, row.event) };
  }
}

/** A stored typed event in clear: sealed ones (`{ sealed }`) are opened, older ones returned as they are. */
function openEvent(cipher: SecretCipher, stored: CallbackEvent['event']): CallbackEvent['event'] {
  if (stored && typeof stored === 'object' && !Array.isArray(stored) && typeof (stored as { sealed?: unknown }).sealed === 'string') {
    return JSON.parse(cipher.open((stored as { sealed: string }).sealed)) as CallbackEvent['event'];
  }
  return stored;
}

/** A stored payload in clear: sealed ones are opened, ones stored before sealing (plain XML) are returned as they are. */
export function openPayload(cipher: SecretCipher, stored: string): string {
  return stored.startsWith('<') ? stored : cipher.open(stored);
}
