import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  AuthCorpRepository,
  NewPlatformEvent,
  ProviderRepository,
  Publication,
  SecretCipher,
  StoredTokenRepository,
  SuiteRepository,
  SuiteTicketRepository,
} from '@app/store';
import { InvalidCredentialError, PermanentCodeInvalidError, TokenInvalidError, WecomApiError, WecomServiceApi } from '@app/wecom';
import { RefreshLock } from './refresh-lock.js';
import { RefreshSchedule } from './refresh-schedule.js';
import { TokenCache } from './token-cache.js';
import { EXPIRES_IN_GRANULARITY_MS, isCorpLevel, Token, TokenKey, tokenKeyId, TokenUnavailableError } from './token-key.js';

/**
 * A token with less than this left is "not fresh" for reports (admin API); unless `serveMarginMs` says otherwise.
 * It is still served: WeCom hands out the same token until it expires, so asking again cannot renew it.
 */
export const SERVE_MARGIN_MS = 5 * 60 * 1000;
/**
 * A token closer than this to its expiry is not handed out: a call made with it would likely reach WeCom after
 * it expired. The broker waits for the expiry and fetches the next one instead.
 */
export const FINAL_MS = 3000;

/** A suite_ticket older than this is expired at WeCom; asking with it only earns an error. */
export const SUITE_TICKET_MAX_AGE_MS = 30 * 60 * 1000;

/** get_corp_token's 40082: a dead suite token, or a corp that has not authorized the suite. */
const SUITE_TOKEN_OR_CORP_ERRCODE = 40082;

/** gettoken's "invalid credential": for a 代开发 corp, the app secret (permanent code) was refused. */
const INVALID_SECRET_ERRCODE = 40001;

/** get_corp_token answered 40082 while the suite token is fine: the corp has not authorized this suite. */
export class CorpNotAuthorizedError extends WecomApiError {}

const LOCK_TTL_MS = 15_000;
const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 20_000;

export type RefreshOutcome = 'ok' | 'error' | 'skipped';

/** A corp this broker has just moved from active to suspended (WeCom rejected its permanent code). */
export interface CorpSuspension {
  suiteId: string;
  corpId: string;
  /** WeCom's errcode (40084 permanent code invalid, 40082 not authorized; 40001 for a 代开发 corp whose app secret get_auth_info also refused) */
  errcode: number;
  reason: string;
  /** when the status changed */
  at: Date;
}

/** A suspension as its listeners hear of it: with the platform event committed together with the status, if any. */
export interface CorpSuspended extends CorpSuspension {
  /** the event and the webhook deliveries created with it (null when no event is recorded: `recordSuspensionsAs`) */
  publication: Publication | null;
}

export interface TokenBrokerDeps {
  redis: Redis;
  redisPrefix: string;
  api: WecomServiceApi;
  cipher: SecretCipher;
  suites: SuiteRepository;
  providers: ProviderRepository;
  tickets: SuiteTicketRepository;
  corps: AuthCorpRepository;
  storedTokens: StoredTokenRepository;
  schedule: RefreshSchedule;
  /**
   * `get` never returns a token with less than this left (default SERVE_MARGIN_MS). Configurable so tests on
   * the simulator's fast clock can scale it with the token lifetimes.
   */
  serveMarginMs?: number;
  /** called once per WeCom token fetch, for metrics */
  onFetch?: (kind: TokenKey['kind'], outcome: RefreshOutcome) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Every token the platform hands out or uses comes from here: Redis cache, then the last good token in
 * PostgreSQL, then WeCom — with one fetch per token across all processes (Redis lock) and within one
 * process (shared promise). A token errcode on a dependency drops it and retries once.
 *
 * WeCom hands out the same token for its whole validity (获取服务商凭证, 获取企业凭证), so asking before expiry
 * is wasted: a token is used until FINAL_MS before it expires, and fetched again only then (or after WeCom revoked
 * it early: a token errcode). A fetch that returns the token already held keeps the expiry first seen for it,
 * whatever `expires_in` says, so no expiry is ever recorded later than the real one. One fetch per token per
 * lifetime; `expires_at` is always the true expiry.
 */
export class TokenBroker {
  private readonly logger = new Logger(TokenBroker.name);
  private readonly cache: TokenCache;
  private readonly lock: RefreshLock;
  private readonly inFlight = new Map<string, Promise<Token>>();
  private readonly suspensionListeners: ((suspension: CorpSuspended) => Promise<void>)[] = [];
  private suspensionEvent: ((suspension: CorpSuspension) => NewPlatformEvent) | null = null;
  /** Reports only (`isFresh`): see SERVE_MARGIN_MS. */
  readonly serveMarginMs: number;
  /** FINAL_MS, scaled down with a serve margin shortened for a fast test clock. */
  private readonly finalMs: number;

  constructor(private readonly deps: TokenBrokerDeps) {
    this.serveMarginMs = deps.serveMarginMs ?? SERVE_MARGIN_MS;
    this.finalMs = Math.min(FINAL_MS, this.serveMarginMs / 3);
    this.cache = new TokenCache(deps.redis, deps.redisPrefix, deps.cipher);
    this.lock = new RefreshLock(deps.redis, deps.redisPrefix, LOCK_TTL_MS);
  }

  /**
   * The platform event to store with every suspension, in the same transaction as the status (libs/events builds
   * `tenant.suspended`): the status never changes without its event, so the event cannot be lost between the two.
   */
  recordSuspensionsAs(build: (suspension: CorpSuspension) => NewPlatformEvent): void {
    this.suspensionEvent = build;
  }

  /**
   * Called once per transition active → suspended, by the one process whose conditional update made it (the
   * store's `markSuspended` answers for one caller only), after the status and its event are committed. A listener's
   * error is logged, not thrown: the suspension stands, and what it was to do must be recoverable without it (the
   * event publisher queues the deliveries here; the webhook sweeper queues them if this fails).
   */
  onCorpSuspended(listener: (suspension: CorpSuspended) => Promise<void>): void {
    this.suspensionListeners.push(listener);
  }

  /**
   * The current token (more than FINAL_MS left), fetching one only when neither cache nor store has it. Its
   * `expiresAt` is the true expiry, which may be less than the serve margin away: WeCom has no other before it.
   */
  async get(key: TokenKey): Promise<Token> {
    const cached = await this.readCache(key);
    if (isFresh(cached, this.finalMs)) return cached!;
    const stored = await this.deps.storedTokens.find(key);
    if (isFresh(stored, this.finalMs)) {
      await this.writeCache(key, stored!);
      return stored!;
    }
    // At its very end a token cannot be replaced yet: wait out its last seconds (and the second WeCom's expiry may
    // lie after the recorded one) rather than hand it out or ask WeCom for the same token again.
    const current = cached ?? stored;
    if (current) await sleep(Math.max(0, current.expiresAt.getTime() + EXPIRES_IN_GRANULARITY_MS - Date.now()));
    const fetched = await this.refresh(key);
    if (isFresh(fetched, this.finalMs)) return fetched;
    await sleep(Math.max(0, fetched.expiresAt.getTime() + EXPIRES_IN_GRANULARITY_MS - Date.now()));
    return this.refresh(key);
  }

  /**
   * Fetches from WeCom unless the current token still has `minRemainingMs` left (another process just renewed
   * it); single-flight in and across processes.
   */
  refresh(key: TokenKey, minRemainingMs = this.finalMs): Promise<Token> {
    const id = tokenKeyId(key);
    const running = this.inFlight.get(id);
    if (running) return running;
    const flight = this.refreshUnderLock(key, minRemainingMs).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, flight);
    return flight;
  }

  /** Forgets a token WeCom has rejected, so the next `get` fetches a new one. */
  async invalidate(key: TokenKey): Promise<void> {
    // The stored copy first: a process told of the cache delete (tokenChangeChannel) must not read it back from there.
    try {
      await this.deps.storedTokens.delete(key);
    } finally {
      await this.cache.delete(key).catch(() => undefined);
    }
  }

  /**
   * Forgets a token a caller saw WeCom reject, but only while it is still the current one: many services may
   * report the same dead token, and a late report must not throw away the replacement another one already got.
   * Returns whether anything was dropped.
   */
  async invalidateIfCurrent(key: TokenKey, rejectedValue: string): Promise<boolean> {
    const [cached, stored] = await Promise.all([this.readCache(key), this.deps.storedTokens.find(key)]);
    if (cached?.value !== rejectedValue && stored?.value !== rejectedValue) return false;
    await this.invalidate(key);
    return true;
  }

  /**
   * The token held now — the Redis copy, else the stored one (it outlives the cached copy, so a token that went
   * stale is still seen) — without asking WeCom; null when there is none.
   */
  async current(key: TokenKey): Promise<Token | null> {
    return (await this.readCache(key)) ?? (await this.deps.storedTokens.find(key));
  }

  /** Drops every cached token of a corp and its schedule (cancelled or suspended corp). */
  async forgetCorp(suiteId: string, corpId: string): Promise<void> {
    const keys: TokenKey[] = (['corp', 'jsapi', 'agent'] as const).map((kind) => ({ kind, suiteId, corpId }));
    await Promise.all(keys.map((k) => this.cache.delete(k).catch(() => undefined)));
    await this.deps.storedTokens.deleteForCorp(suiteId, corpId);
    await this.deps.schedule.remove(keys);
  }

  private async refreshUnderLock(key: TokenKey, minRemainingMs: number): Promise<Token> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (Date.now() < deadline) {
      const release = await this.lock.tryAcquire(tokenKeyId(key)).catch(() => noLock);
      if (release) {
        try {
          const again = await this.readCache(key);
          if (isFresh(again, minRemainingMs)) return again!;
          return await this.fetchAndStore(key);
        } finally {
          await release().catch(() => undefined);
        }
      }
      await sleep(WAIT_STEP_MS);
      const waited = await this.readCache(key);
      if (isFresh(waited, minRemainingMs)) return waited!;
    }
    throw new TokenUnavailableError('busy', `timed out waiting for another process to refresh the ${key.kind} token`);
  }

  private async fetchAndStore(key: TokenKey): Promise<Token> {
    let token: Token;
    try {
      token = await this.fetch(key);
    } catch (err) {
      this.deps.onFetch?.(key.kind, 'error');
      throw err;
    }
    this.deps.onFetch?.(key.kind, 'ok');
    const previous = (await this.readCache(key)) ?? (await this.deps.storedTokens.find(key).catch(() => null));
    if (previous && previous.value === token.value && previous.expiresAt < token.expiresAt) {
      // The same token again: its expiry did not move, whatever expires_in said (WeCom may answer 7200 each time).
      token = { value: token.value, expiresAt: previous.expiresAt };
    }
    await this.deps.storedTokens.save(key, token);
    await this.writeCache(key, token);
    await this.deps.schedule.schedule(key, token.expiresAt).catch((err: unknown) => {
      this.logger.warn({ msg: 'could not schedule token refresh', kind: key.kind, suiteId: key.suiteId, corpId: key.corpId, error: String(err) });
    });
    return token;
  }

  private async fetch(key: TokenKey): Promise<Token> {
    switch (key.kind) {
      case 'suite':
        return this.fetchSuiteToken(key.suiteId);
      case 'provider':
        return this.fetchProviderToken(key.suiteId);
      case 'corp':
        return this.fetchCorpToken(key.suiteId, requireCorp(key));
      case 'jsapi':
      case 'agent':
        return this.withCorpToken(key.suiteId, requireCorp(key), async (accessToken) => {
          const sentAt = Date.now();
          const t = key.kind === 'jsapi' ? await this.deps.api.getJsapiTicket(accessToken) : await this.deps.api.getAgentTicket(accessToken);
          return toToken(t.ticket, t.expiresIn, sentAt);
        });
    }
  }

  private async fetchSuiteToken(suiteId: string): Promise<Token> {
    const creds = await this.deps.suites.findCredentials(suiteId);
    if (!creds) throw new TokenUnavailableError('suite_not_found', `suite ${suiteId} is not registered`);
    const ticket = await this.deps.tickets.find(suiteId);
    if (!ticket || Date.now() - ticket.receivedAt.getTime() > SUITE_TICKET_MAX_AGE_MS) {
      throw new TokenUnavailableError('no_suite_ticket', `suite ${suiteId} has no suite_ticket younger than 30 minutes`);
    }
    const sentAt = Date.now();
    const t = await this.deps.api.getSuiteToken({ suiteId, suiteSecret: creds.secret, suiteTicket: ticket.ticket });
    return toToken(t.suiteAccessToken, t.expiresIn, sentAt);
  }

  /** get_provider_token with the provider's own secret (获取服务商凭证); `providerCorpId` is the key's owner id. */
  private async fetchProviderToken(providerCorpId: string): Promise<Token> {
    const creds = await this.deps.providers.findCredentials(providerCorpId);
    if (!creds) throw new TokenUnavailableError('provider_not_found', `provider ${providerCorpId} is not registered`);
    if (!creds.secret) {
      throw new TokenUnavailableError('no_provider_credentials', `provider ${providerCorpId} has no provider_secret registered`);
    }
    const sentAt = Date.now();
    const t = await this.deps.api.getProviderToken(providerCorpId, creds.secret);
    return toToken(t.providerAccessToken, t.expiresIn, sentAt);
  }

  /**
   * Why a corp has no tenant row: `suite_not_found` when the suite itself is not registered (a caller that names a
   * wrong suite learns that, not that some corp "has not authorized" it), else `corp_not_found`. The suite is looked up
   * here only, on the not-found path: a served token costs no extra read.
   */
  async missingCorp(suiteId: string, corpId: string): Promise<TokenUnavailableError> {
    if (!(await this.deps.suites.find(suiteId))) return new TokenUnavailableError('suite_not_found', `suite ${suiteId} is not registered`);
    return new TokenUnavailableError('corp_not_found', `corp ${corpId} has not authorized suite ${suiteId}`);
  }

  private async fetchCorpToken(suiteId: string, corpId: string): Promise<Token> {
    const corp = await this.deps.corps.findPermanentCode(suiteId, corpId);
    if (!corp) throw await this.missingCorp(suiteId, corpId);
    const permanentCode = corp.permanentCode;
    if (!permanentCode) {
      if (corp.status === 'cancelled') throw new TokenUnavailableError('corp_cancelled', `corp ${corpId} cancelled its authorization of suite ${suiteId}`);
      throw new TokenUnavailableError('corp_suspended', `corp ${corpId} is suspended for suite ${suiteId}: WeCom rejected its permanent code`);
    }
    const suite = await this.deps.suites.findCredentials(suiteId);
    if (suite?.customizedApp) return this.fetchCustomizedCorpToken(suiteId, corpId, permanentCode);
    try {
      return await this.withCorpTokenCall(suiteId, async (suiteToken) => {
        const sentAt = Date.now();
        const t = await this.deps.api.getCorpToken(suiteToken, corpId, permanentCode);
        return toToken(t.accessToken, t.expiresIn, sentAt);
      });
    } catch (err) {
      if (err instanceof PermanentCodeInvalidError || err instanceof CorpNotAuthorizedError) {
        const reason = err instanceof CorpNotAuthorizedError ? 'the corp has not authorized this suite' : 'permanent code rejected by WeCom';
        return this.suspend(suiteId, corpId, permanentCode, err, reason);
      }
      throw err;
    }
  }

  /**
   * WeCom refused the corp's `permanentCode`: its tokens and schedule are dropped and it is suspended (tenant.suspended
   * once per transition). Unless a reset_permanent_code exchange replaced that code while the refused call was in
   * flight: then nothing is dropped, the token is due again now (with the new code) and the caller gets a retryable
   * `wecom_error`. Always throws TokenUnavailableError.
   */
  private async suspend(suiteId: string, corpId: string, permanentCode: string, err: WecomApiError, reason: string): Promise<never> {
    const replaced = (): Promise<never> => {
      this.logger.warn({ msg: 'WeCom refused a permanent code that a reset has replaced since: not suspended', suiteId, corpId, errcode: err.errcode });
      throw new TokenUnavailableError('wecom_error', `corp ${corpId}'s permanent code was replaced while WeCom refused the old one; retry`, err);
    };
    if (!(await this.deps.corps.holdsPermanentCode(suiteId, corpId, permanentCode))) return replaced();
    // Tokens and schedule first, the status last: whoever sees `suspended` also sees nothing left to refresh.
    await this.forgetCorp(suiteId, corpId);
    const suspension: CorpSuspension = { suiteId, corpId, errcode: err.errcode, reason, at: new Date() };
    let changed: { publication: Publication | null } | null;
    try {
      changed = await this.deps.corps.markSuspended(suiteId, corpId, `errcode ${err.errcode}: ${reason}`, permanentCode, this.suspensionEvent?.(suspension));
    } catch (writeErr) {
      // Neither the status nor its event was written: the corp stays active and due now, so the next refresh is
      // refused again and suspends it then, event included.
      this.logger.error({ msg: 'could not store a corp suspension; the corp is due again now', suiteId, corpId, errcode: err.errcode, error: String(writeErr) });
      await this.deps.schedule.scheduleNow({ kind: 'corp', suiteId, corpId }).catch(() => undefined);
      throw new TokenUnavailableError('wecom_error', `corp ${corpId}: WeCom refused its permanent code, and the suspension could not be stored; retry`, err);
    }
    if (!changed && (await this.deps.corps.getPermanentCode(suiteId, corpId)) !== null) {
      // Replaced between the check and the update: the new code's tokens were dropped with the old; due again now.
      await this.deps.schedule.scheduleNow({ kind: 'corp', suiteId, corpId });
      return replaced();
    }
    this.logger.warn({ msg: `corp suspended: ${reason}`, suiteId, corpId, errcode: err.errcode });
    if (changed) await this.notifySuspended({ ...suspension, publication: changed.publication });
    throw new TokenUnavailableError('corp_suspended', `corp ${corpId} is suspended for suite ${suiteId}: ${reason}`, err);
  }

  private async notifySuspended(suspension: CorpSuspended): Promise<void> {
    for (const listener of this.suspensionListeners) {
      try {
        await listener(suspension);
      } catch (err) {
        this.logger.error({ msg: 'a corp suspension listener failed', suiteId: suspension.suiteId, corpId: suspension.corpId, error: String(err) });
      }
    }
  }

  /**
   * A 代开发 template's corp token: `gettoken?corpid=&corpsecret=<permanent_code>` (代开发 获取access_token), never
   * get_corp_token (which answers 40084 for these corps). A refused secret (40001, or 40084) is not taken as "suspend"
   * on its own: the authorization is checked once with get_auth_info (template suite token + permanent code). If WeCom
   * still recognises it, the refusal was something else (a reset in flight, a glitch): the corp stays active and the
   * caller gets a retryable `wecom_error`. Only when get_auth_info refuses the code too is the corp suspended.
   */
  private async fetchCustomizedCorpToken(suiteId: string, corpId: string, permanentCode: string): Promise<Token> {
    try {
      const sentAt = Date.now();
      const t = await this.deps.api.getCustomizedAppToken(corpId, permanentCode);
      return toToken(t.accessToken, t.expiresIn, sentAt);
    } catch (err) {
      if (!(err instanceof PermanentCodeInvalidError || (err instanceof InvalidCredentialError && err.errcode === INVALID_SECRET_ERRCODE))) throw err;
      if (await this.customizedAuthorizationHolds(suiteId, corpId, permanentCode)) {
        this.logger.warn({ msg: 'gettoken refused a 代开发 corp whose authorization WeCom still recognises: not suspended', suiteId, corpId, errcode: err.errcode });
        throw new TokenUnavailableError('wecom_error', `WeCom refused the token of 代开发 corp ${corpId} (errcode ${err.errcode}) but still recognises its authorization; retry later`, err);
      }
      return this.suspend(suiteId, corpId, permanentCode, err, 'app secret (permanent code) rejected by WeCom');
    }
  }

  /** get_auth_info with the template's suite token: does WeCom still recognise this corp's permanent code? */
  private async customizedAuthorizationHolds(suiteId: string, corpId: string, permanentCode: string): Promise<boolean> {
    try {
      await this.withToken({ kind: 'suite', suiteId }, (suiteToken) => this.deps.api.getAuthInfo(suiteToken, corpId, permanentCode));
      return true;
    } catch (err) {
      if (err instanceof PermanentCodeInvalidError) return false;
      throw err;
    }
  }

  /**
   * get_corp_token with the suite token. WeCom answers 40082 ("invalid suite_token") both for a dead suite token and
   * for a corp that has not authorized this suite: rather than throw a valid suite token away every time, check it
   * once with a call that needs nothing else (get_pre_auth_code). If it works, the corp is the problem
   * (CorpNotAuthorizedError); if not, drop it, fetch a new one and retry once, as for any token errcode.
   */
  private async withCorpTokenCall<T>(suiteId: string, use: (suiteToken: string) => Promise<T>): Promise<T> {
    const key: TokenKey = { kind: 'suite', suiteId };
    const first = await this.get(key);
    try {
      return await use(first.value);
    } catch (err) {
      if (!(err instanceof TokenInvalidError)) throw err;
      if (err.errcode === SUITE_TOKEN_OR_CORP_ERRCODE && (await this.suiteTokenWorks(first.value))) {
        throw new CorpNotAuthorizedError(err.path, err.errcode, err.errmsg);
      }
      await this.invalidateIfCurrent(key, first.value);
      const second = await this.get(key);
      return use(second.value);
    }
  }

  private async suiteTokenWorks(suiteToken: string): Promise<boolean> {
    try {
      await this.deps.api.getPreAuthCode(suiteToken);
      return true;
    } catch (err) {
      if (err instanceof TokenInvalidError) return false;
      throw err;
    }
  }

  private withCorpToken<T>(suiteId: string, corpId: string, use: (accessToken: string) => Promise<T>): Promise<T> {
    return this.withToken({ kind: 'corp', suiteId, corpId }, use);
  }

  /** Uses a token; if WeCom says it is invalid or expired, drops it, fetches a new one and retries once. */
  async withToken<T>(dependency: TokenKey, use: (token: string) => Promise<T>): Promise<T> {
    const first = await this.get(dependency);
    try {
      return await use(first.value);
    } catch (err) {
      if (!(err instanceof TokenInvalidError)) throw err;
      await this.invalidateIfCurrent(dependency, first.value);
      const second = await this.get(dependency);
      return use(second.value);
    }
  }

  private async readCache(key: TokenKey): Promise<Token | null> {
    try {
      return await this.cache.get(key);
    } catch {
      return null; // Redis away: fall through to PostgreSQL
    }
  }

  private async writeCache(key: TokenKey, token: Token): Promise<void> {
    await this.cache.set(key, token).catch(() => undefined);
  }
}

const noLock = async (): Promise<void> => undefined;

function isFresh(token: Token | null, minRemainingMs: number): boolean {
  return token !== null && token.expiresAt.getTime() - Date.now() >= minRemainingMs;
}

/**
 * Counted from when the request was sent, not when the answer came: WeCom started the lifetime in between, so the
 * expiry recorded is never later than the real one.
 */
function toToken(value: string, expiresInSeconds: number, sentAt: number): Token {
  return { value, expiresAt: new Date(sentAt + expiresInSeconds * 1000) };
}

function requireCorp(key: TokenKey): string {
  if (!isCorpLevel(key.kind) || !key.corpId) throw new Error(`${key.kind} token needs a corp id`);
  return key.corpId;
}
