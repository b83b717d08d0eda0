import { hash } from 'node:crypto';
import { isWecomId } from '@app/wecom';
import { BadSignatureError, IntakeUnavailableError, UnknownProviderError, UnknownSuiteError } from './callback-errors.js';

/** The query WeCom signs a callback with (接收消息协议): all strings as they arrive, any may be missing. */
export interface SignatureQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

/**
 * The signed parts of the query. `timestamp` (seconds, when WeCom sent the request) must be within `maxSkewSeconds` of
 * `nowMs` (ms): a captured callback replayed later is refused even once its inbox row — the dedupe record — has been
 * deleted by retention. WeCom's own retries come within seconds.
 * @throws BadSignatureError when msg_signature is not 40 hex digits, timestamp or nonce is missing, or the skew is too large
 */
export function signatureParts(
  query: SignatureQuery,
  maxSkewSeconds: number,
  nowMs = Date.now(),
): { msgSignature: string; timestamp: string; nonce: string } {
  const { msg_signature: msgSignature, timestamp, nonce } = query;
  if (typeof msgSignature !== 'string' || !SHA1_HEX.test(msgSignature)) {
    throw new BadSignatureError('msg_signature is missing or malformed');
  }
  if (typeof timestamp !== 'string' || !timestamp || typeof nonce !== 'string' || !nonce) {
    throw new BadSignatureError('timestamp and nonce are required to check msg_signature');
  }
  const skew = Math.abs(Number(timestamp) - nowMs / 1000);
  if (!/^\d{1,12}$/.test(timestamp) || !(skew <= maxSkewSeconds)) {
    throw new BadSignatureError(`timestamp is more than ${maxSkewSeconds} s away from now: refused as a possible replay (check the server clock)`);
  }
  return { msgSignature, timestamp, nonce };
}

/**
 * Whose receiveid a URL verification (GET) may carry (加解密方案说明): the provider's corpid, the empty string for a
 * 个人主体 app, or the suite id. `learn`: the suite has no provider corpid recorded yet and this is a WeCom id —
 * the signature proves the sender, so it is the provider corpid. `mismatch`: anything else.
 */
export function verificationReceiver(
  receiverId: string,
  suite: { suiteId: string; providerCorpId: string | null },
): 'accept' | 'learn' | 'mismatch' {
  if (receiverId === '' || receiverId === suite.providerCorpId || receiverId === suite.suiteId) return 'accept';
  if (suite.providerCorpId === null && isWecomId(receiverId)) return 'learn';
  return 'mismatch';
}

/**
 * The corp a data callback is for: its receiveid, or ToUserName when the receiveid is the empty string (个人主体 apps).
 * Null when that is not a WeCom id.
 */
export function dataCallbackCorpId(receiverId: string, toUserName: string | undefined): string | null {
  const corpId = receiverId || toUserName || '';
  return isWecomId(corpId) ? corpId : null;
}

/**
 * The inbox's dedupe key of a data callback: MsgId identifies a message; events have none and may share
 * FromUserName+CreateTime, so they are hashed whole (a WeCom retry carries the same plaintext).
 */
export function dataDedupeKey(suiteId: string, corpId: string, msgId: string | undefined, message: string): string {
  return msgId ? `${suiteId}:data:${corpId}:msg:${msgId}` : `${suiteId}:data:${sha256(message)}`;
}

/** The inbox's dedupe key of a command callback: its plaintext hashed (WeCom's retries repeat it byte for byte). */
export function commandDedupeKey(suiteId: string, message: string): string {
  return `${suiteId}:command:${sha256(message)}`;
}

/**
 * The inbox's dedupe key of an authentic callback whose content could not be parsed: its plaintext hashed, so
 * WeCom's retries of it (the same plaintext) are stored once. `kind` keeps command and data apart.
 */
export function unparsableDedupeKey(suiteId: string, kind: 'command' | 'data' | 'system', message: string): string {
  return `${suiteId}:${kind}:unparsable:${sha256(message)}`;
}

/**
 * PostgreSQL cannot store NUL in text: an authentic payload carrying one keeps it visibly replaced (U+FFFD)
 * rather than being refused. Every other character, XML-forbidden control characters included, is kept.
 */
export function storable(message: string): string {
  return message.includes('\u0000') ? message.replaceAll('\u0000', '\uFFFD') : message;
}

/** The ticket itself lives sealed in SuiteTicket; the inbox keeps the event without it. */
export function redactTicket(message: string): string {
  return message.replace(/(<SuiteTicket>)[\s\S]*?(<\/SuiteTicket>)/, '$1<![CDATA[(stored sealed)]]>$2');
}

/** The `outcome` label of the callbacks metric for a failed intake. */
export function outcomeOf(err: unknown): string {
  if (err instanceof UnknownSuiteError) return 'unknown_suite';
  if (err instanceof UnknownProviderError) return 'unknown_provider';
  if (err instanceof BadSignatureError) return 'bad_signature';
  if (err instanceof IntakeUnavailableError) return 'unavailable';
  return 'rejected';
}

/** SHA-256 of the text's UTF-8, hex. The one-shot `hash` skips a Hash object per call (0.8 µs against 1.2 µs for 900 bytes). */
export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}
