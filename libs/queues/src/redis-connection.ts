import { Redis, RedisOptions } from 'ioredis';

export interface RedisSettings {
  url: string;
  /** Prefix for every key the platform writes; BullMQ queues live under `<prefix>:bull`. */
  prefix: string;
}

/**
 * Workers block on Redis and must wait through outages (maxRetriesPerRequest: null). Producers on a request
 * path must not: with the offline queue off, a command fails at once while Redis is away, and the
 * caller falls back (the callback app keeps the event in PostgreSQL for the sweeper).
 */
export function createRedis(url: string, role: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 2000 };
  return new Redis(url, {
    ...base,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

export function bullPrefix(settings: Pick<RedisSettings, 'prefix'>): string {
  return `${settings.prefix}:bull`;
}
