import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ProviderRepository } from '@app/store';
import { providerTokenKey, TokenBroker } from '@app/tokens';
import { LoginInfo, randomNonce, WecomApiError, WecomServiceApi } from '@app/wecom';
import { AuthAppError } from '../auth-errors.js';
import { decodeCookieJson } from '../common/browser-cookies.js';
import { parseHttpUrl, withQuery } from '../common/redirect-url.js';
import { LoginTokenError, LoginTokenSigner, ProviderLoginClaims } from '../oauth/login-token.js';
import { OAuthStateStore } from '../oauth/oauth-state.store.js';

/** get_login_info's errcode for a wrong, expired or used auth_code. */
const INVALID_CODE = 40029;

/** A provider login between our start route and WeCom's redirect back, kept in the browser's signed cookie. */
export interface PendingProviderLogin {
  state: string;
  providerCorpId: string;
  redirect: string | null;
}

export const PENDING_PROVIDER_LOGIN_TTL_SECONDS = 600;

export interface ProviderLoginResult {
  token: string;
  claims: ProviderLoginClaims;
  redirect: string | null;
}

/**
 * Provider web login (服务商后台/官网扫码登录, WeCom's 3rd_qrConnect): a corp admin or member scans on WeCom's page,
 * WeCom sends the browser back with an `auth_code`, get_login_info (provider token) says who it is, and the caller's
 * site gets a signed login token like the member OAuth hands out (`?wecom_login=`), verifiable once.
 */
@Injectable()
export class ProviderLoginService {
  private readonly logger = new Logger('ProviderLogin');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    private readonly providers: ProviderRepository,
    private readonly broker: TokenBroker,
    private readonly api: WecomServiceApi,
    private readonly signer: LoginTokenSigner,
    private readonly states: OAuthStateStore,
  ) {}

  /**
   * WeCom's login page for the provider (`{WECOM_INSTALL_BASE}/wwopen/sso/3rd_qrConnect?appid=<provider corpid>&
   * redirect_uri&state&usertype`) and the pending login the browser keeps. `userType`: `admin` (default) or `member`.
   */
  async start(providerCorpId: string, userType: 'admin' | 'member', redirect: string | undefined): Promise<{ location: string; pending: PendingProviderLogin }> {
    const provider = await this.providers.find(providerCorpId);
    if (!provider) throw new AuthAppError('provider_not_found', `provider ${providerCorpId} is not registered`);
    if (redirect !== undefined) this.checkRedirect(redirect);
    const pending: PendingProviderLogin = { state: randomNonce(32), providerCorpId, redirect: redirect ?? null };
    const location = this.qrConnectUrl(providerCorpId, `${this.config.PUBLIC_BASE_URL}/login/${encodeURIComponent(providerCorpId)}/callback`, pending.state, userType);
    return { location, pending };
  }

  /**
   * WeCom's scan-to-log-in page (`{WECOM_INSTALL_BASE}/wwopen/sso/3rd_qrConnect?appid=<provider corpid>&redirect_uri&
   * state&usertype`): `admin` scans with WeChat as a corp admin, `member` with the WeCom app as a member. WeCom sends
   * the browser to `redirect_uri?auth_code&state`; its host must be the provider's 登录授权 trusted domain.
   */
  qrConnectUrl(providerCorpId: string, redirectUri: string, state: string, userType: 'admin' | 'member'): string {
    const query = new URLSearchParams({ appid: providerCorpId, redirect_uri: redirectUri, state, usertype: userType });
    return `${this.config.WECOM_INSTALL_BASE}/wwopen/sso/3rd_qrConnect?${query.toString()}`;
  }

  /**
   * Who scanned: get_login_info with the provider token, once per auth_code (WeCom spends it). Throws AuthAppError
   * `invalid_oauth_code` for WeCom's 40029 (wrong, expired or used code); token and WeCom failures as they come.
   */
  async loginInfo(providerCorpId: string, authCode: string): Promise<LoginInfo> {
    try {
      return await this.broker.withToken(providerTokenKey(providerCorpId), (token) => this.api.getLoginInfo(token, authCode));
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === INVALID_CODE) {
        throw new AuthAppError('invalid_oauth_code', 'WeCom refused the login code (wrong, expired or used): start the login again');
      }
      throw err;
    }
  }

  /** WeCom's redirect back: only in the browser that started it (the cookie's state), then get_login_info once. */
  async callback(providerCorpId: string, authCode: string, state: string, pending: PendingProviderLogin | null): Promise<ProviderLoginResult> {
    if (!pending || pending.state !== state || pending.providerCorpId !== providerCorpId) {
      throw new AuthAppError('invalid_oauth_state', 'this login was not started in this browser, or has expired or been used: start the login again');
    }
    const info = await this.loginInfo(providerCorpId, authCode);
    const iat = Math.floor(Date.now() / 1000);
    const claims: ProviderLoginClaims = dropUndefined({
      kind: 'provider_login' as const,
      providerCorpId,
      userType: info.userType === 5 ? ('member' as const) : ('admin' as const),
      wecomUserType: info.userType,
      corpId: info.corpId,
      userId: info.userInfo.userId,
      openUserId: info.userInfo.openUserId,
      name: info.userInfo.name,
      avatar: info.userInfo.avatar,
      agents: info.agents,
      aud: new URL(pending.redirect ?? this.config.PUBLIC_BASE_URL).origin,
      iat,
      exp: iat + this.config.OAUTH_RESULT_TTL_SECONDS,
      jti: randomUUID(),
    });
    const token = this.signer.sign(claims);
    this.logger.log({ msg: 'provider login', providerCorpId, corpId: claims.corpId ?? null, userType: claims.userType });
    return { token, claims, redirect: pending.redirect ? withQuery(pending.redirect, { wecom_login: token }) : null };
  }

  /** The vendor's backend checks a provider-login token once, for the audience (origin) it was handed to. */
  async verify(providerCorpId: string, token: string, audience: string): Promise<ProviderLoginClaims> {
    let claims: ProviderLoginClaims;
    try {
      claims = this.signer.verifyProviderLogin(token);
    } catch (err) {
      if (!(err instanceof LoginTokenError)) throw err;
      throw new AuthAppError(err.problem === 'expired' ? 'login_token_expired' : 'invalid_login_token', err.message);
    }
    if (claims.providerCorpId !== providerCorpId) throw new AuthAppError('invalid_login_token', 'login token was issued for another provider');
    if (claims.aud !== parseHttpUrl(audience)?.origin) throw new AuthAppError('invalid_login_token', 'login token was issued for another audience');
    if (!(await this.states.markUsed(claims.jti, claims.exp))) throw new AuthAppError('login_token_used', 'login token was already verified once');
    return claims;
  }

  /** A login result goes only to PUBLIC_BASE_URL's origin or OAUTH_REDIRECT_ORIGINS, over https when the platform is. */
  private checkRedirect(redirect: string): void {
    const target = parseHttpUrl(redirect);
    const origins = new Set([new URL(this.config.PUBLIC_BASE_URL).origin, ...this.config.OAUTH_REDIRECT_ORIGINS]);
    if (!target || !origins.has(target.origin)) throw new AuthAppError('redirect_not_allowed', 'redirect must be on PUBLIC_BASE_URL or one of OAUTH_REDIRECT_ORIGINS');
    if (target.protocol !== 'https:' && this.config.PUBLIC_BASE_URL.startsWith('https:')) throw new AuthAppError('redirect_not_allowed', 'redirect must use https');
  }
}

/** The pending login a (signature-checked) cookie value holds; null when it holds none. */
export function decodePendingProviderLogin(value: string | null): PendingProviderLogin | null {
  return decodeCookieJson<PendingProviderLogin>(value, (p) => typeof p.state === 'string' && typeof p.providerCorpId === 'string' && (p.redirect === null || typeof p.redirect === 'string'));
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
