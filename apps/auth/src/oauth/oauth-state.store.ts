import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { InjectRedis } from '@app/queues';
import { AuthAppError } from '../auth-errors.js';

/**
 * What a verified login token leaves in Redis: its id, until it expires, so it verifies once. (Pending logins are not
 * kept here: they live in the browser's signed cookie, so an anonymous request writes nothing into this Redis.)
 */
@Injectable()
export class OAuthStateStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Marks a login token's id as used; false when it already was. */
  async markUsed(jti: string, untilUnixSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, untilUnixSeconds - Math.floor(Date.now() / 1000));
    const set = await this.guard(() => this.redis.set(`${this.config.REDIS_PREFIX}:login-token-used:${jti}`, '1', 'EX', ttl, 'NX'));
    return set === 'OK';
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new AuthAppError('redis_unavailable', 'the login token store is unavailable; retry in a moment');
    }
  }
}
