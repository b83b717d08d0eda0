import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { SuiteRepository } from '@app/store';
import { AuthAppError, suiteNotFound } from '../auth-errors.js';
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
    if (!(await this.suites.find(suiteId))) throw suiteNotFound(suiteId);
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

  /** Changes what `change` gives; everything else (secrets, branding, redirect origins) keeps its stored value. */
  async update(suiteId: string, change: UpdateSuiteDto): Promise<SuiteDto> {
    const summary = await this.suites.find(suiteId);
    if (!summary) throw suiteNotFound(suiteId);
    if (change.providerSecret && !(change.providerCorpId ?? summary.providerCorpId)) {
      throw new AuthAppError('no_provider_credentials', 'providerSecret needs providerCorpId');
    }
    const { name, secret, token, encodingAesKey, successUrl, defaultAuthType, providerCorpId, providerSecret } = change;
    const saved = await this.suites.update(suiteId, { name, secret, token, encodingAesKey, successUrl, defaultAuthType, providerCorpId, providerSecret });
    if (!saved) throw suiteNotFound(suiteId);
    this.logger.log({ msg: 'suite updated', suiteId, fields: Object.keys(change) });
    return saved;
  }
}
