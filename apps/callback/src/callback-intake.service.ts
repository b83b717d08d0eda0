import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { CallbackKind } from '@app/store';
import { SuiteTicketRepository } from '@app/store';
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
  WecomMsgCrypt,
} from '@app/wecom';
import { BadCallbackError, BadSignatureError, IntakeUnavailableError, UnknownSuiteError } from './callback-errors.js';
import { CallbackMetrics } from './callback-metrics.js';
import { CorpMembershipCache } from './corp-membership.cache.js';
import { EventForwarder } from './event-forwarder.js';
import { InboxWriter } from './inbox-writer.js';
import { SuiteKeys, SuiteKeysCache } from './suite-keys.cache.js';

export interface SignatureQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

export interface IntakeResult {
  eventId: bigint | null;
  duplicate: boolean;
  type: string;
  corpId: string | null;
}

const SHA1_HEX = /^[0-9a-fA-F]{40}$/;
/** Suite and corp ids are short ASCII tokens; anything else cannot be one of ours and never reaches the database. */

/** What the event is, for the inbox row and the log line. */
interface Classified {
  type: string;
  corpId: string | null;
  dedupeKey: string;
  /** what the inbox stores as the typed event */
  event: InboxEvent;
  ticket?: { value: string; wecomTime: number };
}

/** verify → decrypt → classify → store → (ack) → enqueue. */
@Injectable()
export class CallbackIntakeService {
  private readonly logger = new Logger('Callback');

  constructor(
    private readonly suiteKeys: SuiteKeysCache,
    private readonly membership: CorpMembershipCache,
    private readonly inbox: InboxWriter,
    private readonly tickets: SuiteTicketRepository,
    private readonly forwarder: EventForwarder,
    private readonly schedule: RefreshSchedule,
    private readonly metrics: CallbackMetrics,
  ) {}

  /** URL verification: the decrypted echostr, if the signature holds and the receiver is ours. */
  async verifyUrl(suiteId: string, kind: CallbackKind, query: SignatureQuery): Promise<string> {
    const keys = await this.keysFor(suiteId);
    const { msgSignature, timestamp, nonce } = signatureParts(query);
    const echostr = query.echostr;
    if (!echostr) throw new BadCallbackError('echostr is required');
    if (!keys.crypt.verifySignature(msgSignature, timestamp, nonce, echostr)) throw new BadSignatureError('msg_signature does not match');
    const { message, receiverId } = keys.crypt.decrypt(echostr);
    // WeCom has been seen to verify with the provider corpid as receiver_id instead of the suite_id.
    const ours = receiverId === suiteId || (keys.providerCorpId !== null && receiverId === keys.providerCorpId);
    if (!ours && !(kind === 'data' && (await this.isAuthorized(suiteId, receiverId)))) {
      throw new ReceiverIdMismatchError(receiverId);
    }
    return message;
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
    const { msgSignature, timestamp, nonce } = signatureParts(query);
    if (typeof body !== 'string' || body.length === 0) throw new BadCallbackError('body must be the XML envelope');
    const { encrypt } = parseCallbackEnvelope(body);
    if (!keys.crypt.verifySignature(msgSignature, timestamp, nonce, encrypt)) throw new BadSignatureError('msg_signature does not match');

    const classified =
      kind === 'command' ? this.classifyCommand(suiteId, keys.crypt, encrypt) : await this.classifyData(suiteId, keys.crypt, encrypt);
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
      else this.forwarder.forward({ id: inserted.id, suiteId });
    }
    return {
      eventId: inserted.duplicate ? null : inserted.id,
      duplicate: inserted.duplicate,
      type: classified.type,
      corpId: classified.corpId,
    };
  }

  private classifyCommand(suiteId: string, crypt: WecomMsgCrypt, encrypt: string): Classified & { message: string } {
    const { message } = crypt.decryptFor(encrypt, [suiteId]);
    const event: CommandEvent = parseCommandEvent(message);
    if (event.suiteId !== undefined && event.suiteId !== suiteId) {
      throw new BadCallbackError(`SuiteId in the payload is not ${suiteId}`);
    }
    const type = event.infoType === 'other' ? event.rawInfoType : event.infoType;
    const corpId = 'authCorpId' in event && event.authCorpId ? event.authCorpId : null;
    const classified = { type, corpId, dedupeKey: `${suiteId}:command:${sha256(message)}`, message, event: inboxEventOf('command', event) };
    return event.infoType === 'suite_ticket'
      ? { ...classified, ticket: { value: event.suiteTicket, wecomTime: event.timeStamp } }
      : classified;
  }

  private async classifyData(suiteId: string, crypt: WecomMsgCrypt, encrypt: string): Promise<Classified & { message: string }> {
    const { message, receiverId } = crypt.decrypt(encrypt);
    if (!(await this.isAuthorized(suiteId, receiverId))) throw new ReceiverIdMismatchError(receiverId);
    const event = parseDataEvent(message);
    const type = event.msgType === 'event' && event.event ? `event:${event.event}` : event.msgType;
    // MsgId identifies a message; events have none and may share FromUserName+CreateTime, so hash them whole.
    const dedupeKey = event.msgId ? `${suiteId}:data:${receiverId}:msg:${event.msgId}` : `${suiteId}:data:${sha256(message)}`;
    return { type, corpId: receiverId, dedupeKey, message, event: inboxEventOf('data', event) };
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

  private async isAuthorized(suiteId: string, corpId: string): Promise<boolean> {
    if (!isWecomId(corpId)) return false;
    try {
      return await this.membership.isAuthorized(suiteId, corpId);
    } catch (err) {
      this.logger.error({ msg: 'corp lookup failed', suiteId, error: errorText(err) });
      throw new IntakeUnavailableError('the tenant store is unavailable; retry later');
    }
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

function signatureParts(query: SignatureQuery): { msgSignature: string; timestamp: string; nonce: string } {
  const { msg_signature: msgSignature, timestamp, nonce } = query;
  if (typeof msgSignature !== 'string' || !SHA1_HEX.test(msgSignature)) {
    throw new BadSignatureError('msg_signature is missing or malformed');
  }
  if (typeof timestamp !== 'string' || !timestamp || typeof nonce !== 'string' || !nonce) {
    throw new BadSignatureError('timestamp and nonce are required to check msg_signature');
  }
  return { msgSignature, timestamp, nonce };
}

/** The ticket itself lives sealed in SuiteTicket; the inbox keeps the event without it. */
function redactTicket(message: string): string {
  return message.replace(/(<SuiteTicket>)[\s\S]*?(<\/SuiteTicket>)/, '$1<![CDATA[(stored sealed)]]>$2');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function outcomeOf(err: unknown): string {
  if (err instanceof UnknownSuiteError) return 'unknown_suite';
  if (err instanceof BadSignatureError) return 'bad_signature';
  if (err instanceof IntakeUnavailableError) return 'unavailable';
  return 'rejected';
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
