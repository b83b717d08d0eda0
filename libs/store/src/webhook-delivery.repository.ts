import { Injectable } from '@nestjs/common';
import type { DeliveryStatus } from './generated/prisma/enums.js';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { DeliveryStatus, WebhookAttempt, WebhookDelivery };

/** What one attempt came to, as stored. */
export interface AttemptRecord {
  status: number | null;
  durationMs: number;
  error: string | null;
  excerpt: string;
}

/** The delivery's state after an attempt: delivered, failed for good, or pending until `nextAttemptAt`. */
export type AttemptOutcome =
  | { status: 'delivered' }
  | { status: 'failed'; lastError: string }
  | { status: 'pending'; nextAttemptAt: Date; lastError: string };

/**
 * Webhook deliveries: one durable row per (event, endpoint), the record of what is owed. A row is `pending` until
 * due, `delivering` while one worker holds its claim (`nextAttemptAt` is then the claim's end: a worker killed
 * mid-attempt leaves a claim that simply runs out), then `delivered` or `failed`.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Takes a due delivery for one attempt — pending and due (a second early, for clock skew between hosts), or
   * delivering with an expired claim (its worker died) — and returns, in the same round trip, what the attempt
   * needs: the endpoint (null if deleted) and the event's stored envelope. Null when another worker has it or it
   * is not due.
   */
  async claimForAttempt(id: bigint, claimMs: number): Promise<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint | null; envelope: string } | null> {
    const rows = await this.prisma.client.$queryRaw<(WebhookDelivery & EndpointColumns & { envelope: string })[]>`
      WITH c AS (
        UPDATE "WebhookDelivery"
        SET "status" = 'delivering', "nextAttemptAt" = now() + ${claimMs} * interval '1 millisecond', "updatedAt" = now()
        WHERE "id" = ${id}
          AND (("status" = 'pending' AND "nextAttemptAt" <= now() + interval '1 second')
            OR ("status" = 'delivering' AND "nextAttemptAt" < now()))
        RETURNING *
      )
      SELECT c.*, pe."envelope",
        e."id"::text AS "ep_id", e."suiteId" AS "ep_suiteId", e."url" AS "ep_url", e."description" AS "ep_description",
        e."eventTypes" AS "ep_eventTypes", e."corpIds" AS "ep_corpIds", e."enabled" AS "ep_enabled",
        e."disabledReason" AS "ep_disabledReason", e."disabledAt" AS "ep_disabledAt", e."orderedByCorp" AS "ep_orderedByCorp",
        e."maxConcurrency" AS "ep_maxConcurrency", e."secret" AS "ep_secret", e."previousSecret" AS "ep_previousSecret",
        e."previousSecretExpiresAt" AS "ep_previousSecretExpiresAt", e."failingSince" AS "ep_failingSince",
        e."createdAt" AS "ep_createdAt", e."updatedAt" AS "ep_updatedAt"
      FROM c JOIN "PlatformEvent" pe ON pe."id" = c."eventId" LEFT JOIN "WebhookEndpoint" e ON e."id" = c."endpointId"`;
    const row = rows[0];
    if (!row) return null;
    const delivery: WebhookDelivery = {
      id: row.id, endpointId: row.endpointId, eventId: row.eventId, suiteId: row.suiteId, corpId: row.corpId, status: row.status,
      attempts: row.attempts, nextAttemptAt: row.nextAttemptAt, lastStatus: row.lastStatus, lastError: row.lastError,
      createdAt: row.createdAt, updatedAt: row.updatedAt, deliveredAt: row.deliveredAt,
    };
    const endpoint: WebhookEndpoint | null = row.ep_id === null ? null : {
      id: row.ep_id, suiteId: row.ep_suiteId!, url: row.ep_url!, description: row.ep_description!, eventTypes: row.ep_eventTypes!, corpIds: row.ep_corpIds!,
      enabled: row.ep_enabled!, disabledReason: row.ep_disabledReason, disabledAt: row.ep_disabledAt, orderedByCorp: row.ep_orderedByCorp!,
      maxConcurrency: row.ep_maxConcurrency!, secret: row.ep_secret!, previousSecret: row.ep_previousSecret, previousSecretExpiresAt: row.ep_previousSecretExpiresAt,
      failingSince: row.ep_failingSince, createdAt: row.ep_createdAt!, updatedAt: row.ep_updatedAt!,
    };
    return { delivery, endpoint, envelope: this.cipher.open(row.envelope) };
  }

  /** Gives a claim back without counting an attempt (concurrency cap reached, an earlier event of the corp pending). */
  async release(id: bigint, retryAt: Date): Promise<void> {
    await this.prisma.client.webhookDelivery.updateMany({ where: { id, status: 'delivering' }, data: { status: 'pending', nextAttemptAt: retryAt } });
  }

  /** Stores the attempt and the delivery's new state in one statement (atomic, one round trip). */
  async recordAttempt(delivery: WebhookDelivery, attempt: AttemptRecord, outcome: AttemptOutcome): Promise<void> {
    const lastError = outcome.status === 'delivered' ? null : outcome.lastError.slice(0, 1000);
    const next = outcome.status === 'pending' ? outcome.nextAttemptAt : new Date();
    await this.prisma.client.$executeRaw`
      WITH a AS (
        INSERT INTO "WebhookAttempt" ("deliveryId", "endpointId", "attemptedAt", "status", "durationMs", "error", "excerpt")
        VALUES (${delivery.id}, ${delivery.endpointId}::uuid, now(), ${attempt.status}, ${Math.round(attempt.durationMs)}, ${attempt.error}, ${attempt.excerpt})
      )
      UPDATE "WebhookDelivery"
      SET "status" = ${outcome.status}::"DeliveryStatus", "attempts" = "attempts" + 1, "lastStatus" = ${attempt.status},
          "lastError" = ${lastError}, "nextAttemptAt" = ${next},
          "deliveredAt" = CASE WHEN ${outcome.status} = 'delivered' THEN now() ELSE "deliveredAt" END, "updatedAt" = now()
      WHERE "id" = ${delivery.id}`;
  }

  /**
   * Deliveries that are due and whose job may be lost (Redis lost its data, a process died between the commit and
   * the enqueue): pending and overdue by `graceMs`, or delivering with an expired claim; endpoints enabled.
   */
  async findOverdue(graceMs: number, limit: number): Promise<Pick<WebhookDelivery, 'id' | 'attempts'>[]> {
    return this.prisma.client.$queryRaw<Pick<WebhookDelivery, 'id' | 'attempts'>[]>`
      SELECT d."id", d."attempts" FROM "WebhookDelivery" d JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"
      WHERE e."enabled" AND (
        (d."status" = 'pending' AND d."nextAttemptAt" < now() - ${graceMs} * interval '1 millisecond')
        OR (d."status" = 'delivering' AND d."nextAttemptAt" < now()))
      ORDER BY d."nextAttemptAt" LIMIT ${limit}`;
  }

  /** For per-corp ordering: is an earlier event of this corp still owed to this endpoint? */
  async hasEarlierOpen(delivery: WebhookDelivery): Promise<boolean> {
    const row = await this.prisma.client.webhookDelivery.findFirst({
      where: { endpointId: delivery.endpointId, corpId: delivery.corpId, eventId: { lt: delivery.eventId }, status: { in: ['pending', 'delivering'] } },
      select: { id: true },
    });
    return row !== null;
  }

  /** For per-corp ordering: the next delivery owed for this corp, made due now. Returns its id. */
  async promoteNextForCorp(delivery: WebhookDelivery): Promise<Pick<WebhookDelivery, 'id' | 'attempts'> | null> {
    const next = await this.prisma.client.webhookDelivery.findFirst({
      where: { endpointId: delivery.endpointId, corpId: delivery.corpId, eventId: { gt: delivery.eventId }, status: 'pending' },
      orderBy: { eventId: 'asc' },
      select: { id: true, attempts: true },
    });
    if (!next) return null;
    await this.prisma.client.webhookDelivery.updateMany({ where: { id: next.id, status: 'pending' }, data: { nextAttemptAt: new Date() } });
    return next;
  }

  async findById(id: bigint): Promise<WebhookDelivery | null> {
    return this.prisma.client.webhookDelivery.findUnique({ where: { id } });
  }

  async attemptsOf(deliveryId: bigint): Promise<WebhookAttempt[]> {
    return this.prisma.client.webhookAttempt.findMany({ where: { deliveryId }, orderBy: { id: 'asc' } });
  }

  /** An endpoint's deliveries, newest first, keyset-paginated by id. */
  async listByEndpoint(endpointId: string, filter: { status?: DeliveryStatus; eventId?: bigint }, limit: number, beforeId?: bigint): Promise<WebhookDelivery[]> {
    return this.prisma.client.webhookDelivery.findMany({
      where: { endpointId, status: filter.status, eventId: filter.eventId, id: beforeId !== undefined ? { lt: beforeId } : undefined },
      orderBy: { id: 'desc' },
      take: limit,
    });
  }

  /** Resend: the delivery starts over (a fresh retry schedule), due now. Null for an unknown id. */
  async resend(id: bigint): Promise<WebhookDelivery | null> {
    const { count } = await this.prisma.client.webhookDelivery.updateMany({ where: { id }, data: { status: 'pending', attempts: 0, nextAttemptAt: new Date(), lastError: null } });
    return count ? this.findById(id) : null;
  }

  /**
   * Replay: the given events owed to the endpoint again, due now — new deliveries for events it never had,
   * existing ones started over. Returns the delivery ids.
   */
  async replay(endpointId: string, suiteId: string, events: readonly { id: bigint; corpId: string | null }[]): Promise<{ id: bigint; attempts: number }[]> {
    if (!events.length) return [];
    return this.prisma.client.$queryRaw<{ id: bigint; attempts: number }[]>`
      INSERT INTO "WebhookDelivery" ("endpointId", "eventId", "suiteId", "corpId", "updatedAt")
      SELECT ${endpointId}::uuid, ev, ${suiteId}, c, now() FROM unnest(${events.map((e) => e.id)}::bigint[], ${events.map((e) => e.corpId)}::text[]) AS t(ev, c)
      ON CONFLICT ("eventId", "endpointId") DO UPDATE SET "status" = 'pending', "attempts" = 0, "nextAttemptAt" = now(), "lastError" = NULL, "updatedAt" = now()
      RETURNING "id", "attempts"`;
  }
}

/** The endpoint's columns as `claimForAttempt` selects them (null when the endpoint is gone). */
interface EndpointColumns {
  ep_id: string | null;
  ep_suiteId: string | null;
  ep_url: string | null;
  ep_description: string | null;
  ep_eventTypes: string[] | null;
  ep_corpIds: string[] | null;
  ep_enabled: boolean | null;
  ep_disabledReason: string | null;
  ep_disabledAt: Date | null;
  ep_orderedByCorp: boolean | null;
  ep_maxConcurrency: number | null;
  ep_secret: string | null;
  ep_previousSecret: string | null;
  ep_previousSecretExpiresAt: Date | null;
  ep_failingSince: Date | null;
  ep_createdAt: Date | null;
  ep_updatedAt: Date | null;
}
