import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { assertNoEviction, RedisEvictionPolicyError } from './eviction-policy.js';
import { createRedis, RedisSettings } from './redis-connection.js';
import { RedisHealthCheck } from './redis.health.js';
import { REDIS, REDIS_SETTINGS } from './redis.tokens.js';

export interface RedisModuleOptions extends RedisSettings {
  /** `worker`: waits through outages (BullMQ workers); `producer`: fails fast on a request path. See createRedis. */
  role: 'worker' | 'producer';
}

const READY_WAIT_MS = 3000;

/**
 * A producer connection has no offline queue, so a command sent before it is up fails at once: waiting for it
 * at start-up keeps the first requests on the single-flight lock instead of around it. Once Redis answers, start-up
 * refuses one that may evict keys (RedisEvictionPolicyError) unless `allowEviction`; a Redis that only comes up later
 * is checked then, and an evicting one is reported as an error in the log. The client is closed last, once the
 * queues and workers (closed in earlier shutdown hooks) no longer need it.
 */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SETTINGS) private readonly options: RedisModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const ready =
      this.redis.status === 'ready' ||
      (await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), READY_WAIT_MS);
        this.redis.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      }));
    if (this.options.allowEviction) return;
    if (ready) {
      await this.checkEviction(true);
      return;
    }
    if (this.options.role === 'producer') this.logger.warn({ msg: `Redis not ready after ${READY_WAIT_MS} ms; starting anyway` });
    this.redis.once('ready', () => void this.checkEviction(false));
  }

  private async checkEviction(atStartUp: boolean): Promise<void> {
    try {
      await assertNoEviction(this.redis);
    } catch (err) {
      if (atStartUp && err instanceof RedisEvictionPolicyError) throw err;
      this.logger.error({ msg: err instanceof Error ? err.message : String(err) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * One ioredis client per process, under one token, with one closer and its /health check; imported by every app
 * and by test support.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS_SETTINGS, useValue: options },
        { provide: REDIS, useFactory: (): Redis => createRedis(options, options.role) },
        RedisLifecycle,
        RedisHealthCheck,
      ],
      exports: [REDIS, REDIS_SETTINGS, RedisHealthCheck],
    };
  }
}
