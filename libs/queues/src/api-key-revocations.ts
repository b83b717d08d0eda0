import type { Redis } from 'ioredis';

/**
 * The API-key revocation epoch: a Redis counter every revocation increments (after the database write). Processes that
 * cache API keys read it on each request and drop their cache when it moved, so a revoked key stops working in every
 * process at once — by the time the revoking call has answered.
 */
export function apiKeyRevocationEpochKey(prefix: string): string {
  return `${prefix}:api-keys:revocation-epoch`;
}

/** Announces a revocation; call after the key is marked revoked in the database. */
export async function bumpApiKeyRevocationEpoch(redis: Redis, prefix: string): Promise<void> {
  await redis.incr(apiKeyRevocationEpochKey(prefix));
}

/** The current epoch ('0' before the first revocation); throws when Redis cannot answer. */
export async function readApiKeyRevocationEpoch(redis: Redis, prefix: string): Promise<string> {
  return (await redis.get(apiKeyRevocationEpochKey(prefix))) ?? '0';
}
