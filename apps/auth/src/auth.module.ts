import { DynamicModule, Module } from '@nestjs/common';
import { AuthConfig, ConfigModule } from '@app/config';
import { HealthController, HealthService, MetricsController, MetricsRegistry } from '@app/platform';
import { createRedis } from '@app/queues';
import { StoreModule } from '@app/store';
import { ApiKeyGuard } from './access/api-key.guard.js';
import { AuthMetrics } from './auth-metrics.js';
import { tokenProviders } from './auth-wiring.js';
import { InstallController } from './install/install.controller.js';
import { InstallService } from './install/install.service.js';
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
        StoreModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          secretKey: config.SECRET_KEY,
          oldSecretKeys: config.SECRET_KEYS_OLD,
        }),
      ],
      controllers: [
        InstallController,
        TokenApiController,
        HealthController,
        MetricsController,
      ],
      providers: [
        ...tokenProviders(config, redis),
        ApiKeyGuard,
        AuthMetrics,
        HealthService,
        MetricsRegistry,
        InstallService,
        TokenApiService,
        JssdkService,
      ],
    };
  }
}
