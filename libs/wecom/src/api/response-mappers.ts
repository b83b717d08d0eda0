import { JsonReader } from './json-reader.js';
import type {
  AgentPrivilege,
  AppAdmin,
  AuthAgent,
  AuthCorpInfo,
  AuthInfo,
  AuthUserInfo,
  CorpAuthInfo,
  DealerCorpInfo,
  EditionInfo,
  JsonObject,
  LoginInfo,
  PermanentCode,
  PermanentCodeV2,
  RegisterCodeInfo,
  UserDetail3rd,
  UserInfo3rd,
} from './types.js';

/**
 * Snake_case WeCom responses to the camelCase types of `types.ts`. Optional fields are set only when present,
 * so results never carry `undefined` values.
 *
 * Strict only on what the platform must act on — `permanent_code` and the corp id (`auth_corp_info.corpid`),
 * an agent's `agentid` — and tolerant of every informational block (`JsonReader.tolerant()`): WeCom's answers
 * vary (a direct install may carry `"dealer_corp_info": {"corpid": "", "corp_name": ""}`; numbers come as strings),
 * and an answer to a one-time-code exchange that is refused for an informational field loses the tenant for good.
 */

/** Fields never copied into `raw`: status noise and secrets that must be stored encrypted, not as plain JSON. */
const NOT_IN_RAW = new Set(['errcode', 'errmsg', 'permanent_code', 'access_token']);

export function rawOf(json: JsonObject): JsonObject {
  const raw: JsonObject = {};
  for (const [key, value] of Object.entries(json)) if (!NOT_IN_RAW.has(key)) raw[key] = value;
  return raw;
}

function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function mapAuthCorpInfo(strict: JsonReader): AuthCorpInfo {
  const r = strict.tolerant();
  const info: AuthCorpInfo = { corpId: strict.string('corpid'), corpName: r.optionalString('corp_name') ?? '' };
  set(info, 'corpType', r.optionalString('corp_type'));
  set(info, 'corpSquareLogoUrl', r.optionalString('corp_square_logo_url'));
  set(info, 'corpUserMax', r.optionalNumber('corp_user_max'));
  set(info, 'corpFullName', r.optionalString('corp_full_name'));
  set(info, 'verifiedEndTime', r.optionalNumber('verified_end_time'));
  set(info, 'subjectType', r.optionalNumber('subject_type'));
  set(info, 'corpWxqrcode', r.optionalString('corp_wxqrcode'));
  set(info, 'corpScale', r.optionalString('corp_scale'));
  set(info, 'corpIndustry', r.optionalString('corp_industry'));
  set(info, 'corpSubIndustry', r.optionalString('corp_sub_industry'));
  return info;
}

export function mapAuthUserInfo(r: JsonReader): AuthUserInfo {
  const info: AuthUserInfo = {};
  set(info, 'userId', r.optionalString('userid'));
  set(info, 'openUserId', r.optionalString('open_userid'));
  set(info, 'name', r.optionalString('name'));
  set(info, 'avatar', r.optionalString('avatar'));
  return info;
}

/** Absent for a direct install, which WeCom may still answer with an empty block. */
function mapDealerCorpInfo(r: JsonReader): DealerCorpInfo | undefined {
  const corpId = r.optionalString('corpid');
  if (!corpId) return undefined;
  const info: DealerCorpInfo = { corpId };
  set(info, 'corpName', r.optionalString('corp_name') || undefined);
  return info;
}

/** The entries of an `agent` list that carry an agent id; the others say nothing the platform can use. */
function agentEntries(r: JsonReader): JsonReader[] {
  return r.objects('agent').filter((a) => a.optionalNumber('agentid') !== undefined);
}

function mapRegisterCodeInfo(r: JsonReader): RegisterCodeInfo {
  const info: RegisterCodeInfo = {};
  set(info, 'registerCode', r.optionalString('register_code'));
  set(info, 'templateId', r.optionalString('template_id'));
  set(info, 'state', r.optionalString('state'));
  return info;
}

function mapPrivilege(r: JsonReader): AgentPrivilege {
  const privilege: AgentPrivilege = {
    allowParty: r.numbers('allow_party'),
    allowUser: r.strings('allow_user'),
    allowTag: r.numbers('allow_tag'),
    extraParty: r.numbers('extra_party'),
    extraUser: r.strings('extra_user'),
    extraTag: r.numbers('extra_tag'),
  };
  set(privilege, 'level', r.optionalNumber('level'));
  return privilege;
}

function mapAgent(r: JsonReader): AuthAgent {
  const agent: AuthAgent = { agentId: r.number('agentid') };
  set(agent, 'name', r.optionalString('name'));
  set(agent, 'roundLogoUrl', r.optionalString('round_logo_url'));
  set(agent, 'squareLogoUrl', r.optionalString('square_logo_url'));
  set(agent, 'appId', r.optionalNumber('appid'));
  set(agent, 'authMode', r.optionalNumber('auth_mode'));
  set(agent, 'isCustomizedApp', r.optionalBoolean('is_customized_app'));
  set(agent, 'authFromThirdapp', r.optionalBoolean('auth_from_thirdapp'));
  const privilege = r.optionalObject('privilege');
  if (privilege) agent.privilege = mapPrivilege(privilege);
  const sharedFrom = r.optionalObject('shared_from');
  if (sharedFrom) {
    agent.sharedFrom = {};
    set(agent.sharedFrom, 'corpId', sharedFrom.optionalString('corpid'));
    set(agent.sharedFrom, 'shareType', sharedFrom.optionalNumber('share_type'));
  }
  return agent;
}

export function mapAuthInfo(r: JsonReader): AuthInfo {
  return { agents: agentEntries(r.tolerant()).map(mapAgent) };
}

export function mapEditionInfo(r: JsonReader): EditionInfo {
  return {
    agents: agentEntries(r.tolerant()).map((a) => {
      const agent: EditionInfo['agents'][number] = { agentId: a.number('agentid') };
      set(agent, 'editionId', a.optionalString('edition_id'));
      set(agent, 'editionName', a.optionalString('edition_name'));
      set(agent, 'appStatus', a.optionalNumber('app_status'));
      set(agent, 'userLimit', a.optionalNumber('user_limit'));
      set(agent, 'expiredTime', a.optionalNumber('expired_time'));
      set(agent, 'isVirtualVersion', a.optionalBoolean('is_virtual_version'));
      set(agent, 'isSharedFromOtherCorp', a.optionalBoolean('is_shared_from_other_corp'));
      return agent;
    }),
  };
}

export function mapPermanentCodeV2(strict: JsonReader): PermanentCodeV2 {
  const r = strict.tolerant();
  const result: PermanentCodeV2 = {
    permanentCode: strict.string('permanent_code'),
    authCorpInfo: mapAuthCorpInfo(strict.object('auth_corp_info')),
    raw: rawOf(r.json),
  };
  const authUser = r.optionalObject('auth_user_info');
  if (authUser) result.authUserInfo = mapAuthUserInfo(authUser);
  const registerCode = r.optionalObject('register_code_info');
  if (registerCode) result.registerCodeInfo = mapRegisterCodeInfo(registerCode);
  set(result, 'state', r.optionalString('state'));
  mapOptionalBlocks(r, result);
  return result;
}

export function mapPermanentCode(strict: JsonReader): PermanentCode {
  const r = strict.tolerant();
  const result: PermanentCode = mapPermanentCodeV2(strict);
  set(result, 'accessToken', r.optionalString('access_token') || undefined);
  set(result, 'expiresIn', r.optionalNumber('expires_in'));
  return result;
}

export function mapCorpAuthInfo(strict: JsonReader): CorpAuthInfo {
  const result: CorpAuthInfo = {
    authCorpInfo: mapAuthCorpInfo(strict.object('auth_corp_info')),
    authInfo: { agents: [] },
    raw: rawOf(strict.json),
  };
  mapOptionalBlocks(strict.tolerant(), result);
  return result;
}

/** auth_info, dealer_corp_info and edition_info, common to both exchanges (v2 may carry them) and get_auth_info. */
function mapOptionalBlocks(r: JsonReader, result: { authInfo?: AuthInfo; dealerCorpInfo?: DealerCorpInfo; editionInfo?: EditionInfo }): void {
  const authInfo = r.optionalObject('auth_info');
  if (authInfo) result.authInfo = mapAuthInfo(authInfo);
  const dealer = r.optionalObject('dealer_corp_info');
  const dealerInfo = dealer && mapDealerCorpInfo(dealer);
  if (dealerInfo) result.dealerCorpInfo = dealerInfo;
  const edition = r.optionalObject('edition_info');
  if (edition) result.editionInfo = mapEditionInfo(edition);
}

export function mapAdminList(r: JsonReader): AppAdmin[] {
  return r.objects('admin').map((a) => {
    const admin: AppAdmin = { authType: a.number('auth_type') };
    set(admin, 'userId', a.optionalString('userid'));
    set(admin, 'openUserId', a.optionalString('open_userid'));
    return admin;
  });
}

export function mapLoginInfo(r: JsonReader): LoginInfo {
  const user = r.optionalObject('user_info');
  const corp = r.optionalObject('corp_info');
  const auth = r.optionalObject('auth_info');
  const info: LoginInfo = {
    userType: r.number('usertype'),
    userInfo: user ? mapAuthUserInfo(user) : {},
    agents: r.objects('agent').map((a) => ({ agentId: a.number('agentid'), authType: a.number('auth_type') })),
    departments: (auth?.objects('department') ?? []).map((d) => ({
      id: d.number('id'),
      writable: d.optionalBoolean('writable') ?? false,
    })),
    raw: rawOf(r.json),
  };
  set(info, 'corpId', corp?.optionalString('corpid'));
  return info;
}

/**
 * Accepts the current lowercase fields and the CamelCase ones of the older `service/getuserinfo3rd`.
 * Neither a corp id nor an open id is a `WecomResponseError` about the missing corpid.
 */
export function mapUserInfo3rd(r: JsonReader): UserInfo3rd {
  const corpId = r.optionalString('corpid') ?? r.optionalString('CorpId');
  if (!corpId) {
    const openId = r.optionalString('openid') ?? r.optionalString('OpenId');
    if (openId) return { member: false, openId };
  }
  const info: Extract<UserInfo3rd, { member: true }> = { member: true, corpId: corpId || r.string('corpid') };
  set(info, 'userId', r.optionalString('userid') ?? r.optionalString('UserId'));
  set(info, 'openUserId', r.optionalString('open_userid'));
  set(info, 'userTicket', r.optionalString('user_ticket'));
  set(info, 'expiresIn', r.optionalNumber('expires_in'));
  return info;
}

export function mapUserDetail3rd(r: JsonReader): UserDetail3rd {
  const detail: UserDetail3rd = { corpId: r.string('corpid'), userId: r.string('userid'), raw: rawOf(r.json) };
  set(detail, 'name', r.optionalString('name'));
  set(detail, 'gender', r.optionalStringish('gender'));
  set(detail, 'avatar', r.optionalString('avatar'));
  set(detail, 'qrCode', r.optionalString('qr_code'));
  return detail;
}
