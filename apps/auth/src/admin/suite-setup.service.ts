import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { SuiteRepository } from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import type { SuiteDto } from './suite.dto.js';
import type { SuiteSetupDto, UpdateSuiteDto } from './suite-setup.dto.js';

/** What a vendor pastes into WeCom's console for a suite, and edits that keep the secrets not re-entered. */
@Injectable()
export class SuiteSetupService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly suites: SuiteRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async setup(suiteId: string): Promise<SuiteSetupDto> {
    if (!(await this.suites.find(suiteId))) throw notFound(suiteId);
    const callback = this.config.CALLBACK_PUBLIC_BASE_URL.replace(/\/+$/, '');
    const auth = this.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
    const id = encodeURIComponent(suiteId);
    return {
      commandCallbackUrl: `${callback}/callback/suites/${id}/command`,
      dataCallbackUrl: `${callback}/callback/suites/${id}/data`,
      redirectDomain: new URL(auth).host,
      installRedirectUrl: `${auth}/install/${id}/complete`,
      installUrl: `${auth}/install/${id}`,
      testInstallUrl: `${auth}/install/${id}?auth_type=1`,
    };
  }

  async update(suiteId: string, change: UpdateSuiteDto): Promise<SuiteDto> {
    const [summary, current] = await Promise.all([this.suites.find(suiteId), this.suites.findCredentials(suiteId)]);
    if (!summary || !current) throw notFound(suiteId);
    const providerCorpId = change.providerCorpId ?? current.providerCorpId;
    const providerSecret = change.providerSecret ?? current.providerSecret;
    if (providerSecret && !providerCorpId) {
      throw new AuthAppError('no_provider_credentials', 'providerSecret needs providerCorpId');
    }
    const saved = await this.suites.upsert({
      suiteId,
      name: change.name ?? summary.name,
      secret: change.secret ?? current.secret,
      token: change.token ?? current.token,
      encodingAesKey: change.encodingAesKey ?? current.encodingAesKey,
      successUrl: change.successUrl === undefined ? current.successUrl : change.successUrl,
      defaultAuthType: change.defaultAuthType ?? (current.defaultAuthType === 1 ? 1 : 0),
      providerCorpId,
      providerSecret,
    });
    this.logger.log({ msg: 'suite updated', suiteId, fields: Object.keys(change) });
    return saved;
  }
}

function notFound(suiteId: string): AuthAppError {
  return new AuthAppError('suite_not_found', `suite ${suiteId} is not registered`);
}
