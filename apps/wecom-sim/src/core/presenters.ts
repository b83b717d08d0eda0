import { openUserIdFor } from './ids.js';
import { AuthorizationRecord, CorpRecord, SimUser, SuiteRecord } from './sim-state.js';

/** Wire shapes of WeCom's third-party service API (document 90603 and neighbours), snake_case as sent. */
export interface AuthCorpInfo {
  corpid: string;
  corp_name: string;
  corp_type: 'verified' | 'unverified';
  corp_square_logo_url: string;
  corp_user_max: number;
  corp_full_name: string;
  verified_end_time: number;
  subject_type: number;
  corp_wxqrcode: string;
  corp_scale: string;
  corp_industry: string;
  corp_sub_industry: string;
}

export interface AgentPrivilege {
  level: number;
  allow_party: number[];
  allow_user: string[];
  allow_tag: number[];
  extra_party: number[];
  extra_user: string[];
  extra_tag: number[];
}

export interface AuthInfoAgent {
  agentid: number;
  name: string;
  round_logo_url: string;
  square_logo_url: string;
  appid: number;
  auth_mode: number;
  is_customized_app: boolean;
  auth_from_thirdapp: boolean;
  privilege: AgentPrivilege;
}

export interface EditionAgent {
  agentid: number;
  edition_id: string;
  edition_name: string;
  app_status: number;
  user_limit: number;
  expired_time: number;
  is_virtual_version: boolean;
  is_shared_from_other_corp: boolean;
}

export interface AuthUserInfo {
  userid: string;
  open_userid: string;
  name: string;
  avatar: string;
}

/** get_permanent_code (v2) body; v1 adds access_token and expires_in. */
export interface PermanentCodeBody {
  permanent_code: string;
  auth_corp_info: AuthCorpInfo;
  auth_info: { agent: AuthInfoAgent[] };
  auth_user_info: AuthUserInfo;
  edition_info: { agent: EditionAgent[] };
  state?: string;
}

/**
 * service/v2/get_permanent_code (document 100776): the permanent code, the corp's id and short name, the admin, the
 * register-code info and `state` — no auth_info, edition_info, dealer_corp_info or access_token (get_auth_info has those).
 */
export interface PermanentCodeV2Body {
  permanent_code: string;
  auth_corp_info: { corpid: string; corp_name: string };
  auth_user_info: AuthUserInfo;
  state?: string;
}

export interface AuthInfoBody {
  auth_corp_info: AuthCorpInfo;
  auth_info: { agent: AuthInfoAgent[] };
  edition_info: { agent: EditionAgent[] };
}

/** WeCom's "first app" for a suite: one app per suite in the simulator. */
export const SUITE_APP_ID = 1;

const YEAR_S = 365 * 86_400;

function logo(corpId: string, kind: string): string {
  return `https://wework.qpic.cn/wwpic/sim_${kind}_${corpId}/0`;
}

export function avatarOf(corpId: string, userId: string): string {
  return `https://wework.qpic.cn/wwhead/sim_${corpId}_${userId}/0`;
}

export function authCorpInfo(corp: CorpRecord): AuthCorpInfo {
  return {
    corpid: corp.corpId,
    corp_name: corp.corpName,
    corp_type: 'verified',
    corp_square_logo_url: logo(corp.corpId, 'logo'),
    corp_user_max: 200,
    corp_full_name: `${corp.corpName}有限公司`,
    verified_end_time: Math.floor(corp.createdAt / 1000) + YEAR_S,
    subject_type: 1,
    corp_wxqrcode: logo(corp.corpId, 'qrcode'),
    corp_scale: '1-50人',
    corp_industry: 'IT服务',
    corp_sub_industry: '计算机软件/硬件/信息服务',
  };
}

export function authInfo(suite: SuiteRecord, auth: AuthorizationRecord): { agent: AuthInfoAgent[] } {
  return {
    agent: [
      {
        agentid: auth.agentId,
        name: suite.name,
        round_logo_url: logo(suite.suiteId, 'round'),
        square_logo_url: logo(suite.suiteId, 'square'),
        appid: SUITE_APP_ID,
        auth_mode: 0,
        is_customized_app: suite.suiteId.startsWith('dk') || suite.customized === true,
        auth_from_thirdapp: false,
        privilege: { level: 1, allow_party: [1], allow_user: [], allow_tag: [], extra_party: [], extra_user: [], extra_tag: [] },
      },
    ],
  };
}

export function editionInfo(auth: AuthorizationRecord): { agent: EditionAgent[] } {
  return {
    agent: [
      {
        agentid: auth.agentId,
        edition_id: 'SIM_STANDARD',
        edition_name: '标准版',
        app_status: 2,
        user_limit: 200,
        expired_time: Math.floor(auth.installedAt / 1000) + YEAR_S,
        is_virtual_version: false,
        is_shared_from_other_corp: false,
      },
    ],
  };
}

export function authUserInfo(corp: CorpRecord, user: SimUser): AuthUserInfo {
  return { userid: user.userid, open_userid: openUserIdFor(corp.corpId, user.userid), name: user.name, avatar: avatarOf(corp.corpId, user.userid) };
}

export function permanentCodeBody(suite: SuiteRecord, corp: CorpRecord, auth: AuthorizationRecord): PermanentCodeBody {
  const admin = corp.users.find((u) => u.userid === auth.authUserId) ?? corp.users[0];
  const body: PermanentCodeBody = {
    permanent_code: auth.permanentCode,
    auth_corp_info: authCorpInfo(corp),
    auth_info: authInfo(suite, auth),
    auth_user_info: authUserInfo(corp, admin),
    edition_info: editionInfo(auth),
  };
  if (auth.state) body.state = auth.state;
  return body;
}

export function permanentCodeV2Body(corp: CorpRecord, auth: AuthorizationRecord): PermanentCodeV2Body {
  const admin = corp.users.find((u) => u.userid === auth.authUserId) ?? corp.users[0];
  const body: PermanentCodeV2Body = {
    permanent_code: auth.permanentCode,
    auth_corp_info: { corpid: corp.corpId, corp_name: corp.corpName },
    auth_user_info: authUserInfo(corp, admin),
  };
  if (auth.state) body.state = auth.state;
  return body;
}

export function authInfoBody(suite: SuiteRecord, corp: CorpRecord, auth: AuthorizationRecord): AuthInfoBody {
  return { auth_corp_info: authCorpInfo(corp), auth_info: authInfo(suite, auth), edition_info: editionInfo(auth) };
}
