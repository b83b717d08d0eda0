import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { bullPrefix, RedisSettings } from './redis-connection.js';
import { REDIS, REDIS_SETTINGS } from './redis.tokens.js';
import { QueueErrorLog } from './queue-error-log.js';
import { QueueName } from './queue-names.js';

/**
 * The BullMQ queues on the shared Redis client (`RedisModule`), under `bullPrefix` (`<REDIS_PREFIX>:bull`; hash-tagged
 * on a Cluster so each queue's keys share a slot). Producers inject
 * them with `@InjectQueue(QueueName.CallbackEvents)`; the worker adds `@Processor` classes.
 */
@Global()
@Module({})
export class QueuesModule {
  static forRoot(): DynamicModule {
    const registered = BullModule.registerQueue(
      { name: QueueName.CallbackEvents },
      { name: QueueName.TokenRefresh },
      { name: QueueName.WebhookDeliveries },
    );
    return {
      module: QueuesModule,
      imports: [
        BullModule.forRootAsync({
          inject: [REDIS, REDIS_SETTINGS],
          useFactory: (redis: Redis, settings: RedisSettings) => ({ connection: redis, prefix: bullPrefix(settings) }),
        }),
        registered,
      ],
      providers: [QueueErrorLog],
      exports: [registered],
    };
  }
}
