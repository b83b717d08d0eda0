import { setTimeout as sleep } from 'node:timers/promises';
import {
  toWecomError,
  WecomError,
  WecomHttpError,
  WecomNetworkError,
  WecomOutcomeUnknownError,
  WecomResponseError,
  WecomTimeoutError,
} from './errors.js';
import { ForwardedAnswer, ForwardRequest, forwardToWecom } from './forwarder.js';
import { isJsonObject, JsonReader } from './json-reader.js';
import {
  mapAdminList,
  mapCorpAuthInfo,
  mapLoginInfo,
  mapPermanentCode,
  mapPermanentCodeV2,
  mapUserDetail3rd,
  mapUserInfo3rd,
} from './response-mappers.js';
import type {
  AppAdmin,
  CorpAccessToken,
  CorpAuthInfo,
  JsapiTicket,
  JsonObject,
  LoginInfo,
  PermanentCode,
  PermanentCodeV2,
  PreAuthCode,
  ProviderAccessToken,
  SessionInfo,
  SuiteAccessToken,
  UserDetail3rd,
  UserInfo3rd,
} from './types.js';

/** One HTTP attempt against WeCom, for metrics. `path` has no query string. */
export interface WecomCallInfo {
  path: string;
  durationMs: number;
  outcome: 'ok' | 'error';
  /** The non-zero errcode, when WeCom answered with one. */
  errcode?: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
}

export interface WecomServiceApiOptions {
  /** https://qyapi.weixin.qq.com in production; the simulator's URL in development and tests. */
  baseUrl: string;
  /** Per attempt, covering the response body too. Default 5000. */
  timeoutMs?: number;
  /** Retries after the first attempt, only for errcode -1, HTTP 5xx, timeouts and network errors. Default 3. */
  maxRetries?: number;
  /** First backoff step; doubles on every retry, with jitter. Default 200. */
  retryBaseDelayMs?: number;
  /** Called after every HTTP attempt (retries included). Exceptions it throws are ignored. */
  onCall?: (info: WecomCallInfo) => void;
  /** The fetch implementation of the typed calls; the global fetch by default (`forward` uses undici's `request`). */
  fetch?: typeof fetch;
  /**
   * Per attempt for calls that spend a one-time code (`getPermanentCode`, `getPermanentCodeV2`, `getLoginInfo`,
   * `getUserInfo3rd`). Long, because such a call is never retried once it may have reached WeCom. Default 30000.
   */
  oneTimeCodeTimeoutMs?: number;
  /**
   * Awaited before every HTTP attempt: the shared limiter of WeCom calls (WeCom limits calls per IP, so every
   * process and every app must draw on one budget). Its errors propagate. None by default.
   */
  limiter?: WecomCallLimiter;
}

/** Admits one WeCom call; resolves when it may be sent (it may wait), rejects when it must not be. */
export interface WecomCallLimiter {
  acquire(path: string): Promise<void>;
}

/** A successful answer of a one-time-code exchange, before anything is mapped: errcode 0, secrets included. */
export type AnswerKeeper = (answer: JsonObject) => Promise<void>;

/** What the caller of an auth_code exchange is told while it happens, so it can record it durably. */
export interface ExchangeHooks {
  /**
   * Awaited once the shared limiter has admitted the call, just before the request leaves: from here on the code
   * may be spent. An error it throws propagates and nothing is sent.
   */
  beforeSend?: () => Promise<void>;
  /** Gets the whole successful answer (permanent_code included) before anything is mapped. */
  keepAnswer?: AnswerKeeper;
}

type Query = Record<string, string>;

interface CallOptions {
  /** The call spends a one-time code: long timeout, no retry once it may have reached WeCom. */
  oneTimeCode?: boolean;
  /** Awaited before every attempt, after the limiter (ExchangeHooks.beforeSend). */
  beforeSend?: () => Promise<void>;
}

/** Network failures that happen before a request can have reached WeCom: safe to send again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Backoff before retry number `retry` (0-based): base·2^retry, capped at 10 s, with "equal jitter" (a random
 * point in the upper half) so that many workers retrying the same outage do not hit WeCom in lockstep.
 */
export function retryDelayMs(retry: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(baseMs * 2 ** retry, MAX_RETRY_DELAY_MS);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Typed client for WeCom's third-party service API: the only code that talks to WeCom. Framework-free and
 * stateless (no token caching: that is the token broker's job); point `baseUrl` at WeCom or at the simulator.
 *
 * Every method throws a `WecomError`: a `WecomApiError` subclass for a non-zero errcode (see `toWecomError`),
 * `WecomHttpError`, `WecomTimeoutError`, `WecomNetworkError` or `WecomResponseError`.
 */
export class WecomServiceApi {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #onCall: ((info: WecomCallInfo) => void) | undefined;
  readonly #fetch: typeof fetch;
  readonly #oneTimeCodeTimeoutMs: number;
  readonly #limiter: WecomCallLimiter | undefined;

  constructor(options: WecomServiceApiOptions) {
    if (!URL.canParse(options.baseUrl)) throw new TypeError('WeCom baseUrl is not a URL');
    const { protocol } = new URL(options.baseUrl);
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new TypeError(`WeCom baseUrl must be http or https, got ${protocol}`);
    }
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = positiveInteger(options.timeoutMs ?? 5000, 'timeoutMs');
    this.#maxRetries = nonNegativeInteger(options.maxRetries ?? 3, 'maxRetries');
    this.#retryBaseDelayMs = nonNegativeInteger(options.retryBaseDelayMs ?? 200, 'retryBaseDelayMs');
    this.#onCall = options.onCall;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#oneTimeCodeTimeoutMs = positiveInteger(options.oneTimeCodeTimeoutMs ?? Math.max(30_000, this.#timeoutMs), 'oneTimeCodeTimeoutMs');
    this.#limiter = options.limiter;
  }

  /** POST /cgi-bin/service/get_suite_token */
  async getSuiteToken(input: { suiteId: string; suiteSecret: string; suiteTicket: string }): Promise<SuiteAccessToken> {
    const r = await this.#post('/cgi-bin/service/get_suite_token', {}, {
      suite_id: input.suiteId,
      suite_secret: input.suiteSecret,
      suite_ticket: input.suiteTicket,
    });
    return { suiteAccessToken: r.string('suite_access_token'), expiresIn: r.number('expires_in') };
  }

  /** GET /cgi-bin/service/get_pre_auth_code */
  async getPreAuthCode(suiteAccessToken: string): Promise<PreAuthCode> {
    const r = await this.#get('/cgi-bin/service/get_pre_auth_code', { suite_access_token: suiteAccessToken });
    return { preAuthCode: r.string('pre_auth_code'), expiresIn: r.number('expires_in') };
  }

  /** POST /cgi-bin/service/set_session_info */
  async setSessionInfo(suiteAccessToken: string, preAuthCode: string, sessionInfo: SessionInfo): Promise<void> {
    const session: JsonObject = { auth_type: sessionInfo.authType };
    if (sessionInfo.appIds) session['appid'] = sessionInfo.appIds;
    await this.#post(
      '/cgi-bin/service/set_session_info',
      { suite_access_token: suiteAccessToken },
      { pre_auth_code: preAuthCode, session_info: session },
    );
  }

  /**
   * POST /cgi-bin/service/get_permanent_code (v1: also auth info and the corp's first access token).
   * Spends the auth_code: never retried once it may have reached WeCom (`WecomOutcomeUnknownError`). `hooks` let a
   * caller record that the code is about to leave (after any wait at the limiter) and seal the whole successful
   * answer away before anything can fail.
   */
  async getPermanentCode(suiteAccessToken: string, authCode: string, hooks: ExchangeHooks = {}): Promise<PermanentCode> {
    const r = await this.#call('POST', '/cgi-bin/service/get_permanent_code', { suite_access_token: suiteAccessToken }, JSON.stringify({ auth_code: authCode }), {
      oneTimeCode: true,
      beforeSend: hooks.beforeSend,
    });
    if (hooks.keepAnswer) await hooks.keepAnswer(r.json);
    return mapPermanentCode(r);
  }

  /** POST /cgi-bin/service/v2/get_permanent_code (faster; follow with getAuthInfo and getCorpToken). As v1 for retries. */
  async getPermanentCodeV2(suiteAccessToken: string, authCode: string, hooks: ExchangeHooks = {}): Promise<PermanentCodeV2> {
    const r = await this.#call('POST', '/cgi-bin/service/v2/get_permanent_code', { suite_access_token: suiteAccessToken }, JSON.stringify({ auth_code: authCode }), {
      oneTimeCode: true,
      beforeSend: hooks.beforeSend,
    });
    if (hooks.keepAnswer) await hooks.keepAnswer(r.json);
    return mapPermanentCodeV2(r);
  }

  /** Maps a kept answer of `getPermanentCode` / `getPermanentCodeV2` (a retry that must not call WeCom again). */
  static mapKeptPermanentCode(answer: JsonObject): PermanentCode {
    return mapPermanentCode(new JsonReader(answer, '/cgi-bin/service/get_permanent_code'));
  }

  /** POST /cgi-bin/service/get_auth_info */
  async getAuthInfo(suiteAccessToken: string, authCorpId: string, permanentCode: string): Promise<CorpAuthInfo> {
    const r = await this.#post(
      '/cgi-bin/service/get_auth_info',
      { suite_access_token: suiteAccessToken },
      { auth_corpid: authCorpId, permanent_code: permanentCode },
    );
    return mapCorpAuthInfo(r);
  }

  /** POST /cgi-bin/service/get_corp_token */
  async getCorpToken(suiteAccessToken: string, authCorpId: string, permanentCode: string): Promise<CorpAccessToken> {
    const r = await this.#post(
      '/cgi-bin/service/get_corp_token',
      { suite_access_token: suiteAccessToken },
      { auth_corpid: authCorpId, permanent_code: permanentCode },
    );
    return { accessToken: r.string('access_token'), expiresIn: r.number('expires_in') };
  }

  /**
   * GET /cgi-bin/gettoken: the corp token of a customized (代开发) app, whose permanent_code is the app secret;
   * get_corp_token answers 40084 for those.
   */
  async getCustomizedAppToken(authCorpId: string, permanentCode: string): Promise<CorpAccessToken> {
    const r = await this.#get('/cgi-bin/gettoken', { corpid: authCorpId, corpsecret: permanentCode });
    return { accessToken: r.string('access_token'), expiresIn: r.number('expires_in') };
  }

  /** POST /cgi-bin/service/get_admin_list */
  async getAdminList(suiteAccessToken: string, authCorpId: string, agentId: number): Promise<AppAdmin[]> {
    const r = await this.#post(
      '/cgi-bin/service/get_admin_list',
      { suite_access_token: suiteAccessToken },
      { auth_corpid: authCorpId, agentid: agentId },
    );
    return mapAdminList(r);
  }

  /** POST /cgi-bin/service/get_provider_token */
  async getProviderToken(providerCorpId: string, providerSecret: string): Promise<ProviderAccessToken> {
    const r = await this.#post('/cgi-bin/service/get_provider_token', {}, {
      corpid: providerCorpId,
      provider_secret: providerSecret,
    });
    return { providerAccessToken: r.string('provider_access_token'), expiresIn: r.number('expires_in') };
  }

  /** POST /cgi-bin/service/get_login_info (provider token; web login of a corp admin or member). */
  async getLoginInfo(providerAccessToken: string, authCode: string): Promise<LoginInfo> {
    const r = await this.#call('POST', '/cgi-bin/service/get_login_info', { access_token: providerAccessToken }, JSON.stringify({ auth_code: authCode }), {
      oneTimeCode: true,
    });
    return mapLoginInfo(r);
  }

  /**
   * POST /cgi-bin/service/get_customized_auth_url?provider_access_token= (代开发 带参授权链接): a link (QR code URL) a
   * corp admin opens to authorize the given templates; `state` (≤ 32 bytes, [a-zA-Z0-9]) comes back in create_auth and
   * get_permanent_code. `expiresIn` in seconds.
   */
  async getCustomizedAuthUrl(providerAccessToken: string, templateIds: readonly string[], state: string): Promise<{ url: string; expiresIn: number }> {
    const r = await this.#post('/cgi-bin/service/get_customized_auth_url', { provider_access_token: providerAccessToken }, { state, templateid_list: [...templateIds] });
    return { url: r.string('qrcode_url'), expiresIn: r.number('expires_in') };
  }

  /**
   * GET /cgi-bin/auth/getuserinfo?access_token=&code= (a corp's own OAuth: 代开发 apps, whose members' codes
   * getuserinfo3rd refuses). Spends the code: never retried once it may have reached WeCom.
   */
  async getCorpUserInfo(corpAccessToken: string, code: string): Promise<{ userId?: string; openId?: string; userTicket?: string; raw: JsonObject }> {
    const r = await this.#call('GET', '/cgi-bin/auth/getuserinfo', { access_token: corpAccessToken, code }, undefined, { oneTimeCode: true });
    const t = r.tolerant();
    const out: { userId?: string; openId?: string; userTicket?: string; raw: JsonObject } = { raw: t.json };
    const userId = t.optionalString('userid') ?? t.optionalString('UserId');
    if (userId) out.userId = userId;
    const openId = t.optionalString('openid') ?? t.optionalString('OpenId');
    if (openId) out.openId = openId;
    const ticket = t.optionalString('user_ticket');
    if (ticket) out.userTicket = ticket;
    return out;
  }

  /** GET /cgi-bin/service/auth/getuserinfo3rd (third-party OAuth code → user). */
  async getUserInfo3rd(suiteAccessToken: string, code: string): Promise<UserInfo3rd> {
    const r = await this.#call('GET', '/cgi-bin/service/auth/getuserinfo3rd', { suite_access_token: suiteAccessToken, code }, undefined, { oneTimeCode: true });
    return mapUserInfo3rd(r);
  }

  /** POST /cgi-bin/service/auth/getuserdetail3rd */
  async getUserDetail3rd(suiteAccessToken: string, userTicket: string): Promise<UserDetail3rd> {
    const r = await this.#post(
      '/cgi-bin/service/auth/getuserdetail3rd',
      { suite_access_token: suiteAccessToken },
      { user_ticket: userTicket },
    );
    return mapUserDetail3rd(r);
  }

  /** GET /cgi-bin/get_jsapi_ticket (corp ticket for `wx.config`). */
  async getJsapiTicket(corpAccessToken: string): Promise<JsapiTicket> {
    const r = await this.#get('/cgi-bin/get_jsapi_ticket', { access_token: corpAccessToken });
    return { ticket: r.string('ticket'), expiresIn: r.number('expires_in') };
  }

  /** GET /cgi-bin/ticket/get?type=agent_config (app ticket for `wx.agentConfig`). */
  async getAgentTicket(corpAccessToken: string): Promise<JsapiTicket> {
    const r = await this.#get('/cgi-bin/ticket/get', { access_token: corpAccessToken, type: 'agent_config' });
    return { ticket: r.string('ticket'), expiresIn: r.number('expires_in') };
  }

  /**
   * Any WeCom API on behalf of a vendor's service (the platform's gateway): the token injected under `tokenParam`,
   * the body sent as given, WeCom's answer handed back as it came (`ForwardedAnswer`: JSON answers read whole, media
   * downloads streamed). Waits for the shared call budget before every attempt; retries only errcode -1, with backoff,
   * until `deadline`. Throws `WecomTimeoutError` / `WecomNetworkError` (never retried: the call may have reached WeCom).
   * It does not judge errcodes: token errcodes and rate limits are the gateway's to act on.
   */
  forward(request: ForwardRequest): Promise<ForwardedAnswer> {
    return forwardToWecom(
      {
        baseUrl: this.#baseUrl,
        acquire: this.#limiter ? (path) => this.#limiter!.acquire(path) : undefined,
        retryDelayMs: (retry) => retryDelayMs(retry, this.#retryBaseDelayMs),
        report: (info) => this.#report(info),
        transportError: (path, err, timeoutMs) => this.#transportError(path, err, timeoutMs),
      },
      request,
    );
  }

  /**
   * POST a JSON body to any WeCom API path with this client's retries, timeouts, limiter and metrics: the seam for
   * the typed clients of other API areas in this package (`WecomLicenseApi`). Throws as every method does.
   */
  postJson(path: string, query: Query, body: JsonObject): Promise<JsonReader> {
    return this.#post(path, query, body);
  }

  #get(path: string, query: Query): Promise<JsonReader> {
    return this.#call('GET', path, query, undefined);
  }

  #post(path: string, query: Query, body: JsonObject): Promise<JsonReader> {
    return this.#call('POST', path, query, JSON.stringify(body));
  }

  async #call(method: 'GET' | 'POST', path: string, query: Query, body: string | undefined, options: CallOptions = {}): Promise<JsonReader> {
    const search = new URLSearchParams(query).toString();
    const url = search ? `${this.#baseUrl}${path}?${search}` : `${this.#baseUrl}${path}`;
    const timeoutMs = options.oneTimeCode ? this.#oneTimeCodeTimeoutMs : this.#timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.#limiter) await this.#limiter.acquire(path);
        if (options.beforeSend) await options.beforeSend();
        return new JsonReader(await this.#attempt(method, url, path, body, attempt, timeoutMs), path);
      } catch (err) {
        if (options.oneTimeCode && mayHaveReachedWecom(err)) throw new WecomOutcomeUnknownError(path, err as WecomError);
        const retryable = err instanceof WecomError && err.retryable;
        if (!retryable || attempt > this.#maxRetries) throw err;
        await sleep(retryDelayMs(attempt - 1, this.#retryBaseDelayMs));
      }
    }
  }

  async #attempt(method: 'GET' | 'POST', url: string, path: string, body: string | undefined, attempt: number, timeoutMs: number): Promise<JsonObject> {
    const started = performance.now();
    let errcode: number | undefined;
    let outcome: WecomCallInfo['outcome'] = 'error';
    try {
      const json = await this.#exchange(method, url, path, body, timeoutMs);
      const code = json['errcode'];
      if (code !== undefined && code !== null && code !== 0) {
        if (typeof code !== 'number') throw new WecomResponseError(path, 'errcode is not a number');
        errcode = code;
        const errmsg = json['errmsg'];
        throw toWecomError(path, code, typeof errmsg === 'string' ? errmsg : '');
      }
      outcome = 'ok';
      return json;
    } finally {
      this.#report({ path, durationMs: performance.now() - started, outcome, attempt, ...(errcode !== undefined && { errcode }) });
    }
  }

  /** One request and its JSON body; maps transport failures. The URL (with tokens) never reaches an error. */
  async #exchange(method: 'GET' | 'POST', url: string, path: string, body: string | undefined, timeoutMs: number): Promise<JsonObject> {
    let text: string;
    try {
      const response = await this.#fetch(url, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new WecomHttpError(path, response.status);
      }
      text = await response.text();
    } catch (err) {
      if (err instanceof WecomError) throw err;
      throw this.#transportError(path, err, timeoutMs);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new WecomResponseError(path, 'body is not JSON');
    }
    if (!isJsonObject(json)) throw new WecomResponseError(path, 'body is not a JSON object');
    return json;
  }

  #transportError(path: string, err: unknown, timeoutMs: number): WecomError {
    // By name, not instanceof: the abort error is a DOMException, which may come from another realm (tests run in a vm);
    // `forward`'s undici request times out with its own codes instead.
    if ((err as { name?: unknown } | null)?.name === 'TimeoutError') return new WecomTimeoutError(path, timeoutMs);
    if (UNDICI_TIMEOUT_CODES.has(systemErrorCode(err) ?? '')) return new WecomTimeoutError(path, timeoutMs);
    return new WecomNetworkError(path, systemErrorCode(err));
  }

  #report(info: WecomCallInfo): void {
    if (!this.#onCall) return;
    try {
      this.#onCall(info);
    } catch {
      // Metrics must never turn a WeCom answer into a failure.
    }
  }
}

/**
 * Whether a failed attempt may have been processed by WeCom: a timeout, an HTTP 5xx, a connection lost after
 * sending. WeCom's own errcode answers (-1 included: "busy", nothing done) and failures to connect were not.
 */
function mayHaveReachedWecom(err: unknown): boolean {
  if (err instanceof WecomTimeoutError) return true;
  if (err instanceof WecomHttpError) return err.status >= 500;
  if (err instanceof WecomNetworkError) return !NOT_SENT_CODES.has(err.networkCode ?? '');
  return false;
}

/** undici's `request` waited longer than its headersTimeout / bodyTimeout. */
const UNDICI_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The `code` (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET, …) of a fetch failure or its cause, if any. */
function systemErrorCode(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current instanceof Error && depth < 3; depth++) {
    const code: unknown = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}
