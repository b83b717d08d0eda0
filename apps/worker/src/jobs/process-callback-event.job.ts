import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { CallbackEvent } from '@app/store';
import { AuthCorpRepository, CallbackEventRepository } from '@app/store';
import { EventPublisher, MappingContext } from '@app/events';
import { AuthCodeUnusableError, CorpAuthorizationService, LicenseOperationError, LicenseService } from '@app/tenants';
import { TokenUnavailableError } from '@app/tokens';
import {
  InboxEvent,
  inboxEventOf,
  isUnparsableInboxEvent,
  parseCommandEvent,
  parseSystemEvent,
  parseXml,
  RateLimitedError,
  UNPARSABLE_EVENT_TYPE,
  WecomApiError,
  WecomError,
  XmlError,
} from '@app/wecom';
import { SystemEventHandlers } from '../system-events/system-event-handlers.js';
import { WorkerMetrics } from '../worker-metrics.js';

/** What a `process-callback-event` job needs to know about itself. */
export interface EventJob {
  data: { eventId: string; suiteId: string };
  attemptsMade: number;
  opts: { attempts?: number };
}

export type EventOutcome =
  | 'authorized'
  | 'already-authorized'
  | 'auth-info-updated'
  | 'cancelled'
  | 'stale'
  | 'fan-out'
  | 'awaiting-tenant'
  | 'system-handled'
  | 'system-stored'
  | 'ignored';

/**
 * Processes one stored inbox event, whatever the job id (`evt-<id>` from intake and sweeper,
 * `evt-<id>-replay-<ts>` from the admin API): by `data.eventId`. Idempotent: an event already processed is
 * left alone, and every handler can run twice without changing anything twice (the auth_code claim makes
 * the exchange happen once; cancel and auth-info updates are idempotent by nature).
 */
@Injectable()
export class ProcessCallbackEventJob {
  private readonly logger = new Logger('CallbackEvents');

  constructor(
    private readonly events: CallbackEventRepository,
    private readonly authorization: CorpAuthorizationService,
    private readonly corps: AuthCorpRepository,
    private readonly metrics: WorkerMetrics,
    private readonly publisher: EventPublisher,
    private readonly systemEvents: SystemEventHandlers,
    private readonly licenses: LicenseService,
  ) {}

  async handle(job: EventJob): Promise<EventOutcome | 'already-processed'> {
    const id = BigInt(job.data.eventId);
    const event = await this.events.startAttempt(id);
    if (!event) {
      this.metrics.eventsProcessed.inc({ type: 'unknown', outcome: 'duplicate' });
      return 'already-processed';
    }
    const stop = this.metrics.eventAttemptDuration.startTimer({ type: event.type });
    try {
      const context: MappingContext = {};
      const outcome = await this.process(event, context);
      if (outcome === 'awaiting-tenant') {
        // A data callback for a corp that is not a tenant yet (its create_auth is still being exchanged): kept; the
        // inbox sweeper puts it back in line once the tenant exists, or marks it orphan after the retention window.
        // (A concurrent duplicate job that got there first has set it already: nothing more to do either way.)
        await this.events.markAwaitingTenant(id);
        this.metrics.eventsProcessed.inc({ type: event.type, outcome: 'awaiting_tenant' });
        this.logger.log({ msg: 'data callback awaits its tenant', eventId: job.data.eventId, suiteId: event.suiteId, corpId: event.corpId });
        return outcome;
      }
      // Published before the row is marked processed: a crash in between re-runs the job, and publishing is
      // idempotent (one platform event per inbox event, one delivery per endpoint). A provider system event has no
      // suite of its own (its row's suiteId is the provider corpid, which no endpoint is registered under): its
      // handler publishes it for the suites it concerns, and one without a handler is only stored.
      if (event.kind !== 'system') await this.publisher.publishInbox(event, context);
      await this.events.markProcessed(id, event.corpId ? undefined : context.corpId);
      this.metrics.eventsProcessed.inc({ type: event.type, outcome: 'processed' });
      this.metrics.eventLatency.observe({ type: event.type }, (Date.now() - event.receivedAt.getTime()) / 1000);
      this.logger.log({ msg: 'callback event processed', eventId: job.data.eventId, suiteId: event.suiteId, type: event.type, corpId: event.corpId, outcome });
      return outcome;
    } catch (err) {
      await this.recordFailure(job, event, err);
      throw permanent(err) ? new UnrecoverableError(describe(err)) : err;
    } finally {
      stop();
    }
  }

  /** A job that stalled too often is failed by BullMQ without our handler: keep the inbox row in step. */
  async markGivenUp(eventId: string, reason: string): Promise<void> {
    await this.events.markAttemptFailed(BigInt(eventId), reason, true);
  }

  /** Handles the event; fills `context` with what the platform event needs and the payload lacks. */
  private async process(event: CallbackEvent, context: MappingContext): Promise<EventOutcome> {
    if (event.type === UNPARSABLE_EVENT_TYPE && isUnparsableInboxEvent(event.event)) {
      // Stored at intake because it is authentic, but not a readable WeCom event: no attempt can change that, so it
      // fails for good (an XmlError is permanent) with the parse error intake recorded.
      throw new XmlError(event.event.unparsable.code, `the decrypted callback could not be parsed (${event.event.unparsable.code}): ${event.event.unparsable.message}`);
    }
    if (event.kind === 'data') {
      if (!event.corpId || !(await this.corps.isActive(event.suiteId, event.corpId))) return 'awaiting-tenant';
      await this.recordUnlicensedMember(event, event.corpId);
      return 'fan-out';
    }
    if (event.kind === 'system') {
      // A provider system event (`suiteId` is the provider corpid): its InfoType's handler, if a module registered one,
      // does the work and publishes the per-suite platform events; without one it stays stored (admin API) only.
      const system = (event.event as InboxEvent | null) ?? inboxEventOf('system', parseSystemEvent(event.payload));
      if (system.kind !== 'system') throw new UnrecoverableError(`event ${event.id} is stored as a system event but typed as ${system.kind}`);
      return (await this.systemEvents.handle(system, event)) ? 'system-handled' : 'system-stored';
    }
    // The typed event stored at intake; rows stored before it existed are parsed from their XML.
    const command = (event.event as InboxEvent | null) ?? inboxEventOf('command', parseCommandEvent(event.payload));
    if (command.kind !== 'command') throw new UnrecoverableError(`event ${event.id} is stored as a command but typed as ${command.kind}`);
    switch (command.infoType) {
      case 'create_auth':
      case 'reset_permanent_code': {
        // create_auth: unless the browser redirect already exchanged this code (the claim says so), exchange it.
        // reset_permanent_code: the new code's exchange replaces the permanent code and restarts the corp's tokens.
        const state = command.infoType === 'create_auth' ? command.state : undefined;
        const { exchanged, corp } = await this.authorization.exchangeAuthCode(event.suiteId, command.authCode, { state, timeStamp: command.timeStamp });
        context.corpId = corp.corpId;
        context.authCode = command.authCode;
        context.installedCorp = corp;
        return exchanged ? 'authorized' : 'already-authorized';
      }
      case 'change_auth': {
        const changed = await this.authorization.refreshAuthInfo(event.suiteId, command.authCorpId, { timeStamp: command.timeStamp, state: command.state });
        return changed ? 'auth-info-updated' : 'stale';
      }
      case 'cancel_auth': {
        // A cancel older than the tenant's latest (re)install (delayed, retried, replayed) changes nothing.
        const cancelled = await this.authorization.cancel(event.suiteId, command.authCorpId, command.timeStamp);
        return cancelled ? 'cancelled' : 'stale';
      }
      case 'other':
        if (command.rawInfoType === 'change_editon' && command.paidCorpId) {
          // The edition changed: the current one comes with the auth info.
          await this.authorization.refreshAuthInfo(event.suiteId, command.paidCorpId);
          return 'auth-info-updated';
        }
        return 'fan-out';
      case 'change_contact':
        return 'fan-out';
      case 'suite_ticket':
        return 'ignored';
    }
  }

  /** unlicensed_notify (接口许可失效通知): the member is recorded for the admin API and the gauge until licensed. */
  private async recordUnlicensedMember(event: CallbackEvent, corpId: string): Promise<void> {
    if (!event.payload.includes('unlicensed_notify')) return;
    const xml = parseXml(event.payload, { keepControlChars: true });
    const userId = xml['FromUserName'];
    if (xml['Event'] !== 'unlicensed_notify' || typeof userId !== 'string' || !userId) return;
    try {
      await this.licenses.recordUnlicensed(event.suiteId, corpId, userId, event.receivedAt);
    } catch (err) {
      // A suite without a provider corpid cannot key licenses: the event is still published.
      if (!(err instanceof LicenseOperationError)) throw err;
    }
  }

  private async recordFailure(job: EventJob, event: CallbackEvent, err: unknown): Promise<void> {
    const rateLimited = err instanceof RateLimitedError;
    const final = !rateLimited && (permanent(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
    await this.events.markAttemptFailed(event.id, describe(err), final).catch((markErr: unknown) => {
      this.logger.error({ msg: 'could not record a failed attempt', eventId: job.data.eventId, error: describe(markErr) });
    });
    this.metrics.eventsProcessed.inc({ type: event.type, outcome: rateLimited ? 'rate_limited' : final ? 'failed' : 'retry' });
    const line = { eventId: job.data.eventId, suiteId: event.suiteId, type: event.type, corpId: event.corpId, attempt: job.attemptsMade + 1, error: describe(err) };
    // A replay cannot help an install whose auth_code may be spent (WeCom's codes are single-use): say what can.
    const next = err instanceof AuthCodeUnusableError ? 'not replayable: the corp admin must install again' : 'replayable from the admin API';
    if (final) this.logger.error({ msg: `callback event failed for good; ${next}`, ...line });
    else this.logger.warn({ msg: 'callback event attempt failed; will retry', ...line });
  }
}

/** Errors that another attempt cannot fix: a payload we cannot read, or WeCom refusing for good. */
function permanent(err: unknown): boolean {
  // UnrecoverableError: BullMQ will not retry it either (a row stored under one kind but typed as another).
  if (err instanceof XmlError || err instanceof AuthCodeUnusableError || err instanceof UnrecoverableError) return true;
  if (err instanceof TokenUnavailableError) return err.permanent;
  if (err instanceof WecomApiError) return err.kind === 'credential' || err.kind === 'permanent-code' || err.kind === 'forbidden' || err.kind === 'other';
  if (err instanceof WecomError) return !err.retryable;
  return false;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
