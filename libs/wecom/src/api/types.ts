export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A token or ticket and its lifetime in seconds, as WeCom returned it. */
export interface ExpiringValue {
  expiresIn: number;
}

export interface SuiteAccessToken extends ExpiringValue {
  suiteAccessToken: string;
}

export interface PreAuthCode extends ExpiringValue {
  preAuthCode: string;
}

export interface SessionInfo {
  /** Restrict the install to these app ids of a multi-app suite; omit for all. */
  appIds?: number[];
  /** 0: normal install, 1: test install (apps not yet published). */
  authType: 0 | 1;
}

export interface CorpAccessToken extends ExpiringValue {
  accessToken: string;
}

export interface ProviderAccessToken extends ExpiringValue {
  providerAccessToken: string;
}

export interface JsapiTicket extends ExpiringValue {
  ticket: string;
}

export interface AuthCorpInfo {
  corpId: string;
  corpName: string;
  corpType?: string;
  corpSquareLogoUrl?: string;
  corpUserMax?: number;
  corpFullName?: string;
  verifiedEndTime?: number;
  subjectType?: number;
  corpWxqrcode?: string;
  corpScale?: string;
  corpIndustry?: string;
  corpSubIndustry?: string;
}

export interface AuthUserInfo {
  userId?: string;
  openUserId?: string;
  name?: string;
  avatar?: string;
}

export interface DealerCorpInfo {
  corpId: string;
  corpName?: string;
}

export interface RegisterCodeInfo {
  registerCode?: string;
  templateId?: string;
  state?: string;
}

export interface AgentPrivilege {
  level?: number;
  allowParty: number[];
  allowUser: string[];
  allowTag: number[];
  extraParty: number[];
  extraUser: string[];
  extraTag: number[];
}

export interface AuthAgent {
  agentId: number;
  name?: string;
  roundLogoUrl?: string;
  squareLogoUrl?: string;
  appId?: number;
  /** 0: admin authorization, 1: member authorization. */
  authMode?: number;
  isCustomizedApp?: boolean;
  authFromThirdapp?: boolean;
  privilege?: AgentPrivilege;
  sharedFrom?: { corpId?: string; shareType?: number };
}

export interface AuthInfo {
  agents: AuthAgent[];
}

export interface EditionAgent {
  agentId: number;
  editionId?: string;
  editionName?: string;
  /** 0 unpaid, 1 trial, 2 trial expired, 3 paid, 4 paid expired, 5 unlimited trial, 6–7 over user limit. */
  appStatus?: number;
  userLimit?: number;
  expiredTime?: number;
  isVirtualVersion?: boolean;
  isSharedFromOtherCorp?: boolean;
}

export interface EditionInfo {
  agents: EditionAgent[];
}

/** `POST /cgi-bin/service/v2/get_permanent_code`: the faster exchange, without auth info or a first access token. */
export interface PermanentCodeV2 {
  permanentCode: string;
  authCorpInfo: AuthCorpInfo;
  authUserInfo?: AuthUserInfo;
  registerCodeInfo?: RegisterCodeInfo;
  /** The `state` of the install link. */
  state?: string;
  /** v1 always carries these; v2 answers may. */
  authInfo?: AuthInfo;
  /** Only for installs through a dealer (an empty block from WeCom reads as absent). */
  dealerCorpInfo?: DealerCorpInfo;
  editionInfo?: EditionInfo;
  /** The whole response, errcode and errmsg removed. */
  raw: JsonObject;
}

/** `POST /cgi-bin/service/get_permanent_code` (v1): also the corp's first access token. */
export interface PermanentCode extends PermanentCodeV2 {
  accessToken?: string;
  expiresIn?: number;
}

export interface CorpAuthInfo {
  authCorpInfo: AuthCorpInfo;
  authInfo: AuthInfo;
  dealerCorpInfo?: DealerCorpInfo;
  editionInfo?: EditionInfo;
  raw: JsonObject;
}

export interface AppAdmin {
  userId?: string;
  openUserId?: string;
  /** 0: may send messages, 1: may manage the app. */
  authType: number;
}

export interface LoginInfo {
  /** 1 creator, 2 internal admin, 3 external admin, 4 branch admin, 5 member. */
  userType: number;
  userInfo: AuthUserInfo;
  corpId?: string;
  agents: { agentId: number; authType: number }[];
  departments: { id: number; writable: boolean }[];
  raw: JsonObject;
}

/** `getuserinfo3rd`: a member of some corp, or (no corp) a WeChat user outside any corp. */
export type UserInfo3rd =
  | {
      member: true;
      corpId: string;
      userId?: string;
      openUserId?: string;
      /** Present for snsapi_privateinfo when the user is within the app's visible range. */
      userTicket?: string;
      /** Lifetime of `userTicket`, in seconds. */
      expiresIn?: number;
    }
  | { member: false; openId: string };

export interface UserDetail3rd {
  corpId: string;
  userId: string;
  name?: string;
  /** "0" unknown, "1" male, "2" female. */
  gender?: string;
  avatar?: string;
  qrCode?: string;
  raw: JsonObject;
}
