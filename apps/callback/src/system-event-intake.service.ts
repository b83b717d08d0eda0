import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, CallbackConfig } from '@app/config';
import { InboxEvent, inboxEventOf, parseCallbackEnvelope, parseSystemEvent, SystemEvent, systemInfoTypeOf, UNPARSABLE_EVENT_TYPE, UnparsableInboxEvent, WecomMsgCrypt, XmlError } from '@app/wecom';
import { BadCallbackError, BadSignatureError, IntakeUnavailableError, UnknownProviderError } from './callback-errors.js';
import type { IntakeResult } from './callback-intake.service.js';
import { outcomeOf, sha256, SignatureQuery, signatureParts, storable, unparsableDedupeKey } from './callback-request.js';
import { CallbackMetrics } from './callback-metrics.js';
import { EventForwarder } from './event-forwarder.js';
import { InboxWriter } from './inbox-writer.js';
import { ProviderKeysCache } from './provider-keys.cache.js';

/**
 * The provider's system-event URL (系统事件接收URL): verify → decrypt (receiveid = the provider corpid) → type →
 * store in the inbox (kind `system`, `suiteId` = the provider corpid) → ack → enqueue. Same durability and dedupe as
 * suite callbacks: acknowledged only once stored; a duplicate (WeCom's retry) is acknowledged and not processed twice.
 */
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

@Injectable()
export class SystemEventIntakeService {
  private readonly logger = new Logger('Callback');

  constructor(
    private readonly keys: ProviderKeysCache,
    private readonly inbox: InboxWriter,
    private readonly forwarder: EventForwarder,
    private readonly metrics: CallbackMetrics,
    @Inject(APP_CONFIG) private readonly config: CallbackConfig,
  ) {}

  /** URL verification (GET): the decrypted echostr, when signed with the provider's token and meant for it. */
  async verifyUrl(providerCorpId: string, query: SignatureQuery): Promise<string> {
    const crypt = await this.cryptFor(providerCorpId);
    const { msgSignature, timestamp, nonce } = signatureParts(query, this.config.CALLBACK_MAX_CLOCK_SKEW_SECONDS);
    const echostr = query.echostr;
    if (!echostr) throw new BadCallbackError('echostr is required');
    if (!crypt.verifySignature(msgSignature, timestamp, nonce, echostr)) throw new BadSignatureError('msg_signature does not match');
    return crypt.decryptFor(echostr, [providerCorpId]).message;
  }

  async receive(providerCorpId: string, query: SignatureQuery, body: unknown): Promise<IntakeResult> {
    const started = performance.now();
    let type = 'unknown';
    try {
      const result = await this.store(providerCorpId, query, body, (t) => (type = t));
      this.finish(started, providerCorpId, result.type, result.duplicate ? 'duplicate' : 'stored', result.corpId, result.eventId);
      return result;
    } catch (err) {
      this.finish(started, providerCorpId, type, outcomeOf(err), null, null);
      throw err;
    }
  }

  private async store(providerCorpId: string, query: SignatureQuery, body: unknown, noteType: (t: string) => void): Promise<IntakeResult> {
    const crypt = await this.cryptFor(providerCorpId);
    const { msgSignature, timestamp, nonce } = signatureParts(query, this.config.CALLBACK_MAX_CLOCK_SKEW_SECONDS);
    if (typeof body !== 'string' || body.length === 0) throw new BadCallbackError('body must be the XML envelope');
    const { encrypt } = parseCallbackEnvelope(body);
    if (!crypt.verifySignature(msgSignature, timestamp, nonce, encrypt)) throw new BadSignatureError('msg_signature does not match');
    const message = storable(crypt.decryptFor(encrypt, [providerCorpId]).message);
    let event: SystemEvent | null = null;
    let stored: InboxEvent | UnparsableInboxEvent;
    try {
      event = parseSystemEvent(message);
      stored = inboxEventOf('system', event);
    } catch (err) {
      // Authentic (signed, decrypted for this provider) but unreadable: stored all the same, failed by the worker.
      if (!(err instanceof XmlError)) throw err;
      stored = { kind: 'system', unparsable: { code: err.code, message: err.message } };
    }
    if (event?.serviceCorpId && event.serviceCorpId !== providerCorpId) throw new BadCallbackError(`ServiceCorpId in the payload is not ${providerCorpId}`);
    const type = event ? systemInfoTypeOf(event) : UNPARSABLE_EVENT_TYPE;
    noteType(type);
    const corpId = event?.authCorpId ?? null;
    let inserted;
    try {
      inserted = await this.inbox.insert({
        suiteId: providerCorpId,
        kind: 'system',
        type,
        corpId,
        dedupeKey: event ? `${providerCorpId}:system:${sha256(message)}` : unparsableDedupeKey(providerCorpId, 'system', message),
        payload: message,
        event: stored,
      });
    } catch (err) {
      this.logger.error({ msg: 'inbox unavailable', providerCorpId, kind: 'system', error: errorText(err) });
      throw new IntakeUnavailableError('the event store is unavailable; retry later');
    }
    if (!inserted.duplicate) this.forwarder.forward({ id: inserted.id, suiteId: providerCorpId, type });
    return { eventId: inserted.duplicate ? null : inserted.id, duplicate: inserted.duplicate, type, corpId };
  }

  private async cryptFor(providerCorpId: string): Promise<WecomMsgCrypt> {
    let crypt: WecomMsgCrypt | null;
    try {
      crypt = await this.keys.get(providerCorpId);
    } catch (err) {
      this.logger.error({ msg: 'provider lookup failed', providerCorpId, error: errorText(err) });
      throw new IntakeUnavailableError('the provider store is unavailable; retry later');
    }
    if (!crypt) throw new UnknownProviderError(`unknown provider ${providerCorpId}, or its system-event token and EncodingAESKey are not registered`);
    return crypt;
  }

  private finish(started: number, providerCorpId: string, type: string, outcome: string, corpId: string | null, eventId: bigint | null): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.callbacks.inc({ kind: 'system', type, outcome });
    this.metrics.latency.observe({ kind: 'system' }, seconds);
    this.logger.log({ msg: 'callback', providerCorpId, kind: 'system', type, corpId, eventId: eventId === null ? null : String(eventId), outcome, latencyMs: Math.round(seconds * 10000) / 10 });
  }
}
