import { Injectable, Logger } from '@nestjs/common';
import { ProviderRepository, ProviderSummary } from '@app/store';
import { TokenBroker, providerTokenKey } from '@app/tokens';
import { WecomServiceApi } from '@app/wecom';
import { AuthAppError } from '../auth-errors.js';
import { CustomizedAuthUrlDto, CustomizedAuthUrlRequestDto, ProviderDto, RegisterProviderDto, UpdateProviderDto } from './provider.dto.js';

/** Providers as the admin console sees them: credentials go in, never come out. */
@Injectable()
export class ProvidersAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly providers: ProviderRepository,
    private readonly broker: TokenBroker,
    private readonly api: WecomServiceApi,
  ) {}

  /**
   * A 代开发 authorization link (get_customized_auth_url, provider token) for templates this provider owns; its
   * `state` comes back with the install (create_auth `State`) and is stored on the tenant.
   */
  async customizedAuthUrl(providerCorpId: string, input: CustomizedAuthUrlRequestDto): Promise<CustomizedAuthUrlDto> {
    const provider = await this.providers.find(providerCorpId);
    if (!provider) throw notFound(providerCorpId);
    const foreign = input.templateIds.filter((id) => !provider.suiteIds.includes(id));
    if (foreign.length) throw new AuthAppError('suite_not_found', `not templates of provider ${providerCorpId}: ${foreign.join(', ')}`);
    return this.broker.withToken(providerTokenKey(providerCorpId), (token) => this.api.getCustomizedAuthUrl(token, input.templateIds, input.state ?? ''));
  }

  /** Registers a provider, or changes the fields given of one already registered. */
  async register(input: RegisterProviderDto): Promise<ProviderDto> {
    return this.save(input.providerCorpId, input, 'provider registered');
  }

  /** Rotates what is given (provider_secret, system-event keys, name); 404 for an unknown provider. */
  async update(providerCorpId: string, input: UpdateProviderDto): Promise<ProviderDto> {
    if (!(await this.providers.find(providerCorpId))) throw notFound(providerCorpId);
    return this.save(providerCorpId, input, 'provider updated');
  }

  async list(): Promise<{ items: ProviderDto[] }> {
    return { items: (await this.providers.list()).map(present) };
  }

  async show(providerCorpId: string): Promise<ProviderDto> {
    const found = await this.providers.find(providerCorpId);
    if (!found) throw notFound(providerCorpId);
    return present(found);
  }

  private async save(corpId: string, input: UpdateProviderDto, msg: string): Promise<ProviderDto> {
    const saved = await this.providers.upsert({
      corpId,
      name: input.name,
      secret: input.providerSecret,
      token: input.token,
      encodingAesKey: input.encodingAesKey,
    });
    // A new provider_secret: the token fetched with the old one is no longer ours to serve.
    if (input.providerSecret !== undefined) await this.broker.invalidate(providerTokenKey(corpId));
    this.logger.log({ msg, providerCorpId: corpId });
    return present(saved);
  }
}

function notFound(providerCorpId: string): AuthAppError {
  return new AuthAppError('provider_not_found', `provider ${providerCorpId} is not registered`);
}

function present(p: ProviderSummary): ProviderDto {
  return {
    providerCorpId: p.corpId,
    name: p.name,
    hasProviderSecret: p.hasSecret,
    systemEventsConfigured: p.systemEventsConfigured,
    systemEventPath: `/callback/providers/${p.corpId}/system`,
    suiteIds: p.suiteIds,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}
