import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, CallbackConfig } from '@app/config';
import type { CallbackKind } from '@app/store';
import { SuiteRepository, SuiteTicketRepository } from '@app/store';
import { RefreshSchedule } from '@app/tokens';
import {
  CommandEvent,
  InboxEvent,
  inboxEventOf,
  isWecomId,
  parseCallbackEnvelope,
  parseCommandEvent,
  parseDataEvent,
  ReceiverIdMismatchError,
  UNPARSABLE_EVENT_TYPE,
  UnparsableInboxEvent,
  WecomMsgCrypt,
  XmlError,
} from '@app/wecom';
import { BadCallbackError, BadSignatureError, IntakeUnavailableError, UnknownSuiteError } from './callback-errors.js';
import { CallbackMetrics } from './callback-metrics.js';
import {
  commandDedupeKey,
  dataCallbackCorpId,
  dataDedupeKey,
  outcomeOf,
  redactTicket,
  SignatureQuery,
  signatureParts,
  storable,
  unparsableDedupeKey,
  verificationReceiver,
} from './callback-request.js';

export type { SignatureQuery } from './callback-request.js';
import { EventForwarder } from './event-forwarder.js';
import { InboxWriter } from './inbox-writer.js';
import { SuiteKeys, SuiteKeysCache } from './suite-keys.cache.js';
import { CorpKeysCache } from './corp-keys.cache.js';

export interface IntakeResult {
  eventId: bigint | null;
  duplicate: boolean;
  type: string;
  corpId: string | null;
}

/** What the event is, for the inbox row and the log line. */
interface Classified {
  type: string;
  corpId: string | null;
  dedupeKey: string;
  /** what the inbox stores as the typed event */
  event: InboxEvent | UnparsableInboxEvent;
  ticket?: { value: string; wecomTime: number };
}

/** verify → decrypt → classify → store → (ack) → enqueue. */
@Injectable()
export class CallbackIntakeService {
  private readonly logger = new Logger('Callback');

  constructor(
    private readonly suiteKeys: SuiteKeysCache,
    private readonly corpKeys: CorpKeysCache,
    private readonly suites: SuiteRepository,
    private readonly inbox: InboxWriter,
    private readonly tickets: SuiteTicketRepository,
    private readonly forwarder: EventForwarder,
    private readonly schedule: RefreshSchedule,
    private readonly metrics: CallbackMetrics,
    @Inject(APP_CONFIG) private readonly config: CallbackConfig,
  ) {}

  /**
   * URL verification (GET, both URLs): the decrypted echostr, if the signature holds and the receiver is ours.
   * WeCom encrypts it for the provider's corpid (加解密方案说明; the empty string for 个人主体 apps). A suite
   * registered without its provider corpid learns it here: the signature proves the sender, and the receiveid of
   * WeCom's first verification is the provider corpid, recorded for the suite (a clear 400 names what did not match).
   */
  async verifyUrl(suiteId: string, _kind: CallbackKind, query: SignatureQuery): Promise<string> {
    const keys = await this.keysFor(suiteId);
    const { msgSignature, timestamp, nonce } = signatureParts(query, this.config.CALLBACK_MAX_CLOCK_SKEW_SECONDS);
    const echostr = query.echostr;
    if (!echostr) throw new BadCallbackError('echostr is required');
    if (!keys.crypt.verifySignature(msgSignature, timestamp, nonce, echostr)) throw new BadSignatureError('msg_signature does not match');
    const { message, receiverId } = keys.crypt.decrypt(echostr);
    const verdict = verificationReceiver(receiverId, { suiteId, providerCorpId: keys.providerCorpId });
    if (verdict === 'mismatch') throw new ReceiverIdMismatchError(receiverId);
    if (verdict === 'learn') await this.learnProviderCorpId(suiteId, receiverId);
    return message;
  }

  private async learnProviderCorpId(suiteId: string, providerCorpId: string): Promise<void> {
    try {
      await this.suites.setProviderCorpIdIfMissing(suiteId, providerCorpId);
    } catch (err) {
      this.logger.error({ msg: 'could not record the provider corpid', suiteId, error: errorText(err) });
      throw new IntakeUnavailableError('the suite store is unavailable; retry later');
    }
    this.suiteKeys.forget(suiteId);
    this.logger.log({ msg: 'provider corpid learned from URL verification', suiteId, providerCorpId });
  }

  async receive(suiteId: string, kind: CallbackKind, query: SignatureQuery, body: unknown): Promise<IntakeResult> {
    const started = performance.now();
    let type = 'unknown';
    try {
      const result = await this.store(suiteId, kind, query, body, (t) => (type = t));
      const outcome = result.duplicate ? 'duplicate' : 'stored';
      this.finish(started, suiteId, kind, result.type, outcome, result.corpId, result.eventId);
      return result;
    } catch (err) {
      this.finish(started, suiteId, kind, type, outcomeOf(err), null, null);
      throw err;
    }
  }

  private async store(
    suiteId: string,
    kind: CallbackKind,
    query: SignatureQuery,
    body: unknown,
    noteType: (type: string) => void,
  ): Promise<IntakeResult> {
    const keys = await this.keysFor(suiteId);
    const { msgSignature, timestamp, nonce } = signatureParts(query, this.config.CALLBACK_MAX_CLOCK_SKEW_SECONDS);
    if (typeof body !== 'string' || body.length === 0) throw new BadCallbackError('body must be the XML envelope');
    const { encrypt, toUserName } = parseCallbackEnvelope(body);
    // 代开发: a corp's data callbacks may carry that corp's own keys (ToUserName names the corp in clear).
    const crypt = kind === 'data' ? ((await this.corpKeysFor(suiteId, toUserName)) ?? keys.crypt) : keys.crypt;
    if (!crypt.verifySignature(msgSignature, timestamp, nonce, encrypt)) throw new BadSignatureError('msg_signature does not match');

    const classified = kind === 'command' ? this.classifyCommand(suiteId, crypt, encrypt) : this.classifyData(suiteId, crypt, encrypt);
    noteType(classified.type);

    const payload = classified.ticket ? redactTicket(classified.message) : classified.message;
    let inserted;
    try {
      // The ticket first: it is idempotent (newest wins), so a retry after a failed insert still stores it.
      if (classified.ticket) await this.tickets.save(suiteId, classified.ticket.value, classified.ticket.wecomTime);
      inserted = await this.inbox.insert({
        suiteId,
        kind,
        type: classified.type,
        corpId: classified.corpId,
        dedupeKey: classified.dedupeKey,
        payload,
        event: classified.event,
        status: classified.ticket ? 'processed' : 'received',
      });
    } catch (err) {
      this.logger.error({ msg: 'inbox unavailable', suiteId, kind, error: errorText(err) });
      throw new IntakeUnavailableError('the event store is unavailable; retry later');
    }

    if (!inserted.duplicate) {
      if (classified.ticket) this.nudgeSuiteToken(suiteId);
      else this.forwarder.forward({ id: inserted.id, suiteId, type: classified.type });
    }
    return {
      eventId: inserted.duplicate ? null : inserted.id,
      duplicate: inserted.duplicate,
      type: classified.type,
      corpId: classified.corpId,
    };
  }

  private classifyCommand(suiteId: string, crypt: WecomMsgCrypt, encrypt: string): Classified & { message: string } {
    // receiveid: the suite id, or the empty string for a 个人主体 app.
    const message = storable(crypt.decryptFor(encrypt, [suiteId, '']).message);
    let event: CommandEvent;
    try {
      event = parseCommandEvent(message);
    } catch (err) {
      if (err instanceof XmlError) return unparsable(suiteId, 'command', null, message, err);
      throw err;
    }
    if (event.suiteId !== undefined && event.suiteId !== suiteId) {
      throw new BadCallbackError(`SuiteId in the payload is not ${suiteId}`);
    }
    const type = event.infoType === 'other' ? event.rawInfoType : event.infoType;
    // Order and edition events name their corp PaidCorpId.
    const corpId = ('authCorpId' in event && event.authCorpId) || ('paidCorpId' in event && event.paidCorpId) || null;
    const classified = { type, corpId, dedupeKey: commandDedupeKey(suiteId, message), message, event: inboxEventOf('command', event) };
    return event.infoType === 'suite_ticket'
      ? { ...classified, ticket: { value: event.suiteTicket, wecomTime: event.timeStamp } }
      : classified;
  }

  /**
   * A data callback is stored whoever it is for: the signature proves WeCom sent it, and a corp that is not a
   * tenant yet (its create_auth still being exchanged) becomes one moments later. The worker holds it until then.
   * receiveid is the corp's id (the empty string for 个人主体 apps: then ToUserName names the corp).
   */
  private classifyData(suiteId: string, crypt: WecomMsgCrypt, encrypt: string): Classified & { message: string } {
    const decrypted = crypt.decrypt(encrypt);
    const message = storable(decrypted.message);
    let event;
    try {
      event = parseDataEvent(message);
    } catch (err) {
      // The corp, when the receiveid names one (it is empty for 个人主体 apps, whose corp only ToUserName names).
      if (err instanceof XmlError) return unparsable(suiteId, 'data', dataCallbackCorpId(decrypted.receiverId, undefined), message, err);
      throw err;
    }
    const corpId = dataCallbackCorpId(decrypted.receiverId, event.toUserName);
    if (corpId === null) throw new ReceiverIdMismatchError(decrypted.receiverId);
    const type = event.msgType === 'event' && event.event ? `event:${event.event}` : event.msgType;
    const dedupeKey = dataDedupeKey(suiteId, corpId, event.msgId, message);
    return { type, corpId, dedupeKey, message, event: inboxEventOf('data', event) };
  }

  private async corpKeysFor(suiteId: string, corpId: string | undefined): Promise<WecomMsgCrypt | null> {
    try {
      return await this.corpKeys.get(suiteId, corpId);
    } catch (err) {
      this.logger.error({ msg: 'corp key lookup failed', suiteId, corpId, error: errorText(err) });
      throw new IntakeUnavailableError('the tenant store is unavailable; retry later');
    }
  }

  private async keysFor(suiteId: string): Promise<SuiteKeys> {
    if (!isWecomId(suiteId)) throw new UnknownSuiteError('unknown suite');
    let keys: SuiteKeys | null;
    try {
      keys = await this.suiteKeys.get(suiteId);
    } catch (err) {
      this.logger.error({ msg: 'suite lookup failed', suiteId, error: errorText(err) });
      throw new IntakeUnavailableError('the suite store is unavailable; retry later');
    }
    if (!keys) throw new UnknownSuiteError(`unknown suite ${suiteId}`);
    return keys;
  }

  /** A new ticket may unblock a suite token that could not be fetched: make it due now. */
  private nudgeSuiteToken(suiteId: string): void {
    this.schedule.scheduleNow({ kind: 'suite', suiteId }).catch((err: unknown) => {
      this.logger.warn({ msg: 'could not nudge suite token refresh', suiteId, error: errorText(err) });
    });
  }

  private finish(
    started: number,
    suiteId: string,
    kind: CallbackKind,
    type: string,
    outcome: string,
    corpId: string | null,
    eventId: bigint | null,
  ): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.callbacks.inc({ kind, type, outcome });
    this.metrics.latency.observe({ kind }, seconds);
    this.logger.log({
      msg: 'callback',
      suiteId,
      kind,
      type,
      corpId,
      eventId: eventId === null ? null : String(eventId),
      outcome,
      latencyMs: Math.round(seconds * 10000) / 10,
    });
  }
}

/**
 * An authentic callback (signature and decryption held) whose content is not a readable WeCom event: stored and
 * acknowledged all the same — an authentic callback is never lost — typed `unparsable` with the parse error, which
 * the worker fails it with for good (visible, and replayable, in the admin events API).
 */
function unparsable(suiteId: string, kind: 'command' | 'data', corpId: string | null, message: string, err: XmlError): Classified & { message: string } {
  return {
    type: UNPARSABLE_EVENT_TYPE,
    corpId,
    dedupeKey: unparsableDedupeKey(suiteId, kind, message),
    message,
    event: { kind, unparsable: { code: err.code, message: err.message } },
  };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
