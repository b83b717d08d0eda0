import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { InstallSession, InstallSessionRepository, SuiteRepository } from '@app/store';
import { TokenBroker } from '@app/tokens';
import { WecomServiceApi } from '@app/wecom';
import { AuthAppError, suiteNotFound } from '../auth-errors.js';
import { AuthMetrics } from '../auth-metrics.js';
import { withQuery } from '../common/redirect-url.js';
import { InstallResultDto } from './install.dto.js';
import { LinkInstallService } from './link-install.service.js';

/** Where to send the browser, what to answer, or "still installing: ask again shortly". */
export type InstallOutcome = { redirect: string } | { result: InstallResultDto } | { pending: true };

/** An install started by a click: where to send the browser, and the state its cookie must carry back. */
export interface StartedInstall {
  location: string;
  state: string;
  ttlSeconds: number;
}

/**
 * The install link and its completion. The completion and the create_auth callback race to exchange the same
 * auth_code; CorpAuthorizationService lets exactly one of them call WeCom and hands both the same tenant.
 */
@Injectable()
export class InstallService {
  private readonly logger = new Logger('Install');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    private readonly suites: SuiteRepository,
    private readonly sessions: InstallSessionRepository,
    private readonly broker: TokenBroker,
    private readonly api: WecomServiceApi,
    private readonly linkInstalls: LinkInstallService,
    private readonly metrics: AuthMetrics,
  ) {}

  /** What the install page shows for this suite; costs one suite lookup, no WeCom call and no write. */
  async page(suiteId: string): Promise<{ suiteName: string; logoUrl: string | null; description: string | null }> {
    const suite = await this.suites.find(suiteId);
    if (!suite) throw suiteNotFound(suiteId);
    return { suiteName: suite.name, logoUrl: suite.logoUrl, description: suite.description };
  }

  /**
   * The install button was pressed: gets a pre_auth_code, sets the install type, opens a session; returns WeCom's
   * install page URL and the session's state (the browser's cookie binds the completion to it).
   */
  async start(suiteId: string, input: { callerState?: string; authType?: 0 | 1 }): Promise<StartedInstall> {
    const suite = await this.suites.find(suiteId);
    if (!suite) throw suiteNotFound(suiteId);
    const authType: 0 | 1 = input.authType ?? (suite.defaultAuthType === 1 ? 1 : 0);
    const preAuth = await this.broker.withToken({ kind: 'suite', suiteId }, async (suiteToken) => {
      const code = await this.api.getPreAuthCode(suiteToken);
      await this.api.setSessionInfo(suiteToken, code.preAuthCode, { authType });
      return code;
    });
    // The session must not outlive the pre_auth_code it was opened with.
    const ttlSeconds = Math.max(1, Math.min(this.config.INSTALL_SESSION_TTL_SECONDS, preAuth.expiresIn));
    const session = await this.sessions.create({ suiteId, authType, callerState: input.callerState, ttlSeconds });
    this.logger.log({ msg: 'install started', suiteId, authType, sessionId: session.id });
    const location = withQuery(`${this.config.WECOM_INSTALL_BASE}/3rdapp/install`, {
      suite_id: suiteId,
      pre_auth_code: preAuth.preAuthCode,
      redirect_uri: `${this.config.PUBLIC_BASE_URL}/install/${encodeURIComponent(suiteId)}/complete`,
      state: session.state,
    });
    return { location, state: session.state, ttlSeconds };
  }

  /**
   * The browser is back from WeCom: check the state, exchange the code (once, whoever is first), answer.
   * `browserState` is the state in the cookie of the browser that pressed the button. When it is not this state, the
   * redirect did not come from that browser (an install link handed to someone else): the code is still exchanged —
   * WeCom's auth_code proves an admin approved, and the tenant must not be lost — but the caller's state is not
   * handed on, so nobody's account gets tied to an install they did not make.
   */
  async complete(suiteId: string, authCode: string, state: string, browserState: string | null): Promise<InstallOutcome> {
    const session = await this.sessionFor(suiteId, authCode, state);
    if (!session) {
      this.metrics.installs.inc({ outcome: 'invalid_state' });
      throw new AuthAppError('invalid_install_state', 'this install link is unknown, expired or already used: start the install again');
    }
    // tenant.installed carries the state of the install link (the vendor's), not the session's: only to the browser
    // that pressed the button, like the success redirect below.
    const vendorState = browserState === state ? session.callerState : null;
    const outcome = await this.linkInstalls.complete(suiteId, authCode, session.state, vendorState);
    // Used up only now that its code is on record: a failure before this leaves the redirect repeatable.
    await this.sessions.consume(suiteId, state);
    if (outcome.status === 'refused') {
      this.metrics.installs.inc({ outcome: 'error' });
      throw new AuthAppError('invalid_auth_code', `${outcome.reason}: start the install again`);
    }
    if (outcome.status === 'pending') {
      this.metrics.installs.inc({ outcome: 'pending' });
      return { pending: true };
    }
    const { corp, exchanged } = outcome;
    const bound = browserState === state;
    await this.sessions.attachCorp(session.id, corp.corpId);
    this.metrics.installs.inc({ outcome: bound ? (exchanged ? 'exchanged' : 'already_stored') : 'other_browser' });
    this.logger.log({ msg: 'install completed', suiteId, corpId: corp.corpId, exchanged, bound, sessionId: session.id });
    const callerState = bound ? session.callerState : null;
    const suite = await this.suites.find(suiteId);
    if (suite?.successUrl) {
      return { redirect: withQuery(suite.successUrl, { suite_id: suiteId, corp_id: corp.corpId, state: callerState }) };
    }
    return {
      result: { suiteId, corpId: corp.corpId, corpName: corp.corpName, status: corp.status, state: callerState },
    };
  }

  /**
   * The session this redirect belongs to: an open one (not used, not expired), or — when the same redirect comes
   * again (a reload, the waiting page asking again) — the one its first arrival used, recognised by the recorded
   * auth_code. Null for an unknown state, or a used or expired one with a code we never saw.
   */
  private async sessionFor(suiteId: string, authCode: string, state: string): Promise<InstallSession | null> {
    const session = await this.sessions.findByState(suiteId, state);
    if (!session) return null;
    const open = session.completedAt === null && session.expiresAt.getTime() > Date.now();
    return open || (await this.linkInstalls.isRecorded(suiteId, authCode)) ? session : null;
  }
}
