import { DynamicModule, Module } from '@nestjs/common';
import { CallbackConfig, ConfigModule } from '@app/config';
import { HealthModule, MetricsModule } from '@app/platform';
import { QueuesModule, RedisHealthCheck, RedisModule } from '@app/queues';
import { DatabaseHealthCheck, StoreModule, storeOptionsFrom } from '@app/store';
import { TokensModule } from '@app/tokens';
import { CallbackController } from './callback.controller.js';
import { CallbackIntakeService } from './callback-intake.service.js';
import { CallbackMetrics } from './callback-metrics.js';
import { CorpMembershipCache } from './corp-membership.cache.js';
import { EventForwarder } from './event-forwarder.js';
import { InboxWriter } from './inbox-writer.js';
import { SuiteKeysCache } from './suite-keys.cache.js';

@Module({})
export class CallbackModule {
  static forRoot(config: CallbackConfig): DynamicModule {
    return {
      module: CallbackModule,
      imports: [
        ConfigModule.forRoot(config),
        StoreModule.forRoot(storeOptionsFrom(config)),
        RedisModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX, role: 'producer' }),
        QueuesModule.forRoot(),
        MetricsModule,
        TokensModule.forSchedule({ redisPrefix: config.REDIS_PREFIX }),
        HealthModule.forRoot({ checks: [DatabaseHealthCheck, RedisHealthCheck] }),
      ],
      controllers: [CallbackController],
      providers: [CallbackMetrics, CallbackIntakeService, CorpMembershipCache, EventForwarder, InboxWriter, SuiteKeysCache],
    };
  }
}
