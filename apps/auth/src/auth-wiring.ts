import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AuthConfig } from '@app/config';
import { HEALTH_CHECKS } from '@app/platform';
import { bullPrefix, createQueue, QueueName, RedisHealthCheck } from '@app/queues';
import { DatabaseHealthCheck } from '@app/store';
import { RefreshSchedule, tokenBrokerProviders } from '@app/tokens';
import { WecomServiceApi } from '@app/wecom';
import { AuthMetrics } from './auth-metrics.js';

export const REDIS = Symbol('REDIS');
export const CALLBACK_QUEUE = Symbol('CALLBACK_QUEUE');

const READY_WAIT_MS = 3000;

/**
 * The Redis connection is a producer one (no offline queue), so a command sent before it is up fails at once:
 * waiting for it at start-up keeps the first requests on the single-flight lock instead of around it.
 */
@Injectable()
export class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CALLBACK_QUEUE) private readonly queue: Queue,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_WAIT_MS);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready) this.logger.warn({ msg: `Redis not ready after ${READY_WAIT_MS} ms; starting anyway (tokens fall back to PostgreSQL)` });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}

/** The token broker, the authorization service and what they stand on, built once per process. */
export function tokenProviders(config: AuthConfig, redis: Redis): Provider[] {
  return [
    { provide: REDIS, useValue: redis },
    { provide: CALLBACK_QUEUE, useValue: createQueue(QueueName.CallbackEvents, redis, bullPrefix({ prefix: config.REDIS_PREFIX })) },
    {
      provide: RefreshSchedule,
      useValue: new RefreshSchedule(redis, config.REDIS_PREFIX, config.REFRESH_MARGIN_SECONDS * 1000, config.REFRESH_JITTER_SECONDS * 1000),
    },
    {
      provide: WecomServiceApi,
      inject: [AuthMetrics],
      useFactory: (metrics: AuthMetrics) =>
        new WecomServiceApi({
          baseUrl: config.WECOM_API_BASE,
          timeoutMs: config.WECOM_TIMEOUT_MS,
          onCall: (call) => metrics.wecomCalls.inc({ path: call.path, outcome: call.outcome }),
        }),
    },
    ...tokenBrokerProviders({ redis, redisPrefix: config.REDIS_PREFIX, serveMarginMs: config.TOKEN_SERVE_MARGIN_SECONDS * 1000, metrics: AuthMetrics }),
    {
      provide: HEALTH_CHECKS,
      inject: [DatabaseHealthCheck],
      useFactory: (db: DatabaseHealthCheck) => [db, new RedisHealthCheck(redis)],
    },
    DatabaseHealthCheck,
    RedisLifecycle,
  ];
}
