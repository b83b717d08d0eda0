import type { Redis } from 'ioredis';

/** /health: does Redis answer? */
export class RedisHealthCheck {
  readonly name = 'redis';

  constructor(private readonly redis: Redis) {}

  async check(): Promise<{ ok: boolean; detail?: Record<string, unknown> }> {
    const pong = await this.redis.ping();
    return { ok: pong === 'PONG' };
  }
}
