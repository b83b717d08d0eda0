/**
 * Failures of calls to WeCom. Every error carries the API `path` without its query string (tokens and secrets
 * travel in the query), and no message ever contains a token, secret, code or ticket.
 *
 * `retryable` says whether the same request may succeed if simply sent again; the client retries those itself
 * (bounded), so a caller that still sees one has exhausted the retries.
 */
export abstract class WecomError extends Error {
  abstract readonly retryable: boolean;

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * What an errcode means for the caller:
 * - `token`: the access token used was invalid or expired; drop it, fetch a new one, retry once.
 * - `rate-limit`: too many calls; back off (WeCom locks out for 60 s or 60 min).
 * - `credential`: a secret, id, ticket or one-time code was wrong or used up; retrying will not help.
 * - `permanent-code`: the corp's permanent_code is no longer valid (authorization cancelled); suspend the corp.
 * - `forbidden`: the call is not allowed (API not permitted, untrusted IP, outside the app's visible range).
 * - `busy`: WeCom system busy (-1); retry later.
 * - `other`: any other errcode.
 */
export type WecomErrorKind = 'token' | 'rate-limit' | 'credential' | 'permanent-code' | 'forbidden' | 'busy' | 'other';

/** WeCom answered with a non-zero errcode. */
export class WecomApiError extends WecomError {
  readonly kind: WecomErrorKind = 'other';
  readonly retryable: boolean = false;

  constructor(
    path: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(path, `WeCom ${path} failed with errcode ${errcode}: ${errmsg.slice(0, 300)}`);
  }
}

/** 40014, 42001, 41001, 40082, 42009: the access token (corp, suite or provider) is invalid, expired or missing. */
export class TokenInvalidError extends WecomApiError {
  override readonly kind = 'token';
}

/** 45009, 45011, 45033: frequency or concurrency limit reached. */
export class RateLimitedError extends WecomApiError {
  override readonly kind = 'rate-limit';
}

/** 40001, 40013, 40080, 40083, 40085, 40077, 42007, 40078: a secret, id, ticket or one-time code is wrong or spent. */
export class InvalidCredentialError extends WecomApiError {
  override readonly kind: WecomErrorKind = 'credential';
}

/** 40084: the permanent_code is invalid, which means the corp cancelled the authorization. */
export class PermanentCodeInvalidError extends InvalidCredentialError {
  override readonly kind = 'permanent-code';
}

/** 48002, 60020, 60011: the API is not permitted for this app, the caller IP is not trusted, or no privilege. */
export class ApiForbiddenError extends WecomApiError {
  override readonly kind = 'forbidden';
}

/** -1: WeCom is busy. */
export class SystemBusyError extends WecomApiError {
  override readonly kind = 'busy';
  override readonly retryable = true;
}

/** WeCom answered with a non-2xx HTTP status. 5xx is retryable. */
export class WecomHttpError extends WecomError {
  readonly retryable: boolean;

  constructor(
    path: string,
    readonly status: number,
  ) {
    super(path, `WeCom ${path} answered HTTP ${status}`);
    this.retryable = status >= 500;
  }
}

/** No complete answer within the timeout. */
export class WecomTimeoutError extends WecomError {
  readonly retryable = true;

  constructor(
    path: string,
    readonly timeoutMs: number,
  ) {
    super(path, `WeCom ${path} did not answer within ${timeoutMs} ms`);
  }
}

/** The request could not be sent or the connection failed (DNS, refused, reset). */
export class WecomNetworkError extends WecomError {
  readonly retryable = true;

  constructor(
    path: string,
    /** A system error code such as ECONNREFUSED, when known. */
    readonly networkCode: string | undefined,
  ) {
    super(path, `WeCom ${path} could not be reached${networkCode ? ` (${networkCode})` : ''}`);
  }
}

/**
 * A call that spends a one-time code (auth_code, OAuth or login code) may have reached WeCom, but no answer came
 * back (timeout, connection reset, HTTP 5xx). WeCom may have spent the code: sending it again would earn 40078 at
 * best. Never retried; the caller records and alerts. `cause` is the transport error.
 */
export class WecomOutcomeUnknownError extends WecomError {
  readonly retryable = false;

  constructor(
    path: string,
    override readonly cause: WecomError,
  ) {
    super(path, `WeCom ${path} may have spent the one-time code but gave no answer (${cause.message}); not retried`);
  }
}

/** WeCom answered 2xx but the body was not JSON or lacked a field the API promises. */
export class WecomResponseError extends WecomError {
  readonly retryable = false;

  constructor(path: string, reason: string) {
    super(path, `WeCom ${path} returned an unexpected response: ${reason}`);
  }
}

const TOKEN_ERRCODES = new Set([40014, 42001, 41001, 40082, 42009]);
const RATE_LIMIT_ERRCODES = new Set([45009, 45011, 45033]);
const CREDENTIAL_ERRCODES = new Set([40001, 40013, 40080, 40083, 40085, 40077, 42007, 40078]);
const FORBIDDEN_ERRCODES = new Set([48002, 60020, 60011]);
const PERMANENT_CODE_INVALID = 40084;
const SYSTEM_BUSY = -1;

/** Maps a WeCom errcode to the error class that says what to do about it. */
export function toWecomError(path: string, errcode: number, errmsg: string): WecomApiError {
  if (errcode === SYSTEM_BUSY) return new SystemBusyError(path, errcode, errmsg);
  if (errcode === PERMANENT_CODE_INVALID) return new PermanentCodeInvalidError(path, errcode, errmsg);
  if (TOKEN_ERRCODES.has(errcode)) return new TokenInvalidError(path, errcode, errmsg);
  if (RATE_LIMIT_ERRCODES.has(errcode)) return new RateLimitedError(path, errcode, errmsg);
  if (CREDENTIAL_ERRCODES.has(errcode)) return new InvalidCredentialError(path, errcode, errmsg);
  if (FORBIDDEN_ERRCODES.has(errcode)) return new ApiForbiddenError(path, errcode, errmsg);
  return new WecomApiError(path, errcode, errmsg);
}
