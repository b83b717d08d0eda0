import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { EventPublisher } from '@app/events';
import { InstallSessionRepository, SuiteRepository } from '@app/store';
import { CorpAuthorizationService } from '@app/tenants';
import { TokenBroker } from '@app/tokens';
import { InvalidCredentialError, WecomServiceApi } from '@app/wecom';
import { AuthAppError } from '../auth-errors.js';
import { AuthMetrics } from '../auth-metrics.js';
import { withQuery } from '../common/redirect-url.js';
import { InstallResultDto } from './install.dto.js';

export type InstallOutcome = { redirect: string } | { result: InstallResultDto };

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
    private readonly authorizations: CorpAuthorizationService,
    private readonly metrics: AuthMetrics,
    private readonly publisher: EventPublisher,
  ) {}

  /** Gets a pre_auth_code, sets the install type, opens a session; returns WeCom's install page URL. */
  async start(suiteId: string, input: { callerState?: string; authType?: 0 | 1 }): Promise<string> {
    const suite = await this.suites.find(suiteId);
    if (!suite) throw new AuthAppError('suite_not_found', `suite ${suiteId} is not registered`);
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
    return withQuery(`${this.config.WECOM_INSTALL_BASE}/3rdapp/install`, {
      suite_id: suiteId,
      pre_auth_code: preAuth.preAuthCode,
      redirect_uri: `${this.config.PUBLIC_BASE_URL}/install/${encodeURIComponent(suiteId)}/complete`,
      state: session.state,
    });
  }

  /** The browser is back from WeCom: check the state, exchange the code (once, whoever is first), answer. */
  async complete(suiteId: string, authCode: string, state: string): Promise<InstallOutcome> {
    const session = await this.sessions.consume(suiteId, state);
    if (!session) {
      this.metrics.installs.inc({ outcome: 'invalid_state' });
      throw new AuthAppError('invalid_install_state', 'this install link is unknown, expired or already used: start the install again');
    }
    let exchange;
    try {
      exchange = await this.authorizations.exchangeAuthCode(suiteId, authCode);
    } catch (err) {
      this.metrics.installs.inc({ outcome: 'error' });
      if (err instanceof InvalidCredentialError) {
        throw new AuthAppError('invalid_auth_code', `WeCom refused the auth_code (errcode ${err.errcode}): start the install again`);
      }
      throw err;
    }
    const { corp, exchanged } = exchange;
    await this.sessions.attachCorp(session.id, corp.corpId);
    // WeCom pushes no create_auth for installs started from the vendor's link: this is the only signal. Keyed by
    // the auth code, so a create_auth of the same install publishes nothing more. Failing to publish must not fail
    // an install that is stored: logged, and the tenant is there for the admin API.
    await this.publisher.publishInstalled(suiteId, corp.corpId, authCode, state).catch((err: unknown) => {
      this.logger.error({ msg: 'could not publish tenant.installed', suiteId, corpId: corp.corpId, error: String(err) });
    });
    this.metrics.installs.inc({ outcome: exchanged ? 'exchanged' : 'already_stored' });
    this.logger.log({ msg: 'install completed', suiteId, corpId: corp.corpId, exchanged, sessionId: session.id });
    const suite = await this.suites.find(suiteId);
    if (suite?.successUrl) {
      return { redirect: withQuery(suite.successUrl, { suite_id: suiteId, corp_id: corp.corpId, state: session.callerState }) };
    }
    return {
      result: { suiteId, corpId: corp.corpId, corpName: corp.corpName, status: corp.status, state: session.callerState },
    };
  }
}
