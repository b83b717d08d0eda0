import { DynamicModule, Module } from '@nestjs/common';
import type { CallbackConfig } from '@app/config';
import { appModule, HealthModule } from '@app/platform';
import { RedisHealthCheck } from '@app/queues';
import { DatabaseHealthCheck } from '@app/store';
import { TokensModule } from '@app/tokens';
import { CallbackController } from './callback.controller.js';
import { CallbackIntakeService } from './callback-intake.service.js';
import { CallbackMetrics } from './callback-metrics.js';
import { EventForwarder } from './event-forwarder.js';
import { InboxWriter } from './inbox-writer.js';
import { SuiteKeysCache } from './suite-keys.cache.js';
import { ProviderKeysCache } from './provider-keys.cache.js';
import { CorpKeysCache } from './corp-keys.cache.js';
import { SystemEventController } from './system-event.controller.js';
import { SystemEventIntakeService } from './system-event-intake.service.js';

/** The callback app: a producer Redis connection (requests never wait on Redis), no token fetching. */
@Module({
  controllers: [CallbackController, SystemEventController],
  providers: [CallbackMetrics, CallbackIntakeService, EventForwarder, InboxWriter, SuiteKeysCache, ProviderKeysCache, SystemEventIntakeService, CorpKeysCache],
})
export class CallbackModule {
  static forRoot(config: CallbackConfig): DynamicModule {
    const imports = [TokensModule.forSchedule({ redisPrefix: config.REDIS_PREFIX }), HealthModule.forRoot({ checks: [DatabaseHealthCheck, RedisHealthCheck] })];
    return appModule(CallbackModule, config, 'producer', { imports });
  }
}
