import { Injectable, Logger } from '@nestjs/common';
import type { StoredJson } from '@app/store';
import { AuthCodeClaimRepository, AuthCorpRepository, CorpRecord, StoredTokenRepository } from '@app/store';
import { PermanentCode, WecomServiceApi } from '@app/wecom';
import { RefreshSchedule, TokenBroker } from '@app/tokens';

/** Another caller holds this auth_code's claim and has not finished: try again shortly. */
export class AuthCodeInProgressError extends Error {
  override readonly name = 'AuthCodeInProgressError';
}

export interface ExchangeResult {
  corp: CorpRecord;
  /** false when the other path (browser redirect or create_auth) had already exchanged this code */
  exchanged: boolean;
}

const POLL_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A corp's authorization lifecycle: exchange an auth_code for the permanent code exactly once (whichever of
 * the browser redirect and the create_auth callback arrives first), refresh auth info, reset, cancel.
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
   * tenant. Concurrent callers with the same code get the same corp; only one calls WeCom. `waitMs` bounds how
   * long a second caller waits for the first to finish before AuthCodeInProgressError.
   */
  async exchangeAuthCode(suiteId: string, authCode: string, waitMs = 10_000): Promise<ExchangeResult> {
    const claim = await this.claims.claim(suiteId, authCode);
    if (claim.state !== 'claimed') return { corp: await this.awaitOtherExchange(suiteId, authCode, waitMs), exchanged: false };
    try {
      const result = await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) => this.api.getPermanentCode(suiteToken, authCode));
      const corp = await this.saveAuthorization(suiteId, result);
      await this.claims.finish(suiteId, authCode, corp.corpId);
      this.logger.log({ msg: 'corp authorized', suiteId, corpId: corp.corpId });
      return { corp, exchanged: true };
    } catch (err) {
      await this.claims.release(suiteId, authCode).catch(() => undefined);
      throw err;
    }
  }

  /** change_auth: fetch the corp's current agents, privileges and edition. */
  async refreshAuthInfo(suiteId: string, corpId: string): Promise<boolean> {
    const permanentCode = await this.corps.getPermanentCode(suiteId, corpId);
    if (!permanentCode) return false;
    const info = await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) =>
      this.api.getAuthInfo(suiteToken, corpId, permanentCode),
    );
    return this.corps.updateAuthInfo(suiteId, corpId, {
      corpName: info.authCorpInfo.corpName,
      agentId: info.authInfo.agents[0]?.agentId ?? null,
      authCorpInfo: json(info.raw.auth_corp_info),
      authInfo: json(info.raw.auth_info),
      editionInfo: json(info.raw.edition_info),
      dealerCorpInfo: json(info.raw.dealer_corp_info),
    });
  }

  /** cancel_auth: wipe the permanent code, stop refreshing, forget every token. Idempotent. */
  async cancel(suiteId: string, corpId: string): Promise<boolean> {
    const changed = await this.corps.markCancelled(suiteId, corpId);
    await this.broker.forgetCorp(suiteId, corpId);
    if (changed) this.logger.log({ msg: 'corp cancelled', suiteId, corpId });
    return changed;
  }

  private async awaitOtherExchange(suiteId: string, authCode: string, waitMs: number): Promise<CorpRecord> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claim = await this.claims.read(suiteId, authCode);
      if (claim.state === 'finished') {
        const corp = await this.corps.find(suiteId, claim.corpId);
        if (corp) return corp;
      }
      if (Date.now() >= deadline) throw new AuthCodeInProgressError('this auth_code is being exchanged by another request');
      await sleep(POLL_MS);
    }
  }

  private async saveAuthorization(suiteId: string, result: PermanentCode): Promise<CorpRecord> {
    const corpId = result.authCorpInfo.corpId;
    const corp = await this.corps.saveAuthorization(suiteId, {
      corpId,
      permanentCode: result.permanentCode,
      corpName: result.authCorpInfo.corpName,
      corpFullName: result.authCorpInfo.corpFullName ?? null,
      agentId: result.authInfo?.agents[0]?.agentId ?? null,
      authCorpInfo: json(result.raw.auth_corp_info),
      authInfo: json(result.raw.auth_info),
      authUserInfo: json(result.raw.auth_user_info),
      editionInfo: json(result.raw.edition_info),
      dealerCorpInfo: json(result.raw.dealer_corp_info),
      registerCodeInfo: json(result.raw.register_code_info),
    });
    // A new permanent code makes tokens fetched with the old one suspect: start this corp's tokens afresh.
    await this.broker.forgetCorp(suiteId, corpId);
    if (result.accessToken && result.expiresIn) {
      // v1 hands over the corp's first access token: keep it rather than asking again at once.
      const expiresAt = new Date(Date.now() + result.expiresIn * 1000);
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
