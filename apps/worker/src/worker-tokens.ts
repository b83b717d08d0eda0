import type { Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '@app/config';
import { bullPrefix, createQueue, QueueName } from '@app/queues';
import { SecretCipher } from '@app/store';
import { RefreshSchedule, tokenBrokerProviders, TokenCache } from '@app/tokens';
import { WecomServiceApi } from '@app/wecom';
import { refreshTiming, RefreshTiming } from './refresh/refresh-timing.js';
import { WorkerMetrics } from './worker-metrics.js';

export const REDIS = Symbol('REDIS');
export const REFRESH_QUEUE = Symbol('REFRESH_QUEUE');
export const CALLBACK_QUEUE = Symbol('CALLBACK_QUEUE');
export const REFRESH_TIMING = Symbol('REFRESH_TIMING');

/**
 * The client retries -1, 5xx and timeouts once at most: the job queue is where backoff lives (exponential,
 * jittered, across processes and restarts), so a WeCom outage holds a worker slot for seconds, not minutes.
 */
const WECOM_CLIENT_RETRIES = 1;

/** The token machinery (broker, schedule, cache, authorization) and the queues, wired for the worker. */
export function tokenProviders(config: WorkerConfig, redis: Redis): Provider[] {
  const timing = refreshTiming(config);
  const prefix = bullPrefix({ prefix: config.REDIS_PREFIX });
  return [
    { provide: REDIS, useValue: redis },
    { provide: REFRESH_TIMING, useValue: timing },
    { provide: REFRESH_QUEUE, useFactory: (): Queue => createQueue(QueueName.TokenRefresh, redis, prefix) },
    { provide: CALLBACK_QUEUE, useFactory: (): Queue => createQueue(QueueName.CallbackEvents, redis, prefix) },
    {
      provide: WecomServiceApi,
      inject: [WorkerMetrics],
      useFactory: (metrics: WorkerMetrics) =>
        new WecomServiceApi({
          baseUrl: config.WECOM_API_BASE,
          timeoutMs: config.WECOM_TIMEOUT_MS,
          maxRetries: WECOM_CLIENT_RETRIES,
          onCall: (call) => metrics.wecomCalls.inc({ path: call.path, outcome: call.outcome }),
        }),
    },
    {
      provide: RefreshSchedule,
      useFactory: () => new RefreshSchedule(redis, config.REDIS_PREFIX, timing.marginMs, timing.jitterMs),
    },
    {
      provide: TokenCache,
      inject: [SecretCipher],
      useFactory: (cipher: SecretCipher) => new TokenCache(redis, config.REDIS_PREFIX, cipher),
    },
    ...tokenBrokerProviders({ redis, redisPrefix: config.REDIS_PREFIX, serveMarginMs: timing.serveMarginMs, metrics: WorkerMetrics }),
  ];
}

export type { RefreshTiming };
