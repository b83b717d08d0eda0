import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { InjectRedis, readApiKeyRevocationEpoch } from '@app/queues';
import { ApiKeyInfo, ApiKeyRepository, hashApiKey } from '@app/store';

const MAX_ENTRIES = 10_000;
const TTL_MS = 60_000;
/** An unknown key is remembered this long, so guessing costs one query per key, not one per request. */
const UNKNOWN_TTL_MS = 5_000;

/** lru-cache holds no null: an unknown or revoked key is remembered as this. */
type Entry = { info: ApiKeyInfo | null };

/**
 * Active suite-scoped API keys, remembered per process (bounded LRU, `lru-cache`) so the token API's hot path does not
 * query PostgreSQL on every request; unknown keys are remembered briefly too. Admin keys are never cached. Every
 * lookup first reads the revocation epoch from Redis and drops the whole cache when it moved, so a revocation from any
 * process or the CLI takes effect everywhere at once. When Redis cannot answer, nothing is cached or served from cache.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES, ttl: TTL_MS });
  private epoch: string | null = null;

  constructor(
    private readonly keys: ApiKeyRepository,
    @InjectRedis() private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** The active key with this value, or null (unknown or revoked). */
  async findActive(key: string): Promise<ApiKeyInfo | null> {
    const epoch = await readApiKeyRevocationEpoch(this.redis, this.config.REDIS_PREFIX).catch(() => null);
    if (epoch === null || epoch !== this.epoch) {
      this.entries.clear();
      this.epoch = epoch;
    }
    if (epoch === null) return this.keys.findActive(key);
    const hash = hashApiKey(key);
    const hit = this.entries.get(hash);
    if (hit) return hit.info;
    const info = await this.keys.findActive(key);
    if (!info) this.entries.set(hash, { info: null }, { ttl: UNKNOWN_TTL_MS });
    else if (!info.scopes.includes('admin')) this.entries.set(hash, { info });
    return info;
  }
}
