import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A Redis lock with expiry, so that of N processes wanting the same token one calls WeCom and the others
 * wait for its result. The expiry frees the lock if its holder dies mid-call.
 */
export class RefreshLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  /** Returns a release function when acquired, or null when another process holds the lock. */
  async tryAcquire(name: string): Promise<(() => Promise<void>) | null> {
    const key = `${this.prefix}:lock:${name}`;
    const owner = randomBytes(12).toString('hex');
    const ok = await this.redis.set(key, owner, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return async () => {
      await this.redis.eval(RELEASE, 1, key, owner);
    };
  }
}
