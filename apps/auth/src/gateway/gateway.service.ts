import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Readable } from 'node:stream';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { AuthCorpRepository, CorpRecord } from '@app/store';
import { providerTokenKey, TokenBroker, TokenKey, TokenUnavailableError } from '@app/tokens';
import { ForwardedAnswer, TokenParam, WecomServiceApi, WecomTimeoutError } from '@app/wecom';
import { AuthMetrics } from '../auth-metrics.js';
import { GatewayLimits } from './gateway-limits.js';
import { GatewayRefusal } from './gateway-refusal.js';
import { LocalTokens } from './local-tokens.js';
import { checkMediaUpload, MEDIA_ID_LIFETIME_MS, MEDIA_UPLOAD_PATHS } from './media-check.js';

/**
 * One vendor call to a WeCom API, as the gateway received it: of a corp (`suiteId` + `corpId`, the corp's access_token)
 * or, with `providerCorpId`, of the provider (provider_access_token; `suiteId`/`corpId` are then empty).
 */
export interface GatewayCall {
  suiteId: string;
  corpId: string;
  providerCorpId?: string;
  method: 'GET' | 'POST';
  /** WeCom's path, `/cgi-bin/...` */
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body?: Buffer;
}

/** What the gateway answers: WeCom's status and body as they came, plus headers about the token and quotas. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | Readable | null;
}

/** Errcodes that mean "this access_token is bad": drop it, fetch a new one (single-flight), send once more. */
const TOKEN_ERRCODES = new Set([40014, 42001, 40001, 41001]);
/** WeCom's frequency (45009) and concurrency (45033) limits. */
const RATE_ERRCODES = new Set([45009, 45033]);
const MESSAGE_SEND = '/cgi-bin/message/send';
/** WeCom paths as documented: lower-case words under /cgi-bin/. */
const WECOM_PATH = /^\/cgi-bin(\/[a-z0-9_]+){1,4}$/;
/**
 * Paths the gateway never forwards: they mint or reveal credentials (tokens, codes, tickets), which the platform
 * alone holds; the token API serves the tokens a vendor may see.
 */
const FORBIDDEN = /^\/cgi-bin\/(gettoken|get_jsapi_ticket|ticket\/get|service\/)/;
/** Provider-token APIs: WeCom's service and license APIs, never the ones that mint tokens or spend auth codes of installs. */
const PROVIDER_ALLOWED = /^\/cgi-bin\/(service|license)\//;
const PROVIDER_FORBIDDEN = /^\/cgi-bin\/service\/(get_provider_token|get_suite_token|get_corp_token|(v2\/)?get_permanent_code|get_pre_auth_code|set_session_info)$/;
/** The few provider APIs that take the provider token as `access_token` (获取登录用户信息); the rest as provider_access_token. */
const PROVIDER_ACCESS_TOKEN_PATHS = new Set(['/cgi-bin/service/get_login_info']);
const JSON_BODY_LIMIT = 2 * 1024 * 1024;
const AGENT_CACHE_MS = 60_000;

/**
 * The WeCom API gateway: forwards a vendor's call with the corp's access_token injected (the caller never sees it),
 * after WeCom's limits are checked in Redis (`GatewayLimits`); on a token errcode the token is invalidated (only while
 * current), refreshed once through the broker (single-flight across replicas) and the call sent once more; errcode
 * -1 is retried with backoff within GATEWAY_DEADLINE_MS (`WecomServiceApi.forward`); 45009/45033 turn into 429 with
 * Retry-After and slow the corp down. Throws `GatewayRefusal`, `TokenUnavailableError` and `WecomError`
 * (timeouts, network) for the controller and the app's error filter.
 */
@Injectable()
export class GatewayService {
  private readonly logger = new Logger(GatewayService.name);
  private readonly corpCache = new LRUCache<string, CorpRecord>({ max: 10_000, ttl: AGENT_CACHE_MS });

  constructor(
    private readonly api: WecomServiceApi,
    private readonly tokens: LocalTokens,
    private readonly broker: TokenBroker,
    private readonly limits: GatewayLimits,
    private readonly corps: AuthCorpRepository,
    private readonly metrics: AuthMetrics,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async call(call: GatewayCall): Promise<GatewayAnswer> {
    const started = performance.now();
    let errcode = 'none';
    try {
      const answer = call.providerCorpId ? await this.forwardProvider(call, call.providerCorpId) : await this.forward(call);
      errcode = answer.headers['x-wecom-errcode'] ?? '0';
      return answer;
    } catch (err) {
      errcode = err instanceof GatewayRefusal ? err.code : err instanceof TokenUnavailableError ? err.reason : 'transport';
      throw err;
    } finally {
      const labels = { path: WECOM_PATH.test(call.path) ? call.path : 'invalid', errcode, corp_class: call.providerCorpId ? 'provider' : corpClass(this.corpCache.get(corpKey(call))) };
      this.metrics.gatewayCalls.inc(labels);
      this.metrics.gatewayDuration.observe({ path: labels.path }, (performance.now() - started) / 1000);
    }
  }

  private async forward(call: GatewayCall): Promise<GatewayAnswer> {
    if (!WECOM_PATH.test(call.path) || FORBIDDEN.test(call.path)) {
      throw new GatewayRefusal('invalid_wecom_path', `${call.path.slice(0, 100)} is not a WeCom API the gateway forwards with a corp token`);
    }
    const corp = await this.corp(call.suiteId, call.corpId);
    const headers: Record<string, string> = { 'x-wecom-token-kind': 'corp' };
    if (MEDIA_UPLOAD_PATHS.has(call.path)) {
      await checkMediaUpload(call.query.get('type'), call.contentType ?? '', call.body ?? Buffer.alloc(0));
    } else if (call.body && call.body.length > JSON_BODY_LIMIT) {
      throw new GatewayRefusal('invalid_body', `bodies other than uploads are at most ${JSON_BODY_LIMIT} bytes`);
    }
    const message = call.path === MESSAGE_SEND ? recipients(call.body, corpUserMax(corp, this.config)) : null;
    const admitted = await this.limits.consumeCall(call.corpId, call.path);
    headers['x-quota-corp-api-remaining-minute'] = String(admitted.corpApiMinute);
    headers['x-quota-corp-api-remaining-hour'] = String(admitted.corpApiHour);
    let refund: (() => Promise<number>) | undefined;
    if (message) {
      let counted: Awaited<ReturnType<GatewayLimits['consumeMessage']>>;
      try {
        counted = await this.limits.consumeMessage(call.suiteId, call.corpId, message.members, message.personTimes, dailyMessageLimit(corp, this.config));
      } catch (err) {
        await admitted.giveBack();
        throw err;
      }
      headers['x-quota-messages-remaining-today'] = String(counted.remainingToday);
      refund = counted.refund;
    }
    let answer: ForwardedAnswer;
    try {
      answer = await this.withToken(call, { kind: 'corp', suiteId: call.suiteId, corpId: call.corpId }, 'access_token', call.corpId, headers);
    } catch (err) {
      // No token, or WeCom never got it (network): no message went out. A timeout may have delivered it.
      if (refund && !(err instanceof WecomTimeoutError)) await this.giveBack(refund, headers);
      throw err;
    }
    if (refund && answer.errcode !== 0) await this.giveBack(refund, headers);
    if (MEDIA_UPLOAD_PATHS.has(call.path) && answer.errcode === 0 && answer.json) {
      const created = Number(answer.json['created_at']);
      if (Number.isFinite(created)) headers['x-wecom-media-expires-at'] = new Date(created * 1000 + MEDIA_ID_LIFETIME_MS).toISOString();
    }
    if (answer.contentType) headers['content-type'] = answer.contentType;
    if (answer.contentDisposition) headers['content-disposition'] = answer.contentDisposition;
    return { status: answer.status, headers, body: answer.text ?? answer.stream };
  }

  /** A provider-token API (`/api/v1/providers/:providerCorpId/wecom/...`): limits per provider, then the call. */
  private async forwardProvider(call: GatewayCall, providerCorpId: string): Promise<GatewayAnswer> {
    if (!WECOM_PATH.test(call.path) || !PROVIDER_ALLOWED.test(call.path) || PROVIDER_FORBIDDEN.test(call.path)) {
      throw new GatewayRefusal('invalid_wecom_path', `${call.path.slice(0, 100)} is not a WeCom provider API the gateway forwards`);
    }
    if (call.body && call.body.length > JSON_BODY_LIMIT) throw new GatewayRefusal('invalid_body', `bodies are at most ${JSON_BODY_LIMIT} bytes`);
    checkDeclaredJson(call);
    const hold = `provider:${providerCorpId}`;
    const remaining = await this.limits.consumeProviderCall(providerCorpId);
    const headers: Record<string, string> = {
      'x-wecom-token-kind': 'provider',
      'x-quota-provider-remaining-minute': String(remaining.corpApiMinute),
      'x-quota-provider-remaining-hour': String(remaining.corpApiHour),
    };
    const tokenParam = PROVIDER_ACCESS_TOKEN_PATHS.has(call.path) ? 'access_token' : 'provider_access_token';
    const answer = await this.withToken(call, providerTokenKey(providerCorpId), tokenParam, hold, headers);
    if (answer.contentType) headers['content-type'] = answer.contentType;
    return { status: answer.status, headers, body: answer.text ?? answer.stream };
  }

  /**
   * Sends the call with the token of `key`; on a token errcode drops that token (only while it is still the current
   * one: another replica may already have replaced it), fetches again (one fetch for all) and sends once more. A
   * 45009/45033 holds `holdKey`'s calls and becomes a `GatewayRefusal`.
   */
  private async withToken(call: GatewayCall, key: TokenKey, tokenParam: TokenParam, holdKey: string, headers: Record<string, string>): Promise<ForwardedAnswer> {
    const deadline = Date.now() + this.config.GATEWAY_DEADLINE_MS;
    const first = await this.tokens.get(key);
    let answer = await this.send(call, tokenParam, first.value, deadline);
    if (TOKEN_ERRCODES.has(answer.errcode)) {
      await this.tokens.invalidateIfCurrent(key, first.value);
      const second = await this.tokens.get(key);
      answer = await this.send(call, tokenParam, second.value, deadline);
      headers['x-wecom-token-refreshed'] = 'true';
    }
    headers['x-wecom-errcode'] = String(answer.errcode);
    if (RATE_ERRCODES.has(answer.errcode)) {
      const seconds = await this.limits.slowDown(holdKey);
      this.logger.warn({ msg: 'WeCom rate-limited calls; holding them', suiteId: call.suiteId, corpId: call.corpId, providerCorpId: call.providerCorpId, path: call.path, errcode: answer.errcode });
      throw new GatewayRefusal('corp_slowed_down', `WeCom answered errcode ${answer.errcode}; calls for ${holdKey} are held for ${seconds} s`, seconds);
    }
    return answer;
  }

  /** A message WeCom did not take costs nothing of the member and day quotas (the header shows the day's budget again). */
  private async giveBack(refund: () => Promise<number>, headers: Record<string, string>): Promise<void> {
    headers['x-quota-messages-remaining-today'] = String(await refund());
  }

  private send(call: GatewayCall, tokenParam: TokenParam, token: string, deadline: number): Promise<ForwardedAnswer> {
    return this.api.forward({
      method: call.method,
      path: call.path,
      query: call.query,
      tokenParam,
      token,
      contentType: call.contentType,
      body: call.body,
      deadline,
      timeoutMs: Math.max(1000, deadline - Date.now()),
    });
  }

  /** The corp, active (else the token broker's own errors); cached a minute per replica. */
  private async corp(suiteId: string, corpId: string): Promise<CorpRecord> {
    const cacheKey = `${suiteId}\u0000${corpId}`;
    const cached = this.corpCache.get(cacheKey);
    if (cached) return cached;
    const corp = await this.corps.find(suiteId, corpId);
    if (!corp) throw await this.broker.missingCorp(suiteId, corpId);
    if (corp.status === 'cancelled') throw new TokenUnavailableError('corp_cancelled', `corp ${corpId} cancelled its authorization of suite ${suiteId}`);
    if (corp.status !== 'active') throw new TokenUnavailableError('corp_suspended', `corp ${corpId} is suspended for suite ${suiteId}`);
    this.corpCache.set(cacheKey, corp);
    return corp;
  }
}

function corpKey(call: GatewayCall): string {
  return `${call.suiteId}\u0000${call.corpId}`;
}

/** corp_user_max from the corp's auth info (WeCom's account limit), else the configured default. */
export function corpUserMax(corp: CorpRecord, config: Pick<AuthConfig, 'GATEWAY_DEFAULT_CORP_USER_MAX'>): number {
  const info = corp.authCorpInfo as { corpUserMax?: unknown } | null;
  const max = info?.corpUserMax;
  return typeof max === 'number' && max > 0 ? max : config.GATEWAY_DEFAULT_CORP_USER_MAX;
}

/** The app's person-times per day: corp_user_max × GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY (WeCom: × 200). */
export function dailyMessageLimit(corp: CorpRecord, config: Pick<AuthConfig, 'GATEWAY_DEFAULT_CORP_USER_MAX' | 'GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY'>): number {
  return corpUserMax(corp, config) * config.GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY;
}

/** For metrics: the corp's size class by its account limit (a bounded label, unlike corp ids). */
function corpClass(corp: CorpRecord | undefined): string {
  if (!corp) return 'unknown';
  const info = corp.authCorpInfo as { corpUserMax?: unknown } | null;
  const max = typeof info?.corpUserMax === 'number' ? info.corpUserMax : 0;
  return max >= 10_000 ? 'large' : max >= 1000 ? 'medium' : max > 0 ? 'small' : 'unknown';
}

/**
 * Refuses (400 `invalid_body`) a body declared `application/json` that does not parse: WeCom would only answer
 * 47001 (数据格式错误) after a provider call was spent on it. An empty body passes (WeCom's GET-like POSTs).
 */
export function checkDeclaredJson(call: Pick<GatewayCall, 'contentType' | 'body'>): void {
  if (!call.body || call.body.length === 0 || !/^application\/json\b/i.test(call.contentType ?? '')) return;
  try {
    JSON.parse(call.body.toString('utf8'));
  } catch {
    throw new GatewayRefusal('invalid_body', 'the body is declared application/json but is not valid JSON');
  }
}

/**
 * Whom an app message goes to: the members of `touser` (split on `|`), each counted in the per-member windows, and the
 * person-times it costs of the day's budget. `@all` costs every account (corp_user_max) and no member window (the
 * members are not known here); toparty/totag alone cost one person-time (their size is not known either).
 */
export function recipients(body: Buffer | undefined, accounts: number): { members: string[]; personTimes: number } {
  let parsed: unknown;
  try {
    parsed = body && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    throw new GatewayRefusal('invalid_body', 'message/send takes a JSON body');
  }
  const touser = typeof parsed === 'object' && parsed !== null ? (parsed as { touser?: unknown }).touser : undefined;
  if (touser === '@all') return { members: [], personTimes: accounts };
  const members = typeof touser === 'string' ? [...new Set(touser.split('|').filter(Boolean))] : [];
  return { members, personTimes: Math.max(1, members.length) };
}
