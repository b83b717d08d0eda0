import { SimClock } from './sim-clock.js';
import { AuthorizationRecord, CorpRecord, SimState, SuiteRecord } from './sim-state.js';
import { Errcode, WecomError } from './wecom-error.js';

export interface CorpContext {
  suite: SuiteRecord;
  corp: CorpRecord;
  auth: AuthorizationRecord;
}

/** Resolves the credentials a WeCom API call presents, with WeCom's errcodes for missing/invalid/expired. */
export class Credentials {
  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
  ) {}

  suite(token: string | undefined): SuiteRecord {
    if (token === undefined) throw new WecomError(Errcode.MISSING_SUITE_TOKEN);
    const found = this.state.tokens.lookup('suite', token, this.clock.now());
    if (found.status === 'unknown') throw new WecomError(Errcode.INVALID_SUITE_TOKEN);
    if (found.status === 'expired') throw new WecomError(Errcode.SUITE_TOKEN_EXPIRED);
    const suite = this.state.suites.get(found.record.subject);
    if (!suite) throw new WecomError(Errcode.INVALID_SUITE_TOKEN);
    return suite;
  }

  /** A corp access_token obtained by a suite (get_corp_token / get_permanent_code v1). */
  corp(token: string | undefined): CorpContext {
    if (token === undefined) throw new WecomError(Errcode.MISSING_ACCESS_TOKEN);
    const found = this.state.tokens.lookup('corp', token, this.clock.now());
    if (found.status === 'unknown') throw new WecomError(Errcode.INVALID_ACCESS_TOKEN);
    if (found.status === 'expired') throw new WecomError(Errcode.ACCESS_TOKEN_EXPIRED);
    const auth = this.state.authorizations.get(found.record.subject);
    const suite = auth && this.state.suites.get(auth.suiteId);
    const corp = auth && this.state.corps.get(auth.corpId);
    if (!auth || !suite || !corp || auth.status !== 'active') throw new WecomError(Errcode.INVALID_ACCESS_TOKEN);
    return { suite, corp, auth };
  }

  /** A provider_access_token; returns the provider corpid. */
  provider(token: string | undefined): string {
    if (token === undefined) throw new WecomError(Errcode.MISSING_ACCESS_TOKEN);
    const found = this.state.tokens.lookup('provider', token, this.clock.now());
    if (found.status === 'unknown') throw new WecomError(Errcode.INVALID_ACCESS_TOKEN);
    if (found.status === 'expired') throw new WecomError(Errcode.ACCESS_TOKEN_EXPIRED);
    return found.record.subject;
  }
}
