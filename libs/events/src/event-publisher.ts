import { createHash } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { enqueueWebhookDeliveries, QueueName } from '@app/queues';
import { NewPlatformEvent, PlatformEventRepository, Publication } from '@app/store';
import { parseXml } from '@app/wecom';
import { InstalledCorp, installedCorpData } from './installed-corp.js';
import { MappingContext, platformEventId, PlatformEventDraft, toPlatformEvent } from './platform-event.js';

/** The inbox row facts the publisher reads. */
export interface PublishableInboxEvent {
  id: bigint;
  suiteId: string;
  kind: 'command' | 'data' | 'system';
  corpId: string | null;
  receivedAt: Date;
  /** The decrypted callback XML. */
  payload: string;
}

export interface PublishResult {
  /** `evt_<n>` */
  eventId: string;
  type: string;
  /** false when this event had been published before (a retried or replayed inbox event, the other install path). */
  created: boolean;
  /** Deliveries this call created (one per matching enabled endpoint). */
  deliveries: number;
}

/**
 * Turns inbox events into platform events and owes them to the suite's endpoints: stores the event (once per
 * dedupe key) and one delivery row per enabled endpoint whose type and corp filters match (one statement), then
 * queues the first attempts. The rows are the promise; a lost enqueue (Redis down) is made good by the webhook sweeper.
 * Throws only for database errors (the caller's job retries; everything here is idempotent).
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger('EventPublisher');

  constructor(
    private readonly events: PlatformEventRepository,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly queue: Queue,
  ) {}

  /** Publishes one processed inbox event; null for callbacks that are the platform's own (suite_ticket). */
  async publishInbox(inbox: PublishableInboxEvent, context: MappingContext = {}): Promise<PublishResult | null> {
    const xml = parseXml(inbox.payload, { keepControlChars: true }); // an authentic payload: pasted control characters are kept (WECOM.md)
    const draft = toPlatformEvent({ suiteId: inbox.suiteId, kind: inbox.kind, corpId: inbox.corpId, receivedAt: inbox.receivedAt, xml }, context);
    if (!draft) return null;
    if (draft.type === 'tenant.installed' && context.installedCorp) draft.data = { ...draft.data, ...installedCorpData(context.installedCorp) };
    // From the processing context: the stored payload may have its codes redacted or sealed.
    const authCode = context.authCode ?? (typeof xml['AuthCode'] === 'string' ? xml['AuthCode'] : undefined);
    const dedupeKey = draft.type === 'tenant.installed' && authCode ? installKey(inbox.suiteId, authCode) : `inbox:${inbox.id}`;
    return this.publish(draft, dedupeKey, inbox.id);
  }

  /**
   * `tenant.installed` for an install completed by the browser redirect (WeCom pushes no create_auth for installs
   * started from the vendor's own link). Keyed by the auth code, so the create_auth callback of the same install,
   * if one comes, publishes nothing more. `data`: the link's `state` (if any) and the corp (`installedCorpData`).
   */
  async publishInstalled(suiteId: string, corp: InstalledCorp, authCode: string, state: string | undefined, at = new Date()): Promise<PublishResult> {
    const draft: PlatformEventDraft = {
      type: 'tenant.installed',
      timestamp: at.toISOString(),
      receivedAt: at.toISOString(),
      suiteId,
      corpId: corp.corpId,
      data: { ...(state ? { state } : {}), ...installedCorpData(corp) },
    };
    return this.publish(draft, installKey(suiteId, authCode), null);
  }

  /**
   * The platform event of an inbox event, published once more for another suite (a provider system event such as
   * `license_pay_success` concerns every suite of the provider installed in the corp, whose endpoints are the
   * vendor's). Keyed by the inbox event and the suite: a retried job publishes nothing more.
   */
  async publishInboxFor(inbox: PublishableInboxEvent, suiteId: string, context: MappingContext = {}): Promise<PublishResult | null> {
    const xml = parseXml(inbox.payload, { keepControlChars: true });
    const draft = toPlatformEvent({ suiteId, kind: inbox.kind, corpId: inbox.corpId, receivedAt: inbox.receivedAt, xml }, context);
    if (!draft) return null;
    return this.publish(draft, `inbox:${inbox.id}:${suiteId}`, inbox.id);
  }

  /**
   * An event the platform raises itself (`license.expiring`): stored once per `dedupeKey` (a repeat publishes
   * nothing more) and owed to the suite's matching endpoints like any other.
   */
  async publishPlatform(draft: PlatformEventDraft, dedupeKey: string): Promise<PublishResult> {
    return this.publish(draft, `platform:${dedupeKey}`, null);
  }

  /**
   * `tenant.suspended`: the platform itself saw WeCom reject a corp's permanent code (TokenBroker), so WeCom sends
   * no callback for it. Not published here but returned for the store to write in the transaction that suspends the
   * corp (`TokenBroker.recordSuspensionsAs`): the status and its event commit together. Keyed by the transition's
   * time (ms), so a later reinstall and suspension is a new event. `data`: `{ errcode, reason }`.
   */
  suspendedEvent(suiteId: string, corpId: string, errcode: number, reason: string, at: Date): NewPlatformEvent {
    const draft: PlatformEventDraft = {
      type: 'tenant.suspended',
      timestamp: at.toISOString(),
      receivedAt: at.toISOString(),
      suiteId,
      corpId,
      data: { errcode, reason },
    };
    return { suiteId, corpId, type: draft.type, sourceEventId: null, dedupeKey: `suspended:${suiteId}:${corpId}:${at.getTime()}`, envelope: JSON.stringify(draft) };
  }

  /** Queues the deliveries of an event stored elsewhere (a suspension); if Redis is down the sweeper queues them. */
  async queueDeliveries(publication: Publication): Promise<void> {
    try {
      await enqueueWebhookDeliveries(this.queue, publication.deliveries.map((r) => ({ id: r.id, attempts: 0 })));
    } catch (err) {
      this.logger.warn({ msg: 'could not queue webhook deliveries; the sweeper will', eventId: platformEventId(publication.eventId), error: String(err) });
    }
  }

  private async publish(draft: PlatformEventDraft, dedupeKey: string, sourceEventId: bigint | null): Promise<PublishResult> {
    const { eventId, created, deliveries } = await this.events.publishWithDeliveries({
      suiteId: draft.suiteId,
      corpId: draft.corpId,
      type: draft.type,
      sourceEventId,
      dedupeKey,
      envelope: JSON.stringify(draft),
    });
    await this.queueDeliveries({ eventId, created, deliveries });
    return { eventId: platformEventId(eventId), type: draft.type, created, deliveries: deliveries.length };
  }
}

/** Never the code itself: a hash names the install without keeping a (spent) credential around. */
function installKey(suiteId: string, authCode: string): string {
  return `install:${suiteId}:${createHash('sha256').update(authCode).digest('base64url')}`;
}
