import { CallCounter } from './call-counter.js';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { Lengths, openUserIdFor, randomToken } from './ids.js';
import { Lifetime } from './lifetimes.js';
import { JsonObject, required } from './params.js';
import { avatarOf } from './presenters.js';
import { Ok, OK } from './service-api.js';
import { isCustomizedTemplate } from './customized-app-api.js';
import { SimClock } from './sim-clock.js';
import { CorpRecord, SimState, SimUser, SuiteRecord } from './sim-state.js';
import { ControlError, Errcode, WecomError } from './wecom-error.js';

export const IdentityPath = {
  providerToken: '/cgi-bin/service/get_provider_token',
  loginInfo: '/cgi-bin/service/get_login_info',
  userInfo3rd: '/cgi-bin/service/auth/getuserinfo3rd',
  userDetail3rd: '/cgi-bin/service/auth/getuserdetail3rd',
} as const;

/** get_provider_token answers without errcode on success, like get_corp_token. */
export interface ProviderTokenResponse {
  provider_access_token: string;
  expires_in: number;
}

export type LoginInfoResponse = Ok & {
  usertype: number;
  user_info: { userid: string; open_userid: string; name: string; avatar: string };
  corp_info: { corpid: string };
  agent?: Array<{ agentid: number; auth_type: number }>;
  auth_info?: { department: Array<{ id: number; writable: boolean }> };
};

export type UserInfo3rdResponse = Ok & { corpid: string; userid: string; user_ticket?: string; expires_in?: number; open_userid: string };

export type UserDetail3rdResponse = Ok & {
  corpid: string;
  userid: string;
  gender: string;
  avatar: string;
  qr_code: string;
  mobile: string;
  email: string;
  biz_mail: string;
  address: string;
};

export interface UserChoice {
  corpId?: string;
  userId?: string;
}

/** Provider login (web SSO), third-party OAuth for members, and the provider token they need. */
export class IdentityApi {
  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly credentials: Credentials,
    private readonly gate: Gate,
    private readonly counter: CallCounter,
  ) {}

  getProviderToken(body: JsonObject): ProviderTokenResponse {
    const corpId = required(body, 'corpid', Errcode.MISSING_CORPID);
    const secret = required(body, 'provider_secret', Errcode.MISSING_SECRET);
    this.gate.admit(IdentityPath.providerToken, {});
    const expected = this.state.providers.get(corpId);
    if (expected === undefined) throw new WecomError(Errcode.INVALID_CORPID);
    if (expected !== secret) throw new WecomError(Errcode.INVALID_SECRET);
    const now = this.clock.now();
    const issued = this.state.tokens.issueOrReuse('provider', corpId, Lifetime.providerToken, now);
    if (issued.fresh) this.counter.tokenIssued('provider');
    return { provider_access_token: issued.token, expires_in: this.clock.tokenExpiresIn(issued.expiresAt, Lifetime.providerToken, now) };
  }

  getLoginInfo(providerToken: string | undefined, body: JsonObject): LoginInfoResponse {
    const providerCorpId = this.credentials.provider(providerToken);
    this.gate.admit(IdentityPath.loginInfo, {});
    const code = required(body, 'auth_code', Errcode.MISSING_AUTH_CODE);
    const record = this.state.loginCodes.get(code);
    if (!record || record.providerCorpId !== providerCorpId || record.expiresAt <= this.clock.now()) throw new WecomError(Errcode.INVALID_OAUTH_CODE);
    this.state.loginCodes.delete(code);
    const corp = this.state.corps.get(record.corpId);
    const user = corp?.users.find((u) => u.userid === record.userId);
    if (!corp || !user) throw new WecomError(Errcode.INVALID_OAUTH_CODE);
    const isAdmin = corp.users[0] === user;
    const response: LoginInfoResponse = {
      ...OK,
      usertype: isAdmin ? 1 : 5,
      user_info: { userid: user.userid, open_userid: openUserIdFor(corp.corpId, user.userid), name: user.name, avatar: avatarOf(corp.corpId, user.userid) },
      corp_info: { corpid: corp.corpId },
    };
    if (isAdmin) {
      response.agent = this.providerAgents(providerCorpId, corp.corpId).map((agentid) => ({ agentid, auth_type: 1 }));
      response.auth_info = { department: [{ id: 1, writable: true }] };
    }
    return response;
  }

  /** A user of `corp` logs in to the provider's website (`/wwopen/sso/3rd_qrConnect`); returns the auth_code. */
  issueLoginCode(providerCorpId: string, choice: UserChoice): { authCode: string; corp: CorpRecord; user: SimUser } {
    if (!this.state.providers.has(providerCorpId)) throw new ControlError(404, `unknown provider corpid ${providerCorpId}`);
    const { corp, user } = this.chooseUser(choice, () => this.firstCorpOfProvider(providerCorpId));
    const now = this.clock.now();
    const authCode = randomToken(Lengths.oauthCode);
    this.state.loginCodes.set(authCode, { providerCorpId, corpId: corp.corpId, userId: user.userid, expiresAt: now + Lifetime.loginAuthCode * 1000 }, now);
    return { authCode, corp, user };
  }

  /** A member opens the suite's OAuth link (`/connect/oauth2/authorize`); returns the code (5 min, single use). */
  issueOauthCode(suite: SuiteRecord, scope: string, choice: UserChoice): { code: string; corp: CorpRecord; user: SimUser } {
    const { corp, user } = this.chooseUser(choice, () => this.firstActiveCorp(suite));
    const auth = this.state.authorization(suite.suiteId, corp.corpId);
    if (!auth || auth.status !== 'active') throw new ControlError(400, `corp ${corp.corpId} has not installed suite ${suite.suiteId}`);
    const now = this.clock.now();
    const code = randomToken(Lengths.oauthCode);
    this.state.oauthCodes.set(code, { suiteId: suite.suiteId, corpId: corp.corpId, userId: user.userid, scope, expiresAt: now + Lifetime.oauthCode * 1000 }, now);
    return { code, corp, user };
  }

  getUserInfo3rd(suiteToken: string | undefined, code: string | undefined): UserInfo3rdResponse {
    const suite = this.credentials.suite(suiteToken);
    this.gate.admit(IdentityPath.userInfo3rd, { suiteId: suite.suiteId });
    // 代开发 members log in through the corp's own OAuth (auth/getuserinfo with the corp token), not this one.
    if (isCustomizedTemplate(suite)) throw new WecomError(Errcode.API_NOT_PERMITTED, 'getuserinfo3rd is not for 代开发 apps: use auth/getuserinfo');
    if (code === undefined) throw new WecomError(Errcode.MISSING_AUTH_CODE);
    const now = this.clock.now();
    const record = this.state.oauthCodes.get(code);
    if (!record || record.suiteId !== suite.suiteId || record.expiresAt <= now) throw new WecomError(Errcode.INVALID_OAUTH_CODE);
    this.state.oauthCodes.delete(code);
    const response: UserInfo3rdResponse = { ...OK, corpid: record.corpId, userid: record.userId, open_userid: openUserIdFor(record.corpId, record.userId) };
    // WeCom hands out a user_ticket only for the snsapi_privateinfo scope.
    if (record.scope === 'snsapi_privateinfo') {
      const ticket = randomToken(Lengths.userTicket);
      this.state.userTickets.set(ticket, { suiteId: suite.suiteId, corpId: record.corpId, userId: record.userId, expiresAt: now + Lifetime.userTicket * 1000 }, now);
      response.user_ticket = ticket;
      response.expires_in = this.clock.realSeconds(Lifetime.userTicket);
    }
    return response;
  }

  getUserDetail3rd(suiteToken: string | undefined, body: JsonObject): UserDetail3rdResponse {
    const suite = this.credentials.suite(suiteToken);
    this.gate.admit(IdentityPath.userDetail3rd, { suiteId: suite.suiteId });
    const ticket = required(body, 'user_ticket', Errcode.INVALID_PARAMETER);
    const record = this.state.userTickets.get(ticket);
    if (!record || record.suiteId !== suite.suiteId || record.expiresAt <= this.clock.now()) throw new WecomError(Errcode.INVALID_OAUTH_CODE, 'user_ticket');
    const user = this.state.corps.get(record.corpId)?.users.find((u) => u.userid === record.userId);
    if (!user) throw new WecomError(Errcode.USERID_NOT_FOUND);
    return {
      ...OK,
      corpid: record.corpId,
      userid: user.userid,
      gender: user.gender,
      avatar: avatarOf(record.corpId, user.userid),
      qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=sim${user.userid}`,
      mobile: user.mobile,
      email: user.email,
      biz_mail: user.bizMail,
      address: user.address,
    };
  }

  private chooseUser(choice: UserChoice, fallbackCorp: () => CorpRecord | undefined): { corp: CorpRecord; user: SimUser } {
    const corp = choice.corpId ? this.state.corps.get(choice.corpId) : fallbackCorp();
    if (!corp) throw new ControlError(choice.corpId ? 404 : 400, choice.corpId ? `unknown corp ${choice.corpId}` : 'no installed corp to log in with; pass sim_corp_id');
    const user = choice.userId ? corp.users.find((u) => u.userid === choice.userId) : corp.users[0];
    if (!user) throw new ControlError(404, `unknown user ${choice.userId} in corp ${corp.corpId}`);
    return { corp, user };
  }

  private firstActiveCorp(suite: SuiteRecord): CorpRecord | undefined {
    for (const key of suite.authKeys) {
      const auth = this.state.authorizations.get(key);
      if (auth?.status === 'active') return this.state.corps.get(auth.corpId);
    }
    return undefined;
  }

  private firstCorpOfProvider(providerCorpId: string): CorpRecord | undefined {
    for (const suite of this.state.suites.values()) {
      if (suite.providerCorpId !== providerCorpId) continue;
      const corp = this.firstActiveCorp(suite);
      if (corp) return corp;
    }
    return undefined;
  }

  private providerAgents(providerCorpId: string, corpId: string): number[] {
    const agents: number[] = [];
    for (const suite of this.state.suites.values()) {
      if (suite.providerCorpId !== providerCorpId) continue;
      const auth = this.state.authorization(suite.suiteId, corpId);
      if (auth?.status === 'active') agents.push(auth.agentId);
    }
    return agents;
  }
}
