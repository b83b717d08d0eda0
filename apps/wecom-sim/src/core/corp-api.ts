import { createHash } from 'node:crypto';
import { CallCounter } from './call-counter.js';
import { CorpContext, Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { openUserIdFor } from './ids.js';
import { Lifetime } from './lifetimes.js';
import { Ok, OK } from './service-api.js';
import { SimClock } from './sim-clock.js';
import { SimState } from './sim-state.js';
import { TokenKind, corpSubject } from './token-store.js';
import { ControlError, Errcode, WecomError } from './wecom-error.js';

export const CorpPath = {
  jsapiTicket: '/cgi-bin/get_jsapi_ticket',
  agentTicket: '/cgi-bin/ticket/get',
  agentGet: '/cgi-bin/agent/get',
  userGet: '/cgi-bin/user/get',
  departmentList: '/cgi-bin/department/list',
  userSimpleList: '/cgi-bin/user/simplelist',
} as const;

export type TicketResponse = Ok & { ticket: string; expires_in: number };

export type AgentResponse = Ok & {
  agentid: number;
  name: string;
  square_logo_url: string;
  description: string;
  allow_userinfos: { user: Array<{ userid: string }> };
  allow_partys: { partyid: number[] };
  allow_tags: { tagid: number[] };
  close: number;
  redirect_domain: string;
  report_location_flag: number;
  isreportenter: number;
  home_url: string;
};

/**
 * A department as WeCom shows it to a third-party app: since 2020-06-30 `name` is the id and `name_en` and
 * `department_leader` are left out (only contacts-sync apps see them; 获取部门列表, document 90208).
 */
export type DepartmentListResponse = Ok & { department: Array<{ id: number; name: string; parentid: number; order: number }> };

/** 获取部门成员 (document 90200): userids with their departments and open_userid; no names for a third-party app. */
export type UserSimpleListResponse = Ok & { userlist: Array<{ userid: string; department: number[]; open_userid: string }> };

export type UserResponse = Ok & { userid: string; open_userid: string; name: string; department: number[]; main_department: number; status: number };

/** `POST /sim/jssdk/verify` body: a JS-SDK signature the platform computed, to check against the live ticket. */
export interface JsSdkCheck {
  suite_id: string;
  corp_id: string;
  kind: 'config' | 'agent_config';
  url: string;
  noncestr: string;
  timestamp: number | string;
  signature: string;
}

/** APIs called with a corp access_token obtained through a suite. */
export class CorpApi {
  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly credentials: Credentials,
    private readonly gate: Gate,
    private readonly counter: CallCounter,
  ) {}

  getJsapiTicket(accessToken: string | undefined): TicketResponse {
    return this.ticket(CorpPath.jsapiTicket, 'jsapi', accessToken);
  }

  getAgentTicket(accessToken: string | undefined, type: string | undefined): TicketResponse {
    const ctx = this.corp(CorpPath.agentTicket, accessToken);
    if (type !== 'agent_config') throw new WecomError(Errcode.INVALID_PARAMETER, 'type must be agent_config');
    return this.issueTicket('agent', ctx);
  }

  getAgent(accessToken: string | undefined, agentId: string | undefined): AgentResponse {
    const { suite, corp, auth } = this.corp(CorpPath.agentGet, accessToken);
    if (agentId === undefined) throw new WecomError(Errcode.MISSING_AGENTID);
    if (agentId !== String(auth.agentId)) throw new WecomError(Errcode.INVALID_AGENTID);
    return {
      ...OK,
      agentid: auth.agentId,
      name: suite.name,
      square_logo_url: `https://wework.qpic.cn/wwpic/sim_square_${suite.suiteId}/0`,
      description: `${suite.name}（企业微信模拟器）`,
      allow_userinfos: { user: corp.users.map((u) => ({ userid: u.userid })) },
      allow_partys: { partyid: [1] },
      allow_tags: { tagid: [] },
      close: 0,
      redirect_domain: '',
      report_location_flag: 0,
      isreportenter: 0,
      home_url: '',
    };
  }

  getUser(accessToken: string | undefined, userId: string | undefined): UserResponse {
    const { corp } = this.corp(CorpPath.userGet, accessToken);
    if (userId === undefined) throw new WecomError(Errcode.MISSING_USERID);
    const user = corp.users.find((u) => u.userid === userId);
    if (!user) throw new WecomError(Errcode.USERID_NOT_FOUND);
    return { ...OK, userid: user.userid, open_userid: openUserIdFor(corp.corpId, user.userid), name: user.name, department: user.department, main_department: 1, status: 1 };
  }

  /** The simulated corps have one department, the root (id 1); `id` asks for it and its sub-departments. */
  listDepartments(accessToken: string | undefined, id: string | undefined): DepartmentListResponse {
    this.corp(CorpPath.departmentList, accessToken);
    if (id !== undefined && id !== '' && id !== '1') throw new WecomError(Errcode.DEPARTMENT_NOT_FOUND);
    return { ...OK, department: [{ id: 1, name: '1', parentid: 0, order: 100000000 }] };
  }

  listDepartmentUsers(accessToken: string | undefined, departmentId: string | undefined): UserSimpleListResponse {
    const { corp } = this.corp(CorpPath.userSimpleList, accessToken);
    if (departmentId === undefined || departmentId === '') throw new WecomError(Errcode.INVALID_PARAMETER, 'department_id is required');
    const id = Number(departmentId);
    if (id !== 1) throw new WecomError(Errcode.DEPARTMENT_NOT_FOUND);
    const userlist = corp.users
      .filter((u) => u.department.includes(id))
      .map((u) => ({ userid: u.userid, department: u.department, open_userid: openUserIdFor(corp.corpId, u.userid) }));
    return { ...OK, userlist };
  }

  /** Checks a JS-SDK signature against the corp's live jsapi_ticket (config) or agent ticket (agent_config). */
  verifyJsSdk(check: JsSdkCheck): { valid: boolean; reason?: string } {
    for (const key of ['suite_id', 'corp_id', 'url', 'noncestr', 'signature'] as const) {
      if (typeof check[key] !== 'string' || !check[key]) throw new ControlError(400, `${key} is required`);
    }
    if (check.kind !== 'config' && check.kind !== 'agent_config') throw new ControlError(400, 'kind must be config or agent_config');
    const live = this.state.tokens.currentFor(check.kind === 'config' ? 'jsapi' : 'agent', corpSubject(check.suite_id, check.corp_id), this.clock.now());
    if (!live) return { valid: false, reason: 'no live ticket of that kind for the corp (42012)' };
    if (check.url.includes('#')) return { valid: false, reason: 'url must not contain a fragment' };
    const expected = createHash('sha1')
      .update(`jsapi_ticket=${live.token}&noncestr=${check.noncestr}&timestamp=${check.timestamp}&url=${check.url}`)
      .digest('hex');
    return expected === check.signature ? { valid: true } : { valid: false, reason: 'signature mismatch (40093)' };
  }

  private ticket(path: string, kind: TokenKind, accessToken: string | undefined): TicketResponse {
    return this.issueTicket(kind, this.corp(path, accessToken));
  }

  private issueTicket(kind: TokenKind, { suite, corp }: CorpContext): TicketResponse {
    const lifetime = kind === 'jsapi' ? Lifetime.jsapiTicket : Lifetime.agentTicket;
    const now = this.clock.now();
    const issued = this.state.tokens.issueOrReuse(kind, corpSubject(suite.suiteId, corp.corpId), lifetime, now);
    if (issued.fresh) this.counter.tokenIssued(kind);
    return { ...OK, ticket: issued.token, expires_in: this.clock.tokenExpiresIn(issued.expiresAt, lifetime, now) };
  }

  private corp(path: string, accessToken: string | undefined): CorpContext {
    const ctx = this.credentials.corp(accessToken);
    this.gate.admit(path, { suiteId: ctx.suite.suiteId, corpId: ctx.corp.corpId });
    return ctx;
  }
}
