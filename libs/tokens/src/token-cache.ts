import type { Redis } from 'ioredis';
import type { SecretCipher } from '@app/store';
import { Token, TokenKey, tokenKeyId } from './token-key.js';

/**
 * The pub/sub channel every change of a cached token is announced on (the message is its `tokenKeyId`), after the
 * Redis write: processes that keep tokens in memory (the gateway's `LocalTokens`) drop theirs on it. Redis hands the
 * message to every subscriber before it answers the PUBLISH.
 */
export function tokenChangeChannel(prefix: string): string {
  return `${prefix}:token:changed`;
}

/**
 * The hot cache: tokens in Redis, sealed like everything else at rest, expiring with the token. Every write and
 * delete is announced on `tokenChangeChannel`, so in-memory copies elsewhere never outlive a replaced or dropped token.
 */
export class TokenCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cipher: SecretCipher,
  ) {}

  key(key: TokenKey): string {
    return `${this.prefix}:token:${tokenKeyId(key)}`;
  }

  async get(key: TokenKey): Promise<Token | null> {
    const raw = await this.redis.get(this.key(key));
    if (!raw) return null;
    const sep = raw.indexOf(':');
    const expiresAt = new Date(Number(raw.slice(0, sep)));
    return { value: this.cipher.open(raw.slice(sep + 1)), expiresAt };
  }

  async set(key: TokenKey, token: Token): Promise<void> {
    const ttlMs = token.expiresAt.getTime() - Date.now();
    if (ttlMs <= 0) return;
    await this.redis.set(this.key(key), `${token.expiresAt.getTime()}:${this.cipher.seal(token.value)}`, 'PX', ttlMs);
    await this.announce(key);
  }

  async delete(key: TokenKey): Promise<void> {
    await this.redis.del(this.key(key));
    await this.announce(key);
  }

  private async announce(key: TokenKey): Promise<void> {
    await this.redis.publish(tokenChangeChannel(this.prefix), tokenKeyId(key));
  }
}
