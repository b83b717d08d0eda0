import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { createRedis, redisSettingsFrom } from '@app/queues';

const MINUTE_S = 60;

/** One per-minute budget of an HTTP route (or group of routes). */
export interface MinuteLimit {
  /**
   * Counts one request against `key` (a client address, a suite id, a hashed API key). Returns null when it is
   * within the budget, else the seconds until the window ends (≥ 1; the `Retry-After` value).
   */
  take(key: string): Promise<number | null>;
}

/**
 * The auth app's per-minute HTTP limits (install, OAuth, token invalidation), on `rate-limiter-flexible` like every
 * other limit of the platform: fixed one-minute windows, counted atomically in Redis so they hold across replicas.
 * Keys read `<REDIS_PREFIX>:rl:<route>:<ip or key>`. The counters live in RATE_LIMIT_REDIS_URL (default: the
 * platform's Redis) on a client of their own; while it is unreachable each replica counts in memory on its own
 * (`insuranceLimiter`), so the limits loosen (× replicas) but never vanish and the routes stay usable.
 */
@Injectable()
export class HttpRateLimits implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AuthConfig) {
    // Without a Redis of their own, the counters live in the platform's Redis (single node, Sentinel or Cluster alike).
    // No offline queue (producer role): a down Redis fails the call at once and the in-memory insurance counts instead.
    this.redis = createRedis(config.RATE_LIMIT_REDIS_URL ?? redisSettingsFrom(config), 'producer');
    this.redis.on('error', () => undefined);
  }

  /** A budget of `perMinute` requests per key and minute for `route` (a short name: `install`, `oauth`, …). */
  perMinute(route: string, perMinute: number): MinuteLimit {
    const limiter = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${this.config.REDIS_PREFIX}:rl:${route}`,
      points: perMinute,
      duration: MINUTE_S,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: MINUTE_S }),
    });
    return {
      async take(key: string): Promise<number | null> {
        try {
          await limiter.consume(key);
          return null;
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          throw rejection;
        }
      },
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
