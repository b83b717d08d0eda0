import { CallCounter } from './call-counter.js';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { Lengths, randomToken } from './ids.js';
import { InstallFlow } from './install-flow.js';
import { Lifetime } from './lifetimes.js';
import { JsonObject } from './params.js';
import { OK, Ok } from './service-api.js';
import { SimClock } from './sim-clock.js';
import { SimState, SuiteRecord } from './sim-state.js';
import { SuiteRegistry } from './suite-registry.js';
import { corpSubject } from './token-store.js';
import { ControlError, Errcode, WecomError } from './wecom-error.js';
import type { PushOutcome } from './callback-pusher.js';

export const CustomizedPath = {
  getToken: '/cgi-bin/gettoken',
  customizedAuthUrl: '/cgi-bin/service/get_customized_auth_url',
  userInfo: '/cgi-bin/auth/getuserinfo',
} as const;

export interface GetTokenResponse extends Ok {
  access_token: string;
  expires_in: number;
}

export type CustomizedAuthUrlResponse = Ok & { qrcode_url: string; expires_in: number };

export type CorpUserInfoResponse = Ok & { userid: string; user_ticket?: string; expires_in?: number };

/** A 带参授权链接 (get_customized_auth_url): the templates it installs and its `state`, valid for days. */
interface AuthLink {
  providerCorpId: string;
  templateIds: string[];
  state: string;
  expiresAt: number;
}

/** 代开发 template ids start with `dk` (WeCom's own prefix); a suite registered with `customized: true` is one too. */
export function isCustomizedTemplate(suite: SuiteRecord): boolean {
  return suite.suiteId.startsWith('dk') || suite.customized === true;
}

/** get_customized_auth_url links live this long (WeCom: "有效期为 ... 天"; the simulator uses 7 days). */
const AUTH_LINK_SECONDS = 7 * 86_400;
const STATE = /^[A-Za-z0-9]{0,32}$/;

/**
 * The 代开发 (customized app) half of WeCom: the corp token comes from `gettoken` with the permanent_code as
 * corpsecret (获取access_token, 代开发: corpsecret = permanent_code), never from get_corp_token (which answers 40084
 * for a template's corps); authorization links with a `state` (get_customized_auth_url, provider token, state ≤ 32
 * bytes [a-zA-Z0-9]); member OAuth through the corp's own `auth/getuserinfo` with the corp token.
 */
export class CustomizedAppApi {
  private readonly links = new Map<string, AuthLink>();

  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly credentials: Credentials,
    private readonly registry: SuiteRegistry,
    private readonly installs: InstallFlow,
    private readonly gate: Gate,
    private readonly counter: CallCounter,
  ) {}

  /** GET /cgi-bin/gettoken?corpid&corpsecret: for a 代开发 app the secret is the authorization's permanent_code. */
  getToken(corpId: string | undefined, corpSecret: string | undefined): GetTokenResponse {
    if (!corpId) throw new WecomError(Errcode.MISSING_CORPID);
    if (!corpSecret) throw new WecomError(Errcode.MISSING_SECRET);
    this.gate.admit(CustomizedPath.getToken, { corpId });
    if (!this.state.corps.has(corpId)) throw new WecomError(Errcode.INVALID_CORPID);
    const auth = [...this.state.authorizations.values()].find(
      (a) => a.corpId === corpId && a.status === 'active' && a.permanentCode === corpSecret && isCustomizedTemplate(this.state.suites.get(a.suiteId)!),
    );
    if (!auth) throw new WecomError(Errcode.INVALID_SECRET);
    this.counter.attribute(CustomizedPath.getToken, { suiteId: auth.suiteId });
    const now = this.clock.now();
    const issued = this.state.tokens.issueOrReuse('corp', corpSubject(auth.suiteId, corpId), Lifetime.corpToken, now);
    if (issued.fresh) this.counter.tokenIssued('corp');
    return { ...OK, access_token: issued.token, expires_in: this.clock.tokenExpiresIn(issued.expiresAt, Lifetime.corpToken, now) };
  }

  /**
   * POST /cgi-bin/service/get_customized_auth_url?provider_access_token= { state, templateid_list }: a link a corp
   * admin opens to authorize those templates; `state` comes back in create_auth and get_permanent_code.
   */
  getCustomizedAuthUrl(providerToken: string | undefined, body: JsonObject, baseUrl: string): CustomizedAuthUrlResponse {
    const providerCorpId = this.credentials.provider(providerToken);
    this.gate.admit(CustomizedPath.customizedAuthUrl, {});
    const list = body.templateid_list;
    if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== 'string')) throw new WecomError(Errcode.INVALID_PARAMETER, 'templateid_list');
    const state = body.state ?? '';
    if (typeof state !== 'string' || !STATE.test(state)) throw new WecomError(Errcode.INVALID_PARAMETER, 'state');
    for (const id of list as string[]) {
      const suite = this.state.suites.get(id);
      if (!suite || !isCustomizedTemplate(suite) || (suite.providerCorpId ?? suite.serviceCorpId) !== providerCorpId) throw new WecomError(Errcode.INVALID_SUITE_ID);
    }
    const now = this.clock.now();
    const id = randomToken(24);
    this.links.set(id, { providerCorpId, templateIds: list as string[], state, expiresAt: now + AUTH_LINK_SECONDS * 1000 });
    return { ...OK, qrcode_url: `${baseUrl}/sim-customized-auth/${id}`, expires_in: this.clock.realSeconds(AUTH_LINK_SECONDS) };
  }

  /**
   * A corp admin opens the link and authorizes one of its templates: the authorization is created with the link's
   * `state` and WeCom pushes create_auth (with State) to the template's command URL.
   */
  async approveLink(linkId: string, choice: { templateId?: string; corpId?: string; corpName?: string }): Promise<{ corpId: string; templateId: string; authCode: string; state: string; outcome?: PushOutcome }> {
    const link = this.links.get(linkId);
    if (!link || link.expiresAt <= this.clock.now()) throw new ControlError(404, 'this authorization link is unknown or expired');
    const templateId = choice.templateId ?? link.templateIds[0];
    if (!link.templateIds.includes(templateId)) throw new ControlError(400, `template ${templateId} is not in this link`);
    const suite = this.registry.get(templateId);
    const result = this.installs.install(suite, { corpId: choice.corpId, corpName: choice.corpName, state: link.state });
    const outcome = await this.installs.pushCreateAuth(suite, result);
    return { corpId: result.corp.corpId, templateId, authCode: result.authCode, state: link.state, outcome };
  }

  /** GET /cgi-bin/auth/getuserinfo?access_token=&code=: a member's OAuth code, read with the corp's own token. */
  getUserInfo(accessToken: string | undefined, code: string | undefined): CorpUserInfoResponse {
    const { suite, corp } = this.credentials.corp(accessToken);
    this.gate.admit(CustomizedPath.userInfo, { suiteId: suite.suiteId, corpId: corp.corpId });
    if (!code) throw new WecomError(Errcode.INVALID_OAUTH_CODE);
    const record = this.state.oauthCodes.get(code);
    if (!record || record.corpId !== corp.corpId || record.suiteId !== suite.suiteId || record.expiresAt <= this.clock.now()) {
      throw new WecomError(Errcode.INVALID_OAUTH_CODE);
    }
    this.state.oauthCodes.delete(code);
    const response: CorpUserInfoResponse = { ...OK, userid: record.userId };
    if (record.scope === 'snsapi_privateinfo') {
      const ticket = randomToken(Lengths.oauthCode);
      const now = this.clock.now();
      this.state.userTickets.set(ticket, { suiteId: suite.suiteId, corpId: corp.corpId, userId: record.userId, expiresAt: now + Lifetime.userTicket * 1000 }, now);
      response.user_ticket = ticket;
      response.expires_in = this.clock.realSeconds(Lifetime.userTicket);
    }
    return response;
  }

  /** The 代开发 template a corp's OAuth link names (appid = the corp's id, agentid = the app's), if any. */
  templateOfAgent(corpId: string, agentId: string | undefined): SuiteRecord | undefined {
    if (!agentId || !this.state.corps.has(corpId)) return undefined;
    for (const auth of this.state.authorizations.values()) {
      if (auth.corpId !== corpId || auth.status !== 'active' || String(auth.agentId) !== agentId) continue;
      const suite = this.state.suites.get(auth.suiteId);
      if (suite && isCustomizedTemplate(suite)) return suite;
    }
    return undefined;
  }

  /** Forgets every authorization link (simulator reset). */
  clear(): void {
    this.links.clear();
  }
}
