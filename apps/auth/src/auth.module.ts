import { DynamicModule, Module } from '@nestjs/common';
import { AuthConfig, ConfigModule } from '@app/config';
import { HealthModule, MetricsModule } from '@app/platform';
import { QueuesModule, RedisHealthCheck, RedisModule } from '@app/queues';
import { DatabaseHealthCheck, StoreModule, storeOptionsFrom } from '@app/store';
import { TenantsModule } from '@app/tenants';
import { TokensModule } from '@app/tokens';
import { ApiKeyStrategy } from './access/api-key.strategy.js';
import { ApiKeyAuthGuard, ScopeGuard } from './access/scope.guard.js';
import { AdminApiKeysController } from './admin/admin-api-keys.controller.js';
import { AdminCorpsController } from './admin/admin-corps.controller.js';
import { AdminEventsController } from './admin/admin-events.controller.js';
import { AdminSuitesController } from './admin/admin-suites.controller.js';
import { ApiKeysAdminService } from './admin/api-keys-admin.service.js';
import { CorpsAdminService } from './admin/corps-admin.service.js';
import { EventsAdminService } from './admin/events-admin.service.js';
import { SuitesAdminService } from './admin/suites-admin.service.js';
import { AuthMetrics } from './auth-metrics.js';
import { InstallController } from './install/install.controller.js';
import { InstallService } from './install/install.service.js';
import { LoginTokenController } from './oauth/login-token.controller.js';
import { LoginTokenSigner } from './oauth/login-token.js';
import { OAuthStateStore } from './oauth/oauth-state.store.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { OAuthService } from './oauth/oauth.service.js';
import { JssdkService } from './token-api/jssdk.service.js';
import { TokenApiController } from './token-api/token-api.controller.js';
import { TokenApiService } from './token-api/token-api.service.js';

@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        ConfigModule.forRoot(config),
        StoreModule.forRoot(storeOptionsFrom(config)),
        RedisModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, role: 'producer' }),
        QueuesModule.forRoot(),
        MetricsModule,
        TokensModule.forRoot({
          redisPrefix: config.REDIS_PREFIX,
          refreshMarginMs: config.REFRESH_MARGIN_SECONDS * 1000,
          refreshJitterMs: config.REFRESH_JITTER_SECONDS * 1000,
          serveMarginMs: config.TOKEN_SERVE_MARGIN_SECONDS * 1000,
          wecom: { baseUrl: config.WECOM_API_BASE, timeoutMs: config.WECOM_TIMEOUT_MS },
          metrics: AuthMetrics,
        }),
        TenantsModule,
        HealthModule.forRoot({ checks: [DatabaseHealthCheck, RedisHealthCheck] }),
      ],
      controllers: [
        InstallController,
        OAuthController,
        LoginTokenController,
        TokenApiController,
        AdminSuitesController,
        AdminCorpsController,
        AdminEventsController,
        AdminApiKeysController,
      ],
      providers: [
        { provide: LoginTokenSigner, useValue: new LoginTokenSigner(config.SECRET_KEY, config.SECRET_KEYS_OLD) },
        ApiKeyStrategy,
        ApiKeyAuthGuard,
        ScopeGuard,
        InstallService,
        OAuthService,
        OAuthStateStore,
        TokenApiService,
        JssdkService,
        SuitesAdminService,
        CorpsAdminService,
        EventsAdminService,
        ApiKeysAdminService,
      ],
    };
  }
}
