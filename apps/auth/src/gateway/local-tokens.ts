import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { CacheInvalidationSubscription, InjectRedis } from '@app/queues';
import { FINAL_MS, Token, TokenBroker, tokenChangeChannel, TokenKey, tokenKeyId } from '@app/tokens';

const MAX_ENTRIES = 10_000;
/** A token is kept in memory at most this long, whatever its expiry (a bound should a change message be lost). */
const TTL_MS = 30_000;

/**
 * The tokens the gateway injects, kept in this process (bounded LRU, `lru-cache`) so a call asks Redis for no token
 * and opens no sealed copy; misses go to the `TokenBroker` (Redis, PostgreSQL, WeCom). Same pattern as `ApiKeyCache`
 * (both subscribe through `CacheInvalidationSubscription`):
 *
 * Every write and delete of a cached token is announced on `tokenChangeChannel` (by `TokenCache`, in whichever process
 * made it: a refresh in the worker, an invalidation by another replica), and a message drops that token here. While the
 * subscription is down nothing is served from or put into memory, and everything is dropped when it is back; an answer
 * read from the broker while a change arrived is not kept (`generation`). So a token another replica invalidated is
 * never injected here after its PUBLISH has answered. A token is served from memory only while it has more than
 * FINAL_MS + TTL_MS left, so entries never reach the broker's last seconds before expiry.
 */
@Injectable()
export class LocalTokens implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LocalTokens');
  private readonly entries = new LRUCache<string, Token>({ max: MAX_ENTRIES, ttl: TTL_MS });
  private subscription: CacheInvalidationSubscription | null = null;
  private generation = 0;

  constructor(
    private readonly broker: TokenBroker,
    @InjectRedis() private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.subscription = new CacheInvalidationSubscription(this.redis, {
      channel: tokenChangeChannel(this.config.REDIS_PREFIX),
      connectionName: `${this.config.REDIS_PREFIX}:token-changes`,
      onMessage: (id) => {
        this.generation++;
        this.entries.delete(id);
      },
      onReset: () => this.forgetAll(),
      logger: this.logger,
      label: 'token change subscription',
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.close();
  }

  /** Whether tokens may be served from memory now (the change subscription stands). */
  get subscribed(): boolean {
    return this.subscription?.live ?? false;
  }

  /** The token of `key`: from memory when held and fresh, else from the broker (its errors: `TokenUnavailableError`, …). */
  async get(key: TokenKey): Promise<Token> {
    const id = tokenKeyId(key);
    if (this.subscribed) {
      const hit = this.entries.get(id);
      if (hit && hit.expiresAt.getTime() - Date.now() > FINAL_MS + TTL_MS) return hit;
    }
    const generation = this.generation;
    const token = await this.broker.get(key);
    if (this.subscribed && generation === this.generation) this.entries.set(id, token);
    return token;
  }

  /**
   * WeCom rejected `rejectedValue`: forgotten here at once, and dropped in Redis and PostgreSQL while it is still the
   * current token there (`TokenBroker.invalidateIfCurrent`, which announces it to the other replicas).
   */
  async invalidateIfCurrent(key: TokenKey, rejectedValue: string): Promise<void> {
    this.generation++;
    this.entries.delete(tokenKeyId(key));
    await this.broker.invalidateIfCurrent(key, rejectedValue);
  }

  private forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }
}
