import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request as undiciRequest } from 'undici';
import { isJsonObject } from './json-reader.js';
import type { JsonObject } from './types.js';

/** Which query parameter carries the token for a WeCom path. */
export type TokenParam = 'access_token' | 'suite_access_token' | 'provider_access_token';

/** One vendor request to pass on to WeCom, the token still to be injected. */
export interface ForwardRequest {
  method: 'GET' | 'POST';
  /** `/cgi-bin/...`, no query string */
  path: string;
  /** The caller's query without any token parameter (a token sent by the caller is dropped). */
  query: URLSearchParams;
  tokenParam: TokenParam;
  token: string;
  contentType?: string;
  body?: Buffer;
  /** Epoch ms: errcode -1 (busy) is retried with backoff only while the next attempt can start before this. */
  deadline: number;
  /**
   * Per attempt, ms, never past `deadline`: the longest wait for WeCom's answer to start, and then for each further
   * piece of its body.
   */
  timeoutMs: number;
}

/**
 * WeCom's answer. A JSON answer is read whole (its errcode decides what happens next); a download streams — any
 * body that is not JSON or text, and any attachment whatever its type (a .json or .txt file from media/get).
 */
export interface ForwardedAnswer {
  status: number;
  contentType: string | null;
  contentDisposition: string | null;
  json: JsonObject | null;
  /** the bytes of a JSON (or text) answer, exactly as WeCom sent them */
  text: Buffer | null;
  /** a download (media/get), not yet read */
  stream: Readable | null;
  /** 0 when WeCom sent none; -2 when the answer was not JSON */
  errcode: number;
  attempts: number;
}

/**
 * What a forwarder needs from its client: the hooks of `WecomServiceApi`. The transport is undici's `request` on its
 * global keep-alive dispatcher, not `fetch`: under the gateway bench fetch's WHATWG Request/Response/streams and its
 * `AbortSignal.timeout` were 12.9 % of the auth app's CPU, the whole call to WeCom 7.1 % after (gateway profile,
 * docs/performance-profiles.md).
 */
export interface ForwarderDeps {
  baseUrl: string;
  acquire?: (path: string) => Promise<void>;
  retryDelayMs: (retry: number) => number;
  report: (info: { path: string; durationMs: number; outcome: 'ok' | 'error'; attempt: number; errcode?: number }) => void;
  transportError: (path: string, err: unknown, timeoutMs: number) => Error;
}

const NOT_JSON = -2;
const BUSY = -1;

function isTextual(contentType: string | null): boolean {
  return contentType === null || /json|text\//i.test(contentType);
}

/**
 * WeCom sends a file (获取临时素材, document 90254) with `Content-disposition: attachment; filename=…` and its errors
 * as bare JSON: the disposition, not the type, tells a text or JSON file from an answer whose errcode counts.
 */
function isAttachment(contentDisposition: string | null): boolean {
  return contentDisposition !== null && /^\s*attachment\b/i.test(contentDisposition);
}

/**
 * Sends a request to WeCom with the token injected and hands back the answer as it came. Only errcode -1 is retried
 * (WeCom did nothing); a transport failure is thrown (`WecomTimeoutError`, `WecomNetworkError`) and never retried here,
 * since the request (a message, an upload) may have reached WeCom.
 */
export async function forwardToWecom(deps: ForwarderDeps, request: ForwardRequest): Promise<ForwardedAnswer> {
  const query = new URLSearchParams(request.query);
  query.delete('access_token');
  query.delete('suite_access_token');
  query.delete('provider_access_token');
  query.set(request.tokenParam, request.token);
  const url = `${deps.baseUrl}${request.path}?${query.toString()}`;
  for (let attempt = 1; ; attempt++) {
    if (deps.acquire) await deps.acquire(request.path);
    const answer = await attemptOnce(deps, request, url, attempt);
    const wait = deps.retryDelayMs(attempt - 1);
    if (answer.errcode !== BUSY || Date.now() + wait >= request.deadline) return answer;
    await sleep(wait);
  }
}

async function attemptOnce(deps: ForwarderDeps, request: ForwardRequest, url: string, attempt: number): Promise<ForwardedAnswer> {
  const started = performance.now();
  // A retry gets what is left of the deadline, not a whole attempt's time: the deadline bounds the call (a tester's
  // -1 after 8 s followed by a 9 s answer took 17 s against a 10 s deadline).
  const timeoutMs = Math.max(1, Math.min(request.timeoutMs, request.deadline - Date.now()));
  let response: Awaited<ReturnType<typeof undiciRequest>>;
  try {
    response = await undiciRequest(url, {
      method: request.method,
      headers: request.contentType ? { 'content-type': request.contentType } : {},
      body: request.method === 'GET' ? undefined : request.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (err) {
    deps.report({ path: request.path, durationMs: performance.now() - started, outcome: 'error', attempt });
    throw deps.transportError(request.path, err, timeoutMs);
  }
  const contentType = header(response.headers['content-type']);
  const ok = response.statusCode >= 200 && response.statusCode < 300;
  const contentDisposition = header(response.headers['content-disposition']);
  const base = { status: response.statusCode, contentType, contentDisposition, attempts: attempt };
  if (ok && (isAttachment(contentDisposition) || !isTextual(contentType))) {
    deps.report({ path: request.path, durationMs: performance.now() - started, outcome: 'ok', attempt });
    return { ...base, json: null, text: null, stream: response.body, errcode: 0 };
  }
  let text: Buffer;
  try {
    text = Buffer.from(await response.body.arrayBuffer());
  } catch (err) {
    deps.report({ path: request.path, durationMs: performance.now() - started, outcome: 'error', attempt });
    throw deps.transportError(request.path, err, timeoutMs);
  }
  let json: JsonObject | null = null;
  try {
    const parsed: unknown = JSON.parse(text.toString('utf8'));
    if (isJsonObject(parsed)) json = parsed;
  } catch {
    json = null;
  }
  const code = json?.['errcode'];
  const errcode = json === null ? NOT_JSON : typeof code === 'number' ? code : 0;
  deps.report({ path: request.path, durationMs: performance.now() - started, outcome: ok && errcode === 0 ? 'ok' : 'error', attempt, ...(errcode > 0 || errcode === BUSY ? { errcode } : {}) });
  return { ...base, json, text, stream: null, errcode };
}

/** One value of a response header (undici gives repeated headers as an array). */
function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
