import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { AuthCorpRepository, SuiteRepository } from '@app/store';
import { TokenBroker } from '@app/tokens';
import { randomNonce, UserInfo3rd, WecomApiError, WecomServiceApi } from '@app/wecom';
import { AuthAppError, suiteNotFound } from '../auth-errors.js';
import { AuthMetrics } from '../auth-metrics.js';
import { parseHttpUrl, withQuery } from '../common/redirect-url.js';
import { LoginClaims, LoginTokenError, LoginTokenSigner, OAuthScope } from './login-token.js';
import { OAuthStateStore } from './oauth-state.store.js';
import { PendingLogin } from './pending-login.js';

/** errcode of an OAuth code that is wrong, expired or already used. */
const INVALID_OAUTH_CODE = 40029;

export interface LoginResult {
  token: string;
  claims: LoginClaims;
  /** where to send the browser, the token appended; null = answer JSON */
  redirect: string | null;
}

/** Third-party OAuth for members of installed corps: link out to WeCom, code back in, signed result out. */
@Injectable()
export class OAuthService {
  private readonly logger = new Logger('OAuth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    private readonly suites: SuiteRepository,
    private readonly corps: AuthCorpRepository,
    private readonly broker: TokenBroker,
    private readonly api: WecomServiceApi,
    private readonly states: OAuthStateStore,
    private readonly signer: LoginTokenSigner,
    private readonly metrics: AuthMetrics,
  ) {}

  /**
   * WeCom's OAuth URL for the suite, with a fresh state, and the pending login the browser keeps (in a signed cookie:
   * nothing is stored here for an anonymous request).
   */
  async authorize(suiteId: string, scope: OAuthScope, redirect: string | undefined, corpId?: string): Promise<{ location: string; pending: PendingLogin }> {
    const suite = await this.suites.find(suiteId);
    if (!suite) throw suiteNotFound(suiteId);
    if (redirect !== undefined) this.checkRedirect(redirect, suite.successUrl, suite.redirectOrigins);
    const pending: PendingLogin = { state: randomNonce(32), suiteId, scope, redirect: redirect ?? null };
    let appId = suiteId;
    let agentId: string | undefined;
    if (suite.customizedApp) {
      // 代开发: the corp's own OAuth — appid = the corp's id, agentid = the app's agent in it (getuserinfo3rd refuses these).
      if (!corpId) throw new AuthAppError('corp_not_found', `suite ${suiteId} is a 代开发 template: name the corp (?corpId=) whose members log in`);
      const tenant = await this.corps.find(suiteId, corpId);
      if (tenant?.status !== 'active') throw new AuthAppError('corp_not_found', `corp ${corpId} is not an active tenant of ${suiteId}`);
      if (tenant.agentId === null) throw new AuthAppError('corp_has_no_agent', `corp ${corpId} has no agent id recorded for ${suiteId} yet`);
      appId = corpId;
      agentId = String(tenant.agentId);
      pending.corpId = corpId;
    }
    // WeCom wants these parameters in this order, and the fragment.
    const query = new URLSearchParams({
      appid: appId,
      redirect_uri: `${this.config.PUBLIC_BASE_URL}/oauth/${encodeURIComponent(suiteId)}/callback`,
      response_type: 'code',
      scope,
      state: pending.state,
      ...(agentId ? { agentid: agentId } : {}),
    });
    return { location: `${this.config.WECOM_OAUTH_BASE}/connect/oauth2/authorize?${query.toString()}#wechat_redirect`, pending };
  }

  /**
   * The member is back with a code: who is it? Signs the answer for the caller. `pending` is what the cookie of this
   * browser holds: a callback whose state is not the one this browser was sent out with (a link someone else started,
   * i.e. login CSRF) is refused before WeCom is asked anything.
   */
  async callback(suiteId: string, code: string, state: string, pending: PendingLogin | null): Promise<LoginResult> {
    if (!pending || pending.state !== state || pending.suiteId !== suiteId) {
      this.metrics.logins.inc({ outcome: 'invalid_state' });
      throw new AuthAppError('invalid_oauth_state', 'this login was not started in this browser, or has expired or been used: start the login again');
    }
    const user = pending.corpId ? await this.identifyInCorp(suiteId, pending.corpId, code) : await this.identify(suiteId, code);
    const claims = await this.claimsFor(suiteId, pending.scope, user, pending.redirect);
    const token = this.signer.sign(claims);
    this.metrics.logins.inc({ outcome: 'ok' });
    this.logger.log({ msg: 'oauth login', suiteId, corpId: claims.corpId ?? null, member: claims.member, scope: claims.scope });
    return { token, claims, redirect: pending.redirect ? withQuery(pending.redirect, { wecom_login: token }) : null };
  }

  /** Checks a login token for the caller's backend; each token verifies once. */
  async verify(suiteId: string, token: string, audience: string): Promise<LoginClaims> {
    let claims: LoginClaims;
    try {
      claims = this.signer.verify(token);
    } catch (err) {
      if (!(err instanceof LoginTokenError)) throw err;
      throw new AuthAppError(err.problem === 'expired' ? 'login_token_expired' : 'invalid_login_token', err.message);
    }
    if (claims.suiteId !== suiteId) throw new AuthAppError('invalid_login_token', 'login token was issued for another suite');
    if (claims.aud !== parseHttpUrl(audience)?.origin) throw new AuthAppError('invalid_login_token', 'login token was issued for another audience');
    if (!(await this.states.markUsed(claims.jti, claims.exp))) throw new AuthAppError('login_token_used', 'login token was already verified once');
    return claims;
  }

  /** 代开发: the corp's own `auth/getuserinfo` with its access token (the login route picks it by the suite's kind). */
  private async identifyInCorp(suiteId: string, corpId: string, code: string): Promise<UserInfo3rd> {
    try {
      const info = await this.broker.withToken({ kind: 'corp', suiteId, corpId }, (token) => this.api.getCorpUserInfo(token, code));
      const user: UserInfo3rd = info.userId ? { member: true, corpId, userId: info.userId } : { member: false, openId: info.openId ?? '' };
      return user;
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === INVALID_OAUTH_CODE) {
        this.metrics.logins.inc({ outcome: 'invalid_code' });
        throw new AuthAppError('invalid_oauth_code', 'WeCom refused the OAuth code (wrong, expired or used): start the login again');
      }
      throw err;
    }
  }

  private async identify(suiteId: string, code: string): Promise<UserInfo3rd> {
    try {
      return await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) => this.api.getUserInfo3rd(suiteToken, code));
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === INVALID_OAUTH_CODE) {
        this.metrics.logins.inc({ outcome: 'invalid_code' });
        throw new AuthAppError('invalid_oauth_code', 'WeCom refused the OAuth code (wrong, expired or used): start the login again');
      }
      throw err;
    }
  }

  private async claimsFor(suiteId: string, scope: OAuthScope, user: UserInfo3rd, redirect: string | null): Promise<LoginClaims> {
    const iat = Math.floor(Date.now() / 1000);
    const base = { suiteId, scope, iat, exp: iat + this.config.OAUTH_RESULT_TTL_SECONDS, jti: randomUUID() };
    const aud = new URL(redirect ?? this.config.PUBLIC_BASE_URL).origin;
    if (!user.member) return { ...base, aud, member: false, openId: user.openId };
    const tenant = await this.corps.find(suiteId, user.corpId);
    if (tenant?.status !== 'active') {
      // WeCom vouches for the person, not for our relation with their corp: not installed (or cancelled) → no member.
      return dropUndefined({ ...base, aud, member: false, corpId: user.corpId, openUserId: user.openUserId });
    }
    const claims: LoginClaims = { ...base, aud, member: true, corpId: user.corpId, userId: user.userId, openUserId: user.openUserId };
    if (scope === 'snsapi_privateinfo' && user.userTicket) {
      const ticket = user.userTicket;
      const detail = await this.broker.withToken({ kind: 'suite', suiteId }, (suiteToken) => this.api.getUserDetail3rd(suiteToken, ticket));
      // Contact details (mobile, email, address) stay out: this token travels in a URL.
      Object.assign(claims, dropUndefined({ name: detail.name, gender: detail.gender, avatar: detail.avatar }));
    }
    return dropUndefined(claims);
  }

  /**
   * A login result may only go to PUBLIC_BASE_URL's origin, the suite's success URL's, the suite's own
   * `redirectOrigins` or OAUTH_REDIRECT_ORIGINS (all suites); over https whenever the platform itself is served over
   * https (a token in a plain-http URL can be read on the way).
   */
  private checkRedirect(redirect: string, successUrl: string | null, suiteOrigins: string[]): void {
    const target = parseHttpUrl(redirect);
    const origins = new Set([new URL(this.config.PUBLIC_BASE_URL).origin, ...suiteOrigins, ...this.config.OAUTH_REDIRECT_ORIGINS]);
    const success = successUrl ? parseHttpUrl(successUrl) : null;
    if (success) origins.add(success.origin);
    if (!target || !origins.has(target.origin)) {
      throw new AuthAppError('redirect_not_allowed', "redirect must be on PUBLIC_BASE_URL, the suite's success URL or one of its redirectOrigins");
    }
    if (target.protocol !== 'https:' && this.config.PUBLIC_BASE_URL.startsWith('https:')) {
      throw new AuthAppError('redirect_not_allowed', 'redirect must use https');
    }
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
