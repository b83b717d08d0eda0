import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './redis-connection.js';

/** The start-up error for a Redis that may evict keys. */
export class RedisEvictionPolicyError extends Error {
  constructor(readonly policies: Record<string, string>) {
    super(
      `Redis may evict keys (maxmemory-policy ${Object.entries(policies)
        .map(([node, policy]) => `${policy} on ${node}`)
        .join(', ')}): BullMQ jobs, locks and the refresh index would vanish under memory pressure. ` +
        'Set maxmemory-policy noeviction (a managed Redis: in its parameter group), or REDIS_ALLOW_EVICTION=true to accept the risk.',
    );
    this.name = 'RedisEvictionPolicyError';
  }
}

/**
 * `maxmemory-policy` of every node that takes writes (each master of a Cluster), read from `INFO memory` — managed
 * Redis services often disable CONFIG. Returns `node → policy`; throws when a node cannot answer.
 */
export async function readEvictionPolicies(redis: Redis): Promise<Record<string, string>> {
  const nodes: Redis[] = isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
  const out: Record<string, string> = {};
  for (const node of nodes) {
    const info = await node.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    out[`${node.options.host ?? '?'}:${node.options.port ?? '?'}`] = policy;
  }
  return out;
}

/** Throws RedisEvictionPolicyError unless every writable node has `maxmemory-policy noeviction`. */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const policies = await readEvictionPolicies(redis);
  const evicting = Object.fromEntries(Object.entries(policies).filter(([, policy]) => policy !== 'noeviction'));
  if (Object.keys(evicting).length) throw new RedisEvictionPolicyError(evicting);
}
