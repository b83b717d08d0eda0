import { Injectable } from '@nestjs/common';
import { AuthCorpRepository, CorpRecord, SuiteRepository } from '@app/store';
import { Token, TokenBroker, TokenKey } from '@app/tokens';
import { AuthAppError, toAuthAppError, suiteNotFound } from '../auth-errors.js';
import { AuthMetrics } from '../auth-metrics.js';

/** Tokens for the vendor's services, always with at least 5 minutes left (the broker's serve margin). */
@Injectable()
export class TokenApiService {
  constructor(
    private readonly broker: TokenBroker,
    private readonly corps: AuthCorpRepository,
    private readonly suites: SuiteRepository,
    private readonly metrics: AuthMetrics,
  ) {}

  async get(key: TokenKey): Promise<Token> {
    try {
      const token = await this.broker.get(key);
      this.metrics.tokenRequests.inc({ kind: key.kind, outcome: 'served' });
      return token;
    } catch (err) {
      // The broker's error says cancelled or suspended itself (TokenUnavailableError.reason).
      this.metrics.tokenRequests.inc({ kind: key.kind, outcome: toAuthAppError(err)?.code ?? 'error' });
      throw err;
    }
  }

  /**
   * A service saw WeCom refuse a token: forget it (only while current, when the caller says which). A corp or suite the
   * platform does not know is 404 (`corp_not_found`, `suite_not_found`), not a reassuring `invalidated: true`; a
   * cancelled or suspended corp's token may still be dropped.
   */
  async invalidate(key: TokenKey, rejected?: string): Promise<boolean> {
    if (key.kind === 'suite' && !(await this.suites.find(key.suiteId))) throw suiteNotFound(key.suiteId);
    if (key.kind === 'corp' && !(await this.corps.find(key.suiteId, key.corpId))) throw await this.broker.missingCorp(key.suiteId, key.corpId);
    if (rejected === undefined) {
      await this.broker.invalidate(key);
      return true;
    }
    return this.broker.invalidateIfCurrent(key, rejected);
  }

  /** An active corp of the suite, or the 404 that says why not (suite_not_found, corp_not_found, corp_cancelled, corp_suspended). */
  async activeCorp(suiteId: string, corpId: string): Promise<CorpRecord> {
    const corp = await this.corps.find(suiteId, corpId);
    if (!corp) throw await this.broker.missingCorp(suiteId, corpId);
    if (corp.status !== 'active') throw inactive(corp);
    return corp;
  }
}

function inactive(corp: CorpRecord): AuthAppError {
  return corp.status === 'cancelled'
    ? new AuthAppError('corp_cancelled', `corp ${corp.corpId} cancelled its authorization of suite ${corp.suiteId}`)
    : new AuthAppError('corp_suspended', `corp ${corp.corpId} is suspended for suite ${corp.suiteId}: WeCom rejected its permanent code`);
}
