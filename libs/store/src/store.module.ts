import { DynamicModule, Global, Module } from '@nestjs/common';
import { ApiKeyRepository } from './api-key.repository.js';
import { DatabaseHealthCheck } from './database.health.js';
import { AuthCodeClaimRepository } from './auth-code-claim.repository.js';
import { AuthCorpRepository } from './auth-corp.repository.js';
import { CallbackEventRepository } from './callback-event.repository.js';
import { ConsoleStatsRepository } from './console-stats.repository.js';
import { ConsoleUserRepository } from './console-user.repository.js';
import { CorpSearchRepository } from './corp-search.repository.js';
import { InstallSessionRepository } from './install-session.repository.js';
import { LicenseRepository } from './license.repository.js';
import { RetentionRepository } from './retention.repository.js';
import { DatabaseOptions, PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';
import { SecretRotationService } from './secret-rotation.service.js';
import { SecretKeyStartupCheck } from './secret-key-check.js';
import { StoredTokenRepository } from './stored-token.repository.js';
import { SuiteTicketRepository } from './suite-ticket.repository.js';
import { SuiteRepository } from './suite.repository.js';
import { ProviderRepository } from './provider.repository.js';
import { PlatformEventRepository } from './platform-event.repository.js';
import { WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import { WebhookEndpointRepository } from './webhook-endpoint.repository.js';

export interface StoreOptions extends DatabaseOptions {
  secretKey: Buffer;
  oldSecretKeys: readonly Buffer[];
}

/** The store's options from an app's validated environment (any app config has these four variables). */
export function storeOptionsFrom(env: {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  SECRET_KEY: Buffer;
  SECRET_KEYS_OLD: readonly Buffer[];
}): StoreOptions {
  return { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, secretKey: env.SECRET_KEY, oldSecretKeys: env.SECRET_KEYS_OLD };
}

const repositories = [
  ApiKeyRepository,
  AuthCodeClaimRepository,
  AuthCorpRepository,
  CallbackEventRepository,
  ConsoleStatsRepository,
  ConsoleUserRepository,
  CorpSearchRepository,
  InstallSessionRepository,
  LicenseRepository,
  RetentionRepository,
  StoredTokenRepository,
  SuiteRepository,
  ProviderRepository,
  SuiteTicketRepository,
  SecretRotationService,
  DatabaseHealthCheck,
  PlatformEventRepository,
  WebhookEndpointRepository,
  WebhookDeliveryRepository,
];

@Global()
@Module({})
export class StoreModule {
  static forRoot(options: StoreOptions): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        { provide: PrismaService, useValue: new PrismaService(options) },
        { provide: SecretCipher, useValue: new SecretCipher(options.secretKey, options.oldSecretKeys) },
        ...repositories,
        SecretKeyStartupCheck,
      ],
      exports: [PrismaService, SecretCipher, ...repositories],
    };
  }
}
