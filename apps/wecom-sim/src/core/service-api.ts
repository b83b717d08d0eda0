import { CallCounter } from './call-counter.js';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { Lengths, openUserIdFor, randomToken } from './ids.js';
import { Lifetime } from './lifetimes.js';
import { JsonObject, required } from './params.js';
import { AuthInfoBody, PermanentCodeBody, PermanentCodeV2Body, authInfoBody, permanentCodeBody, permanentCodeV2Body } from './presenters.js';
import { SimClock } from './sim-clock.js';
import { AuthorizationRecord, PreAuthCodeRecord, SimState, SuiteRecord } from './sim-state.js';
import { SuiteRegistry } from './suite-registry.js';
import { corpSubject } from './token-store.js';
import { isCustomizedTemplate } from './customized-app-api.js';
import { Errcode, WecomError } from './wecom-error.js';

export interface Ok {
  errcode: 0;
  errmsg: 'ok';
}
export const OK: Ok = { errcode: 0, errmsg: 'ok' };

export const ServicePath = {
  suiteToken: '/cgi-bin/service/get_suite_token',
  preAuthCode: '/cgi-bin/service/get_pre_auth_code',
  sessionInfo: '/cgi-bin/service/set_session_info',
  permanentCode: '/cgi-bin/service/get_permanent_code',
  permanentCodeV2: '/cgi-bin/service/v2/get_permanent_code',
  authInfo: '/cgi-bin/service/get_auth_info',
  corpToken: '/cgi-bin/service/get_corp_token',
  adminList: '/cgi-bin/service/get_admin_list',
} as const;

export type SuiteTokenResponse = Ok & { suite_access_token: string; expires_in: number };
export type PreAuthCodeResponse = Ok & { pre_auth_code: string; expires_in: number };
export type PermanentCodeV1Response = Ok & { access_token: string; expires_in: number } & PermanentCodeBody;
export type PermanentCodeV2Response = Ok & PermanentCodeV2Body;
export type AuthInfoResponse = Ok & AuthInfoBody;
/** get_corp_token answers without errcode on success ("for historical reasons", WeCom's document 90605). */
export interface CorpTokenResponse {
  access_token: string;
  expires_in: number;
}
export type AdminListResponse = Ok & { admin: Array<{ userid: string; open_userid: string; auth_type: number }> };

/** The suite-credential half of WeCom's third-party service API. */
export class ServiceApi {
  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly credentials: Credentials,
    private readonly registry: SuiteRegistry,
    private readonly gate: Gate,
    private readonly counter: CallCounter,
  ) {}

  getSuiteToken(body: JsonObject): SuiteTokenResponse {
    const suiteId = required(body, 'suite_id', Errcode.MISSING_SUITE_ID);
    this.gate.admit(ServicePath.suiteToken, { suiteId });
    const secret = required(body, 'suite_secret', Errcode.MISSING_SUITE_SECRET);
    const ticket = required(body, 'suite_ticket', Errcode.MISSING_SUITE_TICKET);
    const suite = this.state.suites.get(suiteId);
    if (!suite) throw new WecomError(Errcode.INVALID_SUITE_ID);
    if (secret !== suite.suiteSecret) throw new WecomError(Errcode.INVALID_SUITE_SECRET);
    if (!this.registry.isValidTicket(suite, ticket)) throw new WecomError(Errcode.INVALID_SUITE_TICKET);
    const now = this.clock.now();
    const issued = this.state.tokens.issueOrReuse('suite', suite.suiteId, Lifetime.suiteToken, now);
    if (issued.fresh) this.counter.tokenIssued('suite');
    return { ...OK, suite_access_token: issued.token, expires_in: this.clock.tokenExpiresIn(issued.expiresAt, Lifetime.suiteToken, now) };
  }

  getPreAuthCode(suiteToken: string | undefined): PreAuthCodeResponse {
    const suite = this.suite(ServicePath.preAuthCode, suiteToken);
    const now = this.clock.now();
    const code = randomToken(Lengths.preAuthCode);
    this.state.preAuthCodes.set(code, { suiteId: suite.suiteId, expiresAt: now + Lifetime.preAuthCode * 1000, authType: 0, appIds: [] }, now);
    return { ...OK, pre_auth_code: code, expires_in: this.clock.realSeconds(Lifetime.preAuthCode) };
  }

  setSessionInfo(suiteToken: string | undefined, body: JsonObject): Ok {
    const suite = this.suite(ServicePath.sessionInfo, suiteToken);
    const code = required(body, 'pre_auth_code', Errcode.INVALID_PRE_AUTH_CODE);
    const record = this.preAuthCode(suite.suiteId, code);
    const session = body.session_info;
    if (session !== undefined) {
      if (typeof session !== 'object' || session === null || Array.isArray(session)) throw new WecomError(Errcode.INVALID_PARAMETER, 'session_info');
      const { appid, auth_type } = session as JsonObject;
      if (appid !== undefined) {
        if (!Array.isArray(appid) || appid.some((a) => !Number.isInteger(a))) throw new WecomError(Errcode.INVALID_PARAMETER, 'session_info.appid');
        record.appIds = appid as number[];
      }
      if (auth_type !== undefined) {
        if (auth_type !== 0 && auth_type !== 1) throw new WecomError(Errcode.INVALID_PARAMETER, 'session_info.auth_type');
        record.authType = auth_type;
      }
    }
    return OK;
  }

  /** Checks a pre_auth_code for the install page: 40077 unknown / other suite, 42007 expired. */
  preAuthCode(suiteId: string, code: string): PreAuthCodeRecord {
    const record = this.state.preAuthCodes.get(code);
    if (!record || record.suiteId !== suiteId) throw new WecomError(Errcode.INVALID_PRE_AUTH_CODE);
    if (record.expiresAt <= this.clock.now()) throw new WecomError(Errcode.PRE_AUTH_CODE_EXPIRED);
    return record;
  }

  getPermanentCode(suiteToken: string | undefined, body: JsonObject): PermanentCodeV1Response {
    const { suite, auth } = this.exchangeAuthCode(ServicePath.permanentCode, suiteToken, body);
    const corp = this.corpOf(auth);
    // 代开发: no access_token in the answer (the corp token comes from gettoken with the permanent code).
    if (isCustomizedTemplate(suite)) return { ...OK, ...permanentCodeBody(suite, corp, auth) } as PermanentCodeV1Response;
    const now = this.clock.now();
    const issued = this.state.tokens.issueOrReuse('corp', corpSubject(suite.suiteId, corp.corpId), Lifetime.corpToken, now);
    if (issued.fresh) this.counter.tokenIssued('corp');
    return { ...OK, access_token: issued.token, expires_in: this.clock.tokenExpiresIn(issued.expiresAt, Lifetime.corpToken, now), ...permanentCodeBody(suite, corp, auth) };
  }

  getPermanentCodeV2(suiteToken: string | undefined, body: JsonObject): PermanentCodeV2Response {
    const { auth } = this.exchangeAuthCode(ServicePath.permanentCodeV2, suiteToken, body);
    return { ...OK, ...permanentCodeV2Body(this.corpOf(auth), auth) };
  }

  getAuthInfo(suiteToken: string | undefined, body: JsonObject): AuthInfoResponse {
    const { suite, auth } = this.permanentAuth(ServicePath.authInfo, suiteToken, body);
    return { ...OK, ...authInfoBody(suite, this.corpOf(auth), auth) };
  }

  /**
   * A corp that has never authorized this suite gets 40082 "invalid suite_token", although the suite token is
   * fine: WeCom answers so, and a client must tell the two apart. A wrong or cancelled permanent code: 40084.
   */
  getCorpToken(suiteToken: string | undefined, body: JsonObject): CorpTokenResponse {
    const { suite, auth } = this.permanentAuth(ServicePath.corpToken, suiteToken, body, Errcode.INVALID_SUITE_TOKEN);
    // 代开发 templates' corps get their token from gettoken (corpsecret = permanent_code); get_corp_token refuses them.
    if (isCustomizedTemplate(suite)) throw new WecomError(Errcode.INVALID_PERMANENT_CODE);
    const now = this.clock.now();
    const issued = this.state.tokens.issueOrReuse('corp', corpSubject(suite.suiteId, auth.corpId), Lifetime.corpToken, now);
    if (issued.fresh) this.counter.tokenIssued('corp');
    return { access_token: issued.token, expires_in: this.clock.tokenExpiresIn(issued.expiresAt, Lifetime.corpToken, now) };
  }

  getAdminList(suiteToken: string | undefined, body: JsonObject): AdminListResponse {
    const suite = this.suite(ServicePath.adminList, suiteToken);
    const corpId = required(body, 'auth_corpid', Errcode.MISSING_CORPID);
    const agentId = required(body, 'agentid', Errcode.MISSING_AGENTID);
    this.gate.admit(ServicePath.adminList, { corpId });
    const auth = this.state.authorization(suite.suiteId, corpId);
    if (!auth || auth.status !== 'active') throw new WecomError(Errcode.AUTH_RELATION_INVALID);
    if (String(auth.agentId) !== agentId) throw new WecomError(Errcode.INVALID_AGENTID);
    const corp = this.corpOf(auth);
    return { ...OK, admin: [{ userid: corp.users[0].userid, open_userid: openUserIdFor(corp.corpId, corp.users[0].userid), auth_type: 1 }] };
  }

  private suite(path: string, suiteToken: string | undefined): SuiteRecord {
    const suite = this.credentials.suite(suiteToken);
    this.gate.admit(path, { suiteId: suite.suiteId });
    return suite;
  }

  /** auth_code → authorization; single use, 600 s: used, expired, unknown or another suite's → 40078. */
  private exchangeAuthCode(path: string, suiteToken: string | undefined, body: JsonObject) {
    const suite = this.suite(path, suiteToken);
    const code = required(body, 'auth_code', Errcode.MISSING_AUTH_CODE);
    const record = this.state.authCodes.get(code);
    if (!record || record.suiteId !== suite.suiteId || record.expiresAt <= this.clock.now()) throw new WecomError(Errcode.INVALID_AUTH_CODE);
    this.state.authCodes.delete(code);
    const auth = this.state.authorization(suite.suiteId, record.corpId);
    if (!auth || auth.status !== 'active') throw new WecomError(Errcode.INVALID_AUTH_CODE);
    this.gate.admit(path, { corpId: auth.corpId });
    return { suite, auth };
  }

  /** auth_corpid + permanent_code → active authorization; a wrong or cancelled code → 40084. */
  private permanentAuth(path: string, suiteToken: string | undefined, body: JsonObject, neverAuthorized: number = Errcode.INVALID_PERMANENT_CODE) {
    const suite = this.suite(path, suiteToken);
    const corpId = required(body, 'auth_corpid', Errcode.MISSING_CORPID);
    const code = required(body, 'permanent_code', Errcode.MISSING_PERMANENT_CODE);
    this.gate.admit(path, { corpId });
    const auth = this.state.authorization(suite.suiteId, corpId);
    if (!auth) throw new WecomError(neverAuthorized);
    if (auth.status !== 'active' || auth.permanentCode !== code) throw new WecomError(Errcode.INVALID_PERMANENT_CODE);
    return { suite, auth };
  }

  private corpOf(auth: AuthorizationRecord) {
    const corp = this.state.corps.get(auth.corpId);
    if (!corp) throw new WecomError(Errcode.INVALID_CORPID);
    return corp;
  }
}

