import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectRedis } from './redis.tokens.js';

/** /health: does Redis answer? */
@Injectable()
export class RedisHealthCheck {
  readonly name = 'redis';

  constructor(@InjectRedis() private readonly redis: Redis) {}

  async check(): Promise<{ ok: boolean; detail?: Record<string, unknown> }> {
    const pong = await this.redis.ping();
    return { ok: pong === 'PONG' };
  }
}
