import { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is and how the platform names its keys. One of three topologies: a single node (`url`), a master
 * found through Sentinel (`sentinels` + `sentinelName`; `url` gives credentials, TLS and database number), or a
 * Redis Cluster (`clusterNodes`, seed nodes; `url` gives credentials and TLS).
 */
export interface RedisSettings {
  url: string;
  /** Prefix for every key the platform writes; BullMQ queues live under `bullPrefix(settings)`. */
  prefix: string;
  sentinels?: readonly RedisNode[];
  sentinelName?: string;
  clusterNodes?: readonly RedisNode[];
  /** Accept a Redis whose maxmemory-policy may evict keys (REDIS_ALLOW_EVICTION). */
  allowEviction?: boolean;
}

/** The config variables the settings are read from (`CommonConfig` has them all). */
export interface RedisEnv {
  REDIS_URL: string;
  REDIS_PREFIX: string;
  REDIS_SENTINELS?: readonly RedisNode[];
  REDIS_SENTINEL_NAME?: string;
  REDIS_CLUSTER_NODES?: readonly RedisNode[];
  REDIS_ALLOW_EVICTION?: boolean;
}

/**
 * The settings of a validated config; throws (a start-up error naming the variables) for Sentinels and Cluster
 * nodes together, or Sentinels without the master's name.
 */
export function redisSettingsFrom(env: RedisEnv): RedisSettings {
  const sentinels = env.REDIS_SENTINELS ?? [];
  const clusterNodes = env.REDIS_CLUSTER_NODES ?? [];
  if (sentinels.length && clusterNodes.length) throw new Error('set REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both');
  if (sentinels.length && !env.REDIS_SENTINEL_NAME) throw new Error('REDIS_SENTINELS needs REDIS_SENTINEL_NAME, the name of the master the Sentinels watch');
  if (!sentinels.length && env.REDIS_SENTINEL_NAME) throw new Error('REDIS_SENTINEL_NAME needs REDIS_SENTINELS');
  return {
    url: env.REDIS_URL,
    prefix: env.REDIS_PREFIX,
    ...(sentinels.length ? { sentinels, sentinelName: env.REDIS_SENTINEL_NAME } : {}),
    ...(clusterNodes.length ? { clusterNodes } : {}),
    allowEviction: env.REDIS_ALLOW_EVICTION ?? false,
  };
}

/** Credentials, TLS and database number from a `redis://` / `rediss://` URL, as ioredis options. */
function urlOptions(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    db,
  };
}

/**
 * A client for the configured topology. Workers block on Redis and must wait through outages
 * (maxRetriesPerRequest: null). Producers on a request path must not: with the offline queue off, a command fails at
 * once while Redis is away, and the caller falls back (the callback app keeps the event in PostgreSQL for the sweeper).
 *
 * Sentinel and Cluster use ioredis's own clients: Sentinel finds the master and follows a failover; `Cluster` routes
 * each command to its slot's master and follows MOVED/ASK. A `Cluster` is returned typed as `Redis` — it answers the
 * same commands, and the platform's own multi-key commands and scripts keep their keys in one slot (see bullPrefix),
 * so the code is written once. A string is read as a single node's URL.
 */
export function createRedis(target: string | RedisSettings, role: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  const settings: RedisSettings = typeof target === 'string' ? { url: target, prefix: '' } : target;
  const base: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 2000 };
  const retryStrategy = (times: number) => Math.min(times * 200, 2000);
  if (settings.clusterNodes?.length) {
    const { enableOfflineQueue, enableReadyCheck, lazyConnect, ...redisOptions } = { ...base, ...extra };
    const { db: _db, ...credentials } = urlOptions(settings.url);
    const options: ClusterOptions = {
      redisOptions: { ...credentials, ...redisOptions },
      clusterRetryStrategy: retryStrategy,
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      ...(enableReadyCheck !== undefined ? { enableReadyCheck } : {}),
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    };
    return new Cluster([...settings.clusterNodes], options) as unknown as Redis;
  }
  if (settings.sentinels?.length) {
    return new Redis({
      ...urlOptions(settings.url),
      sentinels: [...settings.sentinels],
      name: settings.sentinelName,
      ...base,
      retryStrategy,
      sentinelRetryStrategy: retryStrategy,
      ...extra,
    });
  }
  return new Redis(settings.url, { ...base, retryStrategy, ...extra });
}

/** Whether the client is a Redis Cluster client. */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown as Cluster).isCluster === true;
}

/**
 * The BullMQ key prefix. On a Cluster it is hash-tagged (`{<prefix>:bull}`): BullMQ's scripts touch many keys of a
 * queue at once, which a Cluster allows only within one slot. Elsewhere it stays `<prefix>:bull` (the keys existing
 * deployments already have).
 */
export function bullPrefix(settings: Pick<RedisSettings, 'prefix' | 'clusterNodes'>): string {
  return settings.clusterNodes?.length ? `{${settings.prefix}:bull}` : `${settings.prefix}:bull`;
}

/**
 * A second connection like `redis` (same topology and options), e.g. for a subscriber; `extra` applies to each
 * connection (on a Cluster, to each node's).
 */
export function duplicateRedis(redis: Redis, extra: RedisOptions = {}): Redis {
  if (!isCluster(redis)) return redis.duplicate(extra);
  const cluster = redis as unknown as Cluster;
  return cluster.duplicate([], { redisOptions: { ...cluster.options.redisOptions, ...extra } }) as unknown as Redis;
}
