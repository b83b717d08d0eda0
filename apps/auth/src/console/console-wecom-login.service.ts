import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ConsoleUserInfo, ConsoleUserRepository, ProviderRepository } from '@app/store';
import { randomNonce } from '@app/wecom';
import { AuthAppError } from '../auth-errors.js';
import { decodeCookieJson } from '../common/browser-cookies.js';
import { OAuthStateStore } from '../oauth/oauth-state.store.js';
import { ProviderLoginService } from '../provider-login/provider-login.service.js';

/** A console WeCom sign-in between our start route and WeCom's redirect back, kept in the browser's signed cookie. */
export interface PendingConsoleWecomLogin {
  state: string;
  /** unix seconds after which the state is refused even if the cookie is still sent */
  exp: number;
}

export const PENDING_CONSOLE_WECOM_LOGIN_TTL_SECONDS = 600;

/** Where WeCom sends the browser back (the provider's 登录授权 trusted domain must be PUBLIC_BASE_URL's host). */
export const CONSOLE_WECOM_CALLBACK_PATH = '/api/v1/console/session/wecom/callback';

/**
 * A refusal of a WeCom sign-in, with the WeCom userid when the scan named one (the sign-in page shows it, so the
 * person can ask an admin to link exactly that account).
 */
export class WecomSignInRefusal extends AuthAppError {
  constructor(
    code: 'wecom_corp_not_allowed' | 'wecom_user_without_userid' | 'wecom_user_not_linked' | 'console_user_disabled',
    message: string,
    readonly wecomUserId?: string,
  ) {
    super(code, message);
  }
}

/**
 * "Sign in with WeCom" (企业微信扫码登录) for the vendor's own staff: WeCom's 3rd_qrConnect page for the provider corp
 * named by CONSOLE_WECOM_LOGIN_PROVIDER_CORPID (usertype=member: a member scans with the WeCom app), then
 * get_login_info with the provider token. Only a member of that same corp (corp_info.corpid) whose userid
 * (user_info.userid) an admin linked to an enabled console user gets in; a scan never creates a user.
 * WeCom doc: 服务商后台/官网扫码登录, 获取登录用户信息 (service/get_login_info).
 */
@Injectable()
export class ConsoleWecomLoginService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConsoleWecomLogin');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    private readonly logins: ProviderLoginService,
    private readonly providers: ProviderRepository,
    private readonly users: ConsoleUserRepository,
    private readonly states: OAuthStateStore,
  ) {}

  /** The provider corp whose staff may sign in, or undefined when WeCom sign-in is off. */
  get providerCorpId(): string | undefined {
    return this.config.CONSOLE_WECOM_LOGIN_PROVIDER_CORPID;
  }

  /**
   * A configured provider that is not registered (or has no ProviderSecret) cannot get the provider token that
   * get_login_info needs: say so at start-up rather than at the first scan. Not fatal: the provider may be registered
   * after the app starts (`provider add`, admin API), and password sign-in keeps working meanwhile.
   */
  async onApplicationBootstrap(): Promise<void> {
    const corpId = this.providerCorpId;
    if (!corpId) return;
    const provider = await this.providers.find(corpId).catch(() => undefined);
    if (provider === undefined) return;
    if (!provider) this.logger.warn({ msg: 'CONSOLE_WECOM_LOGIN_PROVIDER_CORPID names a provider that is not registered: WeCom sign-in fails until `provider add` registers it', providerCorpId: corpId });
    else if (!provider.hasSecret) this.logger.warn({ msg: 'the console WeCom sign-in provider has no ProviderSecret: WeCom sign-in fails until one is set', providerCorpId: corpId });
  }

  /** WeCom's login page for the staff and the pending sign-in the browser keeps. */
  async start(): Promise<{ location: string; pending: PendingConsoleWecomLogin }> {
    const corpId = this.enabledCorpId();
    if (!(await this.providers.find(corpId))) throw new AuthAppError('provider_not_found', `WeCom sign-in is configured for provider ${corpId}, which is not registered`);
    const pending = { state: randomNonce(32), exp: Math.floor(Date.now() / 1000) + PENDING_CONSOLE_WECOM_LOGIN_TTL_SECONDS };
    return { location: this.logins.qrConnectUrl(corpId, `${this.config.PUBLIC_BASE_URL}${CONSOLE_WECOM_CALLBACK_PATH}`, pending.state, 'member'), pending };
  }

  /**
   * WeCom's redirect back → the console user to open a session for. The state must be the one this browser's cookie
   * holds, unexpired and never used before (kept in Redis until it expires, so a replayed redirect is refused even
   * where the cookie survives). Throws AuthAppError: `invalid_oauth_state`, `invalid_oauth_code`,
   * `wecom_login_disabled`, and WecomSignInRefusal for who scanned.
   */
  async signIn(authCode: string | undefined, state: string | undefined, pending: PendingConsoleWecomLogin | null): Promise<ConsoleUserInfo> {
    const corpId = this.enabledCorpId();
    if (!pending || !state || pending.state !== state || pending.exp <= Math.floor(Date.now() / 1000)) {
      throw new AuthAppError('invalid_oauth_state', 'this sign-in was not started in this browser, or has expired or been used: start it again');
    }
    if (!(await this.states.markUsed(`console-wecom-state:${state}`, pending.exp))) {
      throw new AuthAppError('invalid_oauth_state', 'this sign-in was already completed once: start it again');
    }
    if (!authCode) throw new AuthAppError('invalid_oauth_code', 'WeCom sent no auth_code: start the sign-in again');
    const info = await this.logins.loginInfo(corpId, authCode);
    if (info.corpId !== corpId) {
      throw new WecomSignInRefusal('wecom_corp_not_allowed', `only members of the provider corp ${corpId} may sign in; this WeCom account belongs to ${info.corpId ?? 'no corp'}`);
    }
    const userId = info.userInfo.userId;
    // WeCom leaves out userid when the scanner is not in the corp's address book (e.g. an external admin).
    if (!userId) throw new WecomSignInRefusal('wecom_user_without_userid', 'WeCom did not say which member signed in (no userid): sign in with a member account of the corp');
    const user = await this.users.findByWecom(corpId, userId);
    if (!user) throw new WecomSignInRefusal('wecom_user_not_linked', `WeCom user ${userId} is not linked to a console user: ask a console admin to link it`, userId);
    if (user.disabledAt) throw new WecomSignInRefusal('console_user_disabled', `the console user linked to WeCom user ${userId} is disabled`, userId);
    this.logger.log({ msg: 'console sign-in with WeCom', consoleUserId: user.id, providerCorpId: corpId, wecomUserType: info.userType });
    return user;
  }

  private enabledCorpId(): string {
    const corpId = this.providerCorpId;
    if (!corpId) throw new AuthAppError('wecom_login_disabled', 'sign-in with WeCom is not configured (CONSOLE_WECOM_LOGIN_PROVIDER_CORPID)');
    return corpId;
  }
}

/** The pending sign-in a (signature-checked) cookie value holds; null when it holds none. */
export function decodePendingConsoleWecomLogin(value: string | null): PendingConsoleWecomLogin | null {
  return decodeCookieJson<PendingConsoleWecomLogin>(value, (p) => typeof p.state === 'string' && typeof p.exp === 'number');
}
