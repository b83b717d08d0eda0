import { encrypt, getSignature } from '@wecom/crypto';
import { buildEnvelope } from './callback-xml.js';
import { randomDigits } from './ids.js';

/** `system`: a provider system event, pushed to the provider's 系统事件接收URL. */
export type CallbackKind = 'command' | 'data' | 'system';

export interface PushRequest {
  kind: CallbackKind;
  url: string;
  token: string;
  encodingAesKey: string;
  /** The id appended to the plaintext: suite_id for command callbacks, the corp's id for data callbacks. */
  receiverId: string;
  toUserName: string;
  agentId: string;
  /** The plaintext XML payload. */
  payload: string;
  /** For the push log. */
  suiteId: string;
  corpId?: string;
  infoType: string;
}

export interface PushOutcome {
  id: number;
  kind: CallbackKind;
  suite_id: string;
  corp_id?: string;
  info_type: string;
  url: string;
  attempts: number;
  /** The receiver answered HTTP 200 (for command callbacks WeCom also wants the body `success`). */
  delivered: boolean;
  status?: number;
  response?: string;
  error?: string;
  payload: string;
  started_at: number;
  finished_at: number;
}

/** What a URL check found: the URL's status and (first 500 characters of) its answer, or the request's error. */
export interface UrlCheck {
  verified: boolean;
  status?: number;
  response?: string;
  error?: string;
}

export interface PusherOptions {
  timeoutMs: number;
  retryDelayMs: number;
  maxAttempts: number;
  logSize: number;
}

export interface PusherLogger {
  warn(message: string): void;
}

/**
 * Pushes callbacks the way WeCom does: encrypt with the suite's EncodingAESKey (WeCom's own `@wecom/crypto`,
 * so the simulator is an independent reference for the platform's decryption), sign, POST with
 * `msg_signature, timestamp, nonce`, stop waiting after the timeout, and retry — three tries in all, a
 * second or so apart — on network failure, timeout or any answer other than HTTP 200 (接收消息协议: WeCom
 * retries a callback that is not answered 200). Every push is recorded with its outcome.
 */
export class CallbackPusher {
  private readonly log: PushOutcome[] = [];
  private nextId = 1;
  private readonly inFlight = new Set<Promise<PushOutcome>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly options: PusherOptions,
    private readonly logger: PusherLogger,
  ) {}

  push(request: PushRequest): Promise<PushOutcome> {
    const promise = this.deliver(request).finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
    return promise;
  }

  /** The signed request WeCom would send: exposed so tests and URL verification can reuse it. */
  static sign(token: string, encodingAesKey: string, receiverId: string, message: string, timestamp: number) {
    const ciphertext = encrypt(encodingAesKey, message, receiverId);
    const nonce = randomDigits(10);
    const signature = getSignature(token, timestamp, nonce, ciphertext);
    return { ciphertext, nonce, signature };
  }

  /**
   * WeCom's URL check (验证URL有效性): GET `url?msg_signature&timestamp&nonce&echostr` with `echo` encrypted for
   * `receiverId`, at the real time (as every callback request); verified when the URL answers 200 with `echo` in plain
   * text. Network failures and the 5 s timeout are answered as `error`, never thrown.
   */
  static async checkUrl(url: string, token: string, encodingAesKey: string, receiverId: string, echo: string): Promise<UrlCheck> {
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = CallbackPusher.sign(token, encodingAesKey, receiverId, echo, timestamp);
    const target = new URL(url);
    target.searchParams.set('msg_signature', signed.signature);
    target.searchParams.set('timestamp', String(timestamp));
    target.searchParams.set('nonce', signed.nonce);
    target.searchParams.set('echostr', signed.ciphertext);
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      return { verified: res.status === 200 && text === echo, status: res.status, response: text.slice(0, 500) };
    } catch (err) {
      return { verified: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  outcomes(filter: { suiteId?: string; infoType?: string; kind?: CallbackKind; limit?: number } = {}): PushOutcome[] {
    const out: PushOutcome[] = [];
    for (let i = this.log.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const o = this.log[i];
      if (filter.suiteId && o.suite_id !== filter.suiteId) continue;
      if (filter.infoType && o.info_type !== filter.infoType) continue;
      if (filter.kind && o.kind !== filter.kind) continue;
      out.push(o);
    }
    return out;
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Resolves when every push started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Abandons pushes in flight (no more retries) and waits for them to settle. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
  }

  private async deliver(request: PushRequest): Promise<PushOutcome> {
    const startedAt = Date.now();
    // The query's `timestamp` is when the request is sent, in real time (receivers refuse stale ones as replays);
    // the payload's TimeStamp / CreateTime stay on the simulated clock.
    const timestamp = Math.floor(startedAt / 1000);
    const { ciphertext, nonce, signature } = CallbackPusher.sign(request.token, request.encodingAesKey, request.receiverId, request.payload, timestamp);
    const target = new URL(request.url);
    target.searchParams.set('msg_signature', signature);
    target.searchParams.set('timestamp', String(timestamp));
    target.searchParams.set('nonce', nonce);
    const body = buildEnvelope(request.toUserName, ciphertext, request.agentId);

    let attempts = 0;
    let status: number | undefined;
    let response: string | undefined;
    let error: string | undefined;
    while (attempts < this.options.maxAttempts) {
      attempts++;
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8' },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.shutdown.signal]),
        });
        status = res.status;
        response = (await res.text()).slice(0, 500);
        error = undefined;
        if (status === 200) break;
      } catch (err) {
        status = undefined;
        response = undefined;
        error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (this.shutdown.signal.aborted) break;
      }
      if (this.shutdown.signal.aborted) break;
      if (attempts < this.options.maxAttempts) await new Promise((r) => setTimeout(r, this.options.retryDelayMs));
    }
    const delivered = status === 200 && (request.kind === 'data' || response?.trim() === 'success');
    if (!delivered) {
      this.logger.warn(`${request.kind} callback ${request.infoType} for suite ${request.suiteId} not acknowledged after ${attempts} attempt(s): ${error ?? `HTTP ${status}`}`);
    }
    const outcome: PushOutcome = {
      id: this.nextId++,
      kind: request.kind,
      suite_id: request.suiteId,
      corp_id: request.corpId,
      info_type: request.infoType,
      url: request.url,
      attempts,
      delivered,
      status,
      response,
      error,
      payload: request.payload,
      started_at: startedAt,
      finished_at: Date.now(),
    };
    this.log.push(outcome);
    if (this.log.length > this.options.logSize) this.log.splice(0, this.log.length - this.options.logSize);
    return outcome;
  }
}
