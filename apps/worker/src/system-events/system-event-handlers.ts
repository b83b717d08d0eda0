import { Injectable, Logger } from '@nestjs/common';
import type { CallbackEvent } from '@app/store';
import type { InboxEvent, SystemEvent } from '@app/wecom';

/** A system event as the inbox stored it (typed at intake), with its row. */
export type StoredSystemEvent = Extract<InboxEvent, { kind: 'system' }>;

/**
 * Handles one system event of a given InfoType. Runs inside the inbox event's job: throw to retry (the job's attempts
 * and backoff), and make it idempotent (a retried or replayed job runs it again). `row.suiteId` is the provider corpid.
 */
export type SystemEventHandler = (event: StoredSystemEvent, row: CallbackEvent) => Promise<void>;

/**
 * Per-InfoType handlers of provider system events (license_pay_success, auto_activate, …). A module that owns a
 * system event registers its handler at start-up (`onModuleInit`: `handlers.on('license_pay_success', fn)`). The
 * handler is the one place a system event becomes platform events (`publisher.publishInboxFor`, per suite it
 * concerns): the job publishes nothing under the provider corpid, which no endpoint receives. Events without a
 * handler are only stored and typed (admin API, kind `system`). One handler per InfoType: a second registration is a
 * programming error and throws.
 */
@Injectable()
export class SystemEventHandlers {
  private readonly logger = new Logger('SystemEvents');
  private readonly handlers = new Map<string, SystemEventHandler>();

  /** Registers the handler of `infoType` (WeCom's name, e.g. `license_refund`; unknown names work too). */
  on(infoType: SystemEvent['infoType'] | string, handler: SystemEventHandler): void {
    if (this.handlers.has(infoType)) throw new Error(`a handler for system event ${infoType} is already registered`);
    this.handlers.set(infoType, handler);
  }

  /** Runs the handler for the event's InfoType; returns false when there is none. */
  async handle(event: StoredSystemEvent, row: CallbackEvent): Promise<boolean> {
    const infoType = event.infoType === 'other' ? event.rawInfoType : event.infoType;
    const handler = this.handlers.get(infoType);
    if (!handler) return false;
    await handler(event, row);
    this.logger.log({ msg: 'system event handled', eventId: String(row.id), providerCorpId: row.suiteId, infoType });
    return true;
  }
}
