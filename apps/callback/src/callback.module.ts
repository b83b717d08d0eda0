import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CallbackConfig, ConfigModule } from '@app/config';
import { HealthController, HEALTH_CHECKS, HealthService, MetricsController, MetricsRegistry } from '@app/platform';
import { bullPrefix, createQueue, createRedis, QueueName, RedisHealthCheck } from '@app/queues';
import { DatabaseHealthCheck, StoreModule, storeOptionsFrom } from '@app/store';
import { RefreshSchedule } from '@app/tokens';
import { CallbackController } from './callback.controller.js';
import { CallbackIntakeService } from './callback-intake.service.js';
import { CallbackMetrics } from './callback-metrics.js';
import { CorpMembershipCache } from './corp-membership.cache.js';
import { CALLBACK_QUEUE, EventForwarder } from './event-forwarder.js';
import { InboxWriter } from './inbox-writer.js';
import { SuiteKeysCache } from './suite-keys.cache.js';

const REDIS = Symbol('REDIS');

class RedisCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CALLBACK_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}

@Module({})
export class CallbackModule {
  static forRoot(config: CallbackConfig): DynamicModule {
    const redis = createRedis(config.REDIS_URL, 'producer');
    return {
      module: CallbackModule,
      imports: [
        ConfigModule.forRoot(config),
        StoreModule.forRoot(storeOptionsFrom(config)),
      ],
      controllers: [CallbackController, HealthController, MetricsController],
      providers: [
        { provide: REDIS, useValue: redis },
        { provide: CALLBACK_QUEUE, useValue: createQueue(QueueName.CallbackEvents, redis, bullPrefix({ prefix: config.REDIS_PREFIX })) },
        // Only scheduleNow is used here; margin and jitter belong to the worker.
        { provide: RefreshSchedule, useValue: new RefreshSchedule(redis, config.REDIS_PREFIX, 0, 0) },
        {
          provide: HEALTH_CHECKS,
          inject: [DatabaseHealthCheck],
          useFactory: (db: DatabaseHealthCheck) => [db, new RedisHealthCheck(redis)],
        },
        DatabaseHealthCheck,
        HealthService,
        MetricsRegistry,
        CallbackMetrics,
        CallbackIntakeService,
        CorpMembershipCache,
        EventForwarder,
        InboxWriter,
        SuiteKeysCache,
        RedisCloser,
      ],
    };
  }
}
