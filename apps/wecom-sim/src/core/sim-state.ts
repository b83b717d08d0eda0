import { ExpiringMap } from './expiring-map.js';
import { TokenStore } from './token-store.js';

/** A suite (third-party app) as the ISV registered it, plus what WeCom keeps about it. */
export interface SuiteRecord {
  suiteId: string;
  suiteSecret: string;
  token: string;
  encodingAesKey: string;
  name: string;
  commandCallbackUrl?: string;
  dataCallbackUrl?: string;
  providerCorpId?: string;
  providerSecret?: string;
  /**
   * The provider's own corpid (every provider has one, whether or not its secret was registered here): the
   * receiveid of URL verification GETs. Defaults to `providerCorpId`, else a generated `wwsp…` id.
   */
  serviceCorpId: string;
  /** 个人主体 (individual) developer: every callback is encrypted with the empty receiveid. */
  personal: boolean;
  /** a 代开发 template registered under an id without WeCom's `dk` prefix (ids with it are templates anyway) */
  customized?: boolean;
  /** 授权发起域名: install links are accepted only when clicked on a page of this host. */
  installDomain?: string;
  /** suite_tickets pushed to this suite → simulated issue time. */
  tickets: Map<string, number>;
  latestTicket?: string;
  /** Simulated time of the next automatic suite_ticket push. */
  nextTicketAt: number;
  /** `${suiteId}|${corpId}` keys of every authorization, in creation order (for paging). */
  authKeys: string[];
  createdAt: number;
}

export interface SimUser {
  userid: string;
  name: string;
  gender: '0' | '1' | '2';
  mobile: string;
  email: string;
  bizMail: string;
  address: string;
  department: number[];
}

/** An enterprise. Kept lean (derived fields are computed when answering) so 100,000 seeded corps stay cheap. */
export interface CorpRecord {
  corpId: string;
  corpName: string;
  createdAt: number;
  /** users[0] is the creator / super admin who installs apps. */
  users: SimUser[];
  /** Next agentid to hand out when an app is installed in this corp. */
  nextAgentId: number;
}

export type AuthStatus = 'active' | 'cancelled';

/** The authorization of one suite by one corp: what the permanent_code stands for. */
export interface AuthorizationRecord {
  suiteId: string;
  corpId: string;
  permanentCode: string;
  status: AuthStatus;
  agentId: number;
  /** 0 = formal authorization, 1 = test authorization (set_session_info). */
  authType: 0 | 1;
  state: string;
  /** The admin who approved the install (auth_user_info). */
  authUserId: string;
  /** 代开发: this corp's data callbacks configured with their own Token and EncodingAESKey (else the suite's). */
  callbackKeys?: { token: string; encodingAesKey: string };
  installedAt: number;
  updatedAt: number;
}

export interface PreAuthCodeRecord {
  suiteId: string;
  expiresAt: number;
  authType: 0 | 1;
  appIds: number[];
}

export interface AuthCodeRecord {
  suiteId: string;
  corpId: string;
  expiresAt: number;
}

export interface OauthCodeRecord {
  suiteId: string;
  corpId: string;
  userId: string;
  scope: string;
  expiresAt: number;
}

export interface UserTicketRecord {
  suiteId: string;
  corpId: string;
  userId: string;
  expiresAt: number;
}

export interface LoginCodeRecord {
  providerCorpId: string;
  corpId: string;
  userId: string;
  expiresAt: number;
}

const DAY_MS = 86_400_000;

export function authKey(suiteId: string, corpId: string): string {
  return `${suiteId}|${corpId}`;
}

/** Everything the simulated WeCom knows, in memory, keyed for O(1) access. */
export class SimState {
  readonly suites = new Map<string, SuiteRecord>();
  readonly corps = new Map<string, CorpRecord>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  /** provider corpid → provider_secret, from the suites that registered provider credentials. */
  readonly providers = new Map<string, string>();
  readonly tokens = new TokenStore();
  readonly preAuthCodes = new ExpiringMap<PreAuthCodeRecord>(DAY_MS);
  readonly authCodes = new ExpiringMap<AuthCodeRecord>(0);
  readonly oauthCodes = new ExpiringMap<OauthCodeRecord>(0);
  readonly userTickets = new ExpiringMap<UserTicketRecord>(0);
  readonly loginCodes = new ExpiringMap<LoginCodeRecord>(0);

  suite(suiteId: string): SuiteRecord | undefined {
    return this.suites.get(suiteId);
  }

  authorization(suiteId: string, corpId: string): AuthorizationRecord | undefined {
    return this.authorizations.get(authKey(suiteId, corpId));
  }

  clear(): void {
    this.suites.clear();
    this.corps.clear();
    this.authorizations.clear();
    this.providers.clear();
    this.tokens.clear();
    this.preAuthCodes.clear();
    this.authCodes.clear();
    this.oauthCodes.clear();
    this.userTickets.clear();
    this.loginCodes.clear();
  }
}
