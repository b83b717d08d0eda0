import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { InjectRedis } from '@app/queues';
import { randomNonce } from '@app/wecom';
import { AuthAppError } from '../auth-errors.js';
import type { OAuthScope } from './login-token.js';

export interface PendingLogin {
  suiteId: string;
  scope: OAuthScope;
  redirect: string | null;
}

/** Longer than the OAuth code's 5 minutes: a member may linger on the consent page of snsapi_privateinfo. */
const STATE_TTL_SECONDS = 600;
const STATE_FORMAT = /^[A-Za-z0-9]{32}$/;

/**
 * OAuth `state`s. WeCom allows only [a-zA-Z0-9], at most 128 bytes, so the state is a random id and what it
 * stands for (suite, scope, where to send the result) stays in Redis; taking it deletes it (single use).
 */
@Injectable()
export class OAuthStateStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async open(login: PendingLogin): Promise<string> {
    const state = randomNonce(32);
    await this.guard(() => this.redis.set(this.key(state), JSON.stringify(login), 'EX', STATE_TTL_SECONDS));
    return state;
  }

  /** The pending login of this state, once; null when unknown, expired or already taken. */
  async take(state: string): Promise<PendingLogin | null> {
    if (!STATE_FORMAT.test(state)) return null;
    const raw = await this.guard(() => this.redis.getdel(this.key(state)));
    return raw ? (JSON.parse(raw) as PendingLogin) : null;
  }

  /** Marks a login token's id as used; false when it already was. */
  async markUsed(jti: string, untilUnixSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, untilUnixSeconds - Math.floor(Date.now() / 1000));
    const set = await this.guard(() => this.redis.set(`${this.config.REDIS_PREFIX}:login-token-used:${jti}`, '1', 'EX', ttl, 'NX'));
    return set === 'OK';
  }

  private key(state: string): string {
    return `${this.config.REDIS_PREFIX}:oauth-state:${state}`;
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new AuthAppError('redis_unavailable', 'the login state store is unavailable; retry in a moment');
    }
  }
}
