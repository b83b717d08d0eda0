import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { CommonConfig, ConfigModule } from '@app/config';
import { QueuesModule, RedisModule, redisSettingsFrom } from '@app/queues';
import { StoreModule, storeOptionsFrom } from '@app/store';
import { MetricsModule } from './metrics.js';

/**
 * What every app process stands on, wired once: the validated config (APP_CONFIG), the store (Prisma,
 * repositories, SecretCipher), one Redis client (`worker` waits through outages, `producer` fails fast; see
 * createRedis), both BullMQ queues, and the Prometheus registry with /metrics. All of it is global.
 */
@Module({})
export class InfrastructureModule {
  static forRoot(config: CommonConfig & Parameters<typeof storeOptionsFrom>[0], redisRole: 'worker' | 'producer'): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        ConfigModule.forRoot(config),
        StoreModule.forRoot(storeOptionsFrom(config)),
        RedisModule.forRoot({ ...redisSettingsFrom(config), role: redisRole }),
        QueuesModule.forRoot(),
        MetricsModule,
      ],
    };
  }
}

/**
 * An app's root module: the app's own `@Module` metadata (controllers, providers), with the infrastructure for
 * `config` and the app's config-dependent `imports` and `providers` added.
 */
export function appModule(
  module: Type,
  config: CommonConfig & Parameters<typeof storeOptionsFrom>[0],
  redisRole: 'worker' | 'producer',
  extra: { imports: DynamicModule['imports']; providers?: Provider[] },
): DynamicModule {
  return { module, imports: [InfrastructureModule.forRoot(config, redisRole), ...(extra.imports ?? [])], providers: extra.providers };
}
