import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { apiKeyRevocationChannel, CacheInvalidationSubscription, InjectRedis } from '@app/queues';
import { ApiKeyInfo, ApiKeyRepository, hashApiKey } from '@app/store';

const MAX_ENTRIES = 10_000;
const TTL_MS = 60_000;
/** An unknown key is remembered this long, so guessing costs one query per key, not one per request. */
const UNKNOWN_TTL_MS = 5_000;

/** lru-cache holds no null: an unknown or revoked key is remembered as this. */
type Entry = { info: ApiKeyInfo | null };

/**
 * Active suite-scoped API keys, remembered per process (bounded LRU, `lru-cache`, 60 s) so the token API's hot path
 * asks neither PostgreSQL nor Redis on a request; unknown keys are remembered 5 s. Admin keys are never cached.
 *
 * Revocations arrive by Redis pub/sub (`apiKeyRevocationChannel`, published by the admin API and the CLI after the
 * database write): a message drops the whole cache. Redis delivers it to every subscriber before it answers the
 * PUBLISH, so a revoked key is refused everywhere by the time the revoking call has answered. While the subscription
 * is down a message could be missed, so nothing is served from or put into the cache until it is back, and the cache
 * is dropped when it is back.
 *
 * Before, every lookup read a revocation epoch from Redis: a second Redis round trip on each token read (see the
 * README's token-api profile).
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyCache');
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES, ttl: TTL_MS });
  private subscription: CacheInvalidationSubscription | null = null;
  /** Moves on every drop: a database answer read before a revocation must not be cached after it. */
  private generation = 0;

  constructor(
    private readonly keys: ApiKeyRepository,
    @InjectRedis() private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.subscription = new CacheInvalidationSubscription(this.redis, {
      channel: apiKeyRevocationChannel(this.config.REDIS_PREFIX),
      connectionName: `${this.config.REDIS_PREFIX}:api-key-revocations`,
      onMessage: () => this.forgetAll(),
      onReset: () => this.forgetAll(),
      logger: this.logger,
      label: 'revocation subscription',
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.close();
  }

  /** Whether lookups may use the cache now (the revocation subscription stands); for tests and /health detail. */
  get subscribed(): boolean {
    return this.subscription?.live ?? false;
  }

  /** Drops every cached key (a revocation in this process; the pub/sub message follows for the others). */
  forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }

  /** The active key with this value, or null (unknown or revoked). Throws when PostgreSQL cannot answer a miss. */
  async findActive(key: string): Promise<ApiKeyInfo | null> {
    if (!this.subscribed) return this.keys.findActive(key);
    const hash = hashApiKey(key);
    const hit = this.entries.get(hash);
    if (hit) return hit.info;
    const generation = this.generation;
    const info = await this.keys.findActive(key);
    // A revocation may have arrived while the database answered (that answer may predate it): cache only if not.
    if (!this.subscribed || generation !== this.generation) return info;
    if (!info) this.entries.set(hash, { info: null }, { ttl: UNKNOWN_TTL_MS });
    else if (!info.scopes.includes('admin')) this.entries.set(hash, { info });
    return info;
  }
}
