import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { WecomCallLimiter } from '@app/wecom';

export interface WecomCallLimiterOptions {
  redis: Redis;
  /** REDIS_PREFIX: every process of every app with the same prefix draws on one budget. */
  redisPrefix: string;
  /** WECOM_CALLS_PER_MINUTE: the whole platform's budget (WeCom allows 20,000 calls per minute per IP). */
  callsPerMinute: number;
  /** Longest a call waits for a slot before `WecomCallBudgetExceededError`, in ms. Default 30000. */
  maxWaitMs?: number;
}

/** No slot in the shared WeCom call budget within the wait allowed: try again later. */
export class WecomCallBudgetExceededError extends Error {
  override readonly name = 'WecomCallBudgetExceededError';
}

/**
 * The one limiter of WeCom calls for the whole platform: a Redis-backed fixed window of one second
 * (`rate-limiter-flexible`'s `RateLimiterRedis`, atomic across processes), `callsPerMinute / 60` calls per second so
 * the budget is spent smoothly. Every `WecomServiceApi` of every app (auth, worker, CLI) is built with it, so chat
 * traffic, refreshes and installs share one budget where the calls are made instead of per-queue job limits.
 *
 * A call over the budget waits for the next window (up to `maxWaitMs`). If Redis is unreachable, an in-process
 * limiter with the same budget stands in (the library's insurance limiter): WeCom calls go on, limited per process.
 */
export class RedisWecomCallLimiter implements WecomCallLimiter {
  private readonly limiter: RateLimiterRedis;
  private readonly maxWaitMs: number;

  constructor(options: WecomCallLimiterOptions) {
    const perSecond = Math.max(1, Math.floor(options.callsPerMinute / 60));
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.limiter = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: `${options.redisPrefix}:wecom-calls`,
      points: perSecond,
      duration: 1,
      insuranceLimiter: new RateLimiterMemory({ points: perSecond, duration: 1 }),
    });
  }

  async acquire(_path: string): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      try {
        await this.limiter.consume('all');
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const waitMs = Math.max(1, rejection.msBeforeNext) + Math.floor(Math.random() * 20);
        if (Date.now() + waitMs > deadline) {
          throw new WecomCallBudgetExceededError(`no WeCom call slot within ${this.maxWaitMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}
