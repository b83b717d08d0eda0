import { Injectable, Logger } from '@nestjs/common';
import type { StoredJson } from '@app/store';
import { AuthCodeClaimRepository, AuthCorpRepository, CorpRecord, StoredTokenRepository } from '@app/store';
import { PermanentCode, WecomApiError, WecomError, WecomOutcomeUnknownError, WecomResponseError, WecomServiceApi } from '@app/wecom';
import { RefreshSchedule, TokenBroker } from '@app/tokens';

/** Another caller holds this auth_code's claim and has not finished: try again shortly. */
export class AuthCodeInProgressError extends Error {
  override readonly name = 'AuthCodeInProgressError';
}

/**
 * This auth_code cannot be exchanged, for good: it was sent to WeCom and no answer came back (WeCom may have spent
 * it), or an earlier attempt already recorded that. Sending it again could only earn 40078; the install needs a
 * person (the admin reinstalls, or support reads the recorded failure). Never retried.
 */
export class AuthCodeUnusableError extends Error {
  override readonly name = 'AuthCodeUnusableError';
}

export interface ExchangeResult {
  corp: CorpRecord;
  /** false when the other path (browser redirect or create_auth) had already exchanged this code */
  exchanged: boolean;
}

/** What the event that carried the code says besides the code. */
export interface ExchangeContext {
  /** create_auth `State` (the answer's own `state` wins when present). */
  state?: string;
  /** WeCom `TimeStamp` (s) of create_auth; the browser redirect has none and uses its own arrival time. */
  timeStamp?: number;
}

const POLL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A corp's authorization lifecycle: exchange an auth_code for the permanent code exactly once (whichever of
 * the browser redirect and the create_auth callback arrives first), refresh auth info, reset, cancel — applied in
 * WeCom's order (`TimeStamp`), so a delayed or replayed cancel or change never undoes a newer (re)install.
 */
@Injectable()
export class CorpAuthorizationService {
  private readonly logger = new Logger(CorpAuthorizationService.name);

  constructor(
    private readonly broker: TokenBroker,
    private readonly api: WecomServiceApi,
    private readonly claims: AuthCodeClaimRepository,
    private readonly corps: AuthCorpRepository,
    private readonly storedTokens: StoredTokenRepository,
    private readonly schedule: RefreshSchedule,
  ) {}

  /**
   * Exchanges a single-use auth_code (create_auth, reset_permanent_code or the install redirect) and stores the
   * tenant. Concurrent callers with the same code get the same corp; only one calls WeCom, and only once ever:
   * the claim records that the code was sent and keeps WeCom's answer (sealed) before anything else can fail, so a
   * caller that dies is succeeded by one that completes from the kept answer. Once WeCom has handed out a permanent
   * code, a tenant exists. `waitMs` bounds how long a second caller waits for the first (AuthCodeInProgressError).
   * Throws AuthCodeUnusableError when the code may have been spent without an answer (recorded and alerted).
   *
   * Uses service/v2/get_permanent_code (document 100776: faster; it answers the permanent code, the corp's id and
   * name, the admin and `state` only), then get_auth_info for the agents, privileges, edition and dealer. The tenant
   * is stored from the v2 answer first: a failing get_auth_info leaves an active tenant whose details the next
   * change_auth (or a replay) fills in.
   */
  async exchangeAuthCode(suiteId: string, authCode: string, context: ExchangeContext = {}, waitMs = 10_000): Promise<ExchangeResult> {
    const claim = await this.claims.claim(suiteId, authCode);
    if (claim.state === 'failed') throw new AuthCodeUnusableError(`this auth_code was given up earlier: ${claim.failure}`);
    if (claim.state !== 'claimed') return { corp: await this.awaitOtherExchange(suiteId, authCode, waitMs), exchanged: false };
    // Taken over from a holder that sent the code and died before keeping WeCom's answer. Decided before the `try`:
    // its clean-up hands back claims that were never sent, and this one must stay failed so that no retry or
    // replay sends the code again.
    if (claim.keptAnswer === undefined && claim.sent) {
      throw await this.giveUp(suiteId, authCode, 'a previous attempt sent this auth_code and stopped before WeCom answered');
    }
    let answerKept = claim.keptAnswer !== undefined;
    let sent = false;
    let exchangeSentAt = Date.now();
    try {
      let result: PermanentCode;
      if (claim.keptAnswer !== undefined) {
        result = WecomServiceApi.mapKeptPermanentCode(JSON.parse(claim.keptAnswer));
      } else {
        exchangeSentAt = Date.now();
        result = await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) =>
          this.api.getPermanentCodeV2(suiteToken, authCode, {
            // Recorded as late as possible (after any wait for WeCom's call budget): a holder killed before this
            // point leaves a code that the next holder may still send.
            beforeSend: async () => {
              await this.claims.markSent(suiteId, authCode);
              sent = true;
            },
            keepAnswer: async (answer) => {
              await this.claims.keepAnswer(suiteId, authCode, JSON.stringify(answer));
              answerKept = true;
            },
          }),
        );
      }
      let corp = await this.saveAuthorization(suiteId, authCode, result, context, exchangeSentAt);
      if (!result.authInfo) corp = await this.completeAuthInfo(suiteId, corp, result.permanentCode);
      this.logger.log({ msg: 'corp authorized', suiteId, corpId: corp.corpId });
      return { corp, exchanged: true };
    } catch (err) {
      if (err instanceof WecomOutcomeUnknownError) throw await this.giveUp(suiteId, authCode, err.message);
      if (answerKept) await this.claims.releaseKeepingAnswer(suiteId, authCode).catch(() => undefined);
      // Not sent, or WeCom answered with an errcode (nothing exchanged): the code may be tried again. Sent and then
      // anything else (the answer could not be kept): left claimed; whoever takes it over records the failure.
      else if (!sent || err instanceof WecomApiError || (err instanceof WecomError && !isSpentBy(err))) {
        await this.claims.release(suiteId, authCode).catch(() => undefined);
      }
      throw err;
    }
  }

  /**
   * After a v2 exchange: get_auth_info for what v2 no longer answers (agents with privileges, edition, dealer). The
   * tenant already exists; a failure here is logged, not thrown (the install succeeded; change_auth refreshes it).
   */
  private async completeAuthInfo(suiteId: string, corp: CorpRecord, permanentCode: string): Promise<CorpRecord> {
    try {
      const info = await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) => this.api.getAuthInfo(suiteToken, corp.corpId, permanentCode));
      await this.corps.updateAuthInfo(suiteId, corp.corpId, {
        corpName: info.authCorpInfo.corpName,
        // get_permanent_code v2 answers only corpid and corp_name: the full name comes from here.
        corpFullName: info.authCorpInfo.corpFullName,
        agentId: info.authInfo.agents[0]?.agentId ?? null,
        authCorpInfo: json(info.raw.auth_corp_info),
        authInfo: json(info.raw.auth_info),
        editionInfo: json(info.raw.edition_info),
        dealerCorpInfo: json(info.raw.dealer_corp_info),
      });
      return (await this.corps.find(suiteId, corp.corpId)) ?? corp;
    } catch (err) {
      this.logger.warn({ msg: 'get_auth_info after the exchange failed; the tenant is active, its details come with the next change_auth', suiteId, corpId: corp.corpId, error: err instanceof Error ? err.message : String(err) });
      return corp;
    }
  }

  /** change_auth / change_editon: fetch the corp's current agents, privileges and edition, unless a newer event won. */
  async refreshAuthInfo(suiteId: string, corpId: string, event: { timeStamp?: number; state?: string } = {}): Promise<boolean> {
    const permanentCode = await this.corps.getPermanentCode(suiteId, corpId);
    if (!permanentCode) return false;
    if (event.timeStamp !== undefined && (await this.isOlderThanTenant(suiteId, corpId, event.timeStamp))) return false;
    const info = await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) =>
      this.api.getAuthInfo(suiteToken, corpId, permanentCode),
    );
    return this.corps.updateAuthInfo(
      suiteId,
      corpId,
      {
        corpName: info.authCorpInfo.corpName,
        corpFullName: info.authCorpInfo.corpFullName,
        agentId: info.authInfo.agents[0]?.agentId ?? null,
        authCorpInfo: json(info.raw.auth_corp_info),
        authInfo: json(info.raw.auth_info),
        editionInfo: json(info.raw.edition_info),
        dealerCorpInfo: json(info.raw.dealer_corp_info),
        installState: event.state,
      },
      event.timeStamp,
    );
  }

  /**
   * cancel_auth: delete what WeCom asks to be deleted (permanent code, kept exchange answers, the admin's and the
   * corp's details, every token) and keep ids, dates and status. Idempotent; a cancel whose `timeStamp` is older than
   * the tenant's latest (re)install changes nothing.
   */
  async cancel(suiteId: string, corpId: string, timeStamp?: number): Promise<boolean> {
    const changed = await this.corps.markCancelled(suiteId, corpId, timeStamp);
    if (!changed) {
      if (timeStamp !== undefined && (await this.isOlderThanTenant(suiteId, corpId, timeStamp))) {
        this.logger.log({ msg: 'cancel_auth older than the latest install ignored', suiteId, corpId });
      }
      return false;
    }
    await this.broker.forgetCorp(suiteId, corpId);
    await this.claims.wipeAnswers(suiteId, corpId);
    this.logger.log({ msg: 'corp cancelled', suiteId, corpId });
    return true;
  }

  private async isOlderThanTenant(suiteId: string, corpId: string, timeStamp: number): Promise<boolean> {
    const latest = await this.corps.lifecycleAt(suiteId, corpId);
    return latest !== null && timeStamp < latest;
  }

  /** Records why the code cannot be exchanged and alerts: a person has to look. */
  private async giveUp(suiteId: string, authCode: string, reason: string): Promise<AuthCodeUnusableError> {
    await this.claims.markFailed(suiteId, authCode, reason).catch(() => undefined);
    this.logger.error({ msg: 'ALERT: install may be lost: an auth_code was spent without an answer; not retried', suiteId, reason });
    return new AuthCodeUnusableError(reason);
  }

  private async awaitOtherExchange(suiteId: string, authCode: string, waitMs: number): Promise<CorpRecord> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claim = await this.claims.read(suiteId, authCode);
      if (claim.state === 'finished') {
        const corp = await this.corps.find(suiteId, claim.corpId);
        if (corp) return corp;
      }
      if (claim.state === 'failed') throw new AuthCodeUnusableError(`this auth_code was given up: ${claim.failure}`);
      if (Date.now() >= deadline) throw new AuthCodeInProgressError('this auth_code is being exchanged by another request');
      await sleep(POLL_MS);
    }
  }

  private async saveAuthorization(suiteId: string, authCode: string, result: PermanentCode, context: ExchangeContext, sentAt: number): Promise<CorpRecord> {
    const corpId = result.authCorpInfo.corpId;
    const corp = await this.corps.saveAuthorization(
      suiteId,
      {
        corpId,
        permanentCode: result.permanentCode,
        corpName: result.authCorpInfo.corpName,
        corpFullName: result.authCorpInfo.corpFullName ?? null,
        agentId: result.authInfo?.agents[0]?.agentId ?? null,
        authCorpInfo: json(result.raw.auth_corp_info),
        authInfo: json(result.raw.auth_info),
        authUserInfo: json(result.raw.auth_user_info),
        editionInfo: json(result.raw.edition_info),
        dealerCorpInfo: result.dealerCorpInfo ? json(result.raw.dealer_corp_info) : null,
        registerCodeInfo: json(result.raw.register_code_info),
        installState: result.state || context.state || null,
        lifecycleAt: context.timeStamp,
      },
      { authCode },
    );
    // A new permanent code makes tokens fetched with the old one suspect: start this corp's tokens afresh.
    await this.broker.forgetCorp(suiteId, corpId);
    if (result.accessToken && result.expiresIn && sentAt + result.expiresIn * 1000 > Date.now() + 60_000) {
      // v1 hands over the corp's first access token: keep it rather than asking again at once. Its lifetime counts
      // from when the exchange was sent (never later than WeCom's); a kept answer read long after is too old for it.
      const expiresAt = new Date(sentAt + result.expiresIn * 1000);
      await this.storedTokens.save({ kind: 'corp', suiteId, corpId }, { value: result.accessToken, expiresAt });
      await this.schedule.schedule({ kind: 'corp', suiteId, corpId }, expiresAt);
    } else {
      await this.schedule.scheduleNow({ kind: 'corp', suiteId, corpId });
    }
    return corp;
  }
}

function json(value: unknown): StoredJson | undefined {
  return value === undefined || value === null ? undefined : (value as StoredJson);
}

/** A WeCom error after which the code may be spent: only an answer we could not read (WeCom did answer 200). */
function isSpentBy(err: WecomError): boolean {
  return err instanceof WecomResponseError;
}
