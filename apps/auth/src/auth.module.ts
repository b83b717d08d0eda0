import { DynamicModule, Module } from '@nestjs/common';
import { AuthConfig, ConfigModule } from '@app/config';
import { HealthController, HealthService, MetricsController, MetricsRegistry } from '@app/platform';
import { createRedis } from '@app/queues';
import { StoreModule, storeOptionsFrom } from '@app/store';
import { ApiKeyGuard } from './access/api-key.guard.js';
import { AdminApiKeysController } from './admin/admin-api-keys.controller.js';
import { AdminCorpsController } from './admin/admin-corps.controller.js';
import { AdminEventsController } from './admin/admin-events.controller.js';
import { AdminSuitesController } from './admin/admin-suites.controller.js';
import { ApiKeysAdminService } from './admin/api-keys-admin.service.js';
import { CorpsAdminService } from './admin/corps-admin.service.js';
import { EventsAdminService } from './admin/events-admin.service.js';
import { SuitesAdminService } from './admin/suites-admin.service.js';
import { AuthMetrics } from './auth-metrics.js';
import { tokenProviders } from './auth-wiring.js';
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
    const redis = createRedis(config.REDIS_URL, 'producer');
    return {
      module: AuthModule,
      imports: [
        ConfigModule.forRoot(config),
        StoreModule.forRoot(storeOptionsFrom(config)),
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
        HealthController,
        MetricsController,
      ],
      providers: [
        ...tokenProviders(config, redis),
        { provide: LoginTokenSigner, useValue: new LoginTokenSigner(config.SECRET_KEY, config.SECRET_KEYS_OLD) },
        ApiKeyGuard,
        AuthMetrics,
        HealthService,
        MetricsRegistry,
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
