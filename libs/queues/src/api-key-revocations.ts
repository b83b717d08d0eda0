import type { Redis } from 'ioredis';

/**
 * The API-key revocation epoch: a Redis counter every revocation increments (after the database write). Auth
 * processes of earlier releases read it on each request; it is kept moving so a rolling upgrade stays correct.
 */
export function apiKeyRevocationEpochKey(prefix: string): string {
  return `${prefix}:api-keys:revocation-epoch`;
}

/**
 * The pub/sub channel every revocation is announced on. Each auth process subscribes and drops its cached keys on
 * a message; Redis hands the message to every subscriber before it answers the PUBLISH, so by the time the revoking
 * call has answered, every subscribed process has it on its socket.
 */
export function apiKeyRevocationChannel(prefix: string): string {
  return `${prefix}:api-keys:revoked`;
}

/**
 * Announces a revocation; call after the key is marked revoked in the database. Moves the epoch (older processes
 * poll it) and publishes on `apiKeyRevocationChannel` (current ones subscribe). Throws when Redis cannot answer.
 */
export async function bumpApiKeyRevocationEpoch(redis: Redis, prefix: string): Promise<void> {
  const epoch = await redis.incr(apiKeyRevocationEpochKey(prefix));
  await redis.publish(apiKeyRevocationChannel(prefix), String(epoch));
}

/** The current epoch ('0' before the first revocation); throws when Redis cannot answer. */
export async function readApiKeyRevocationEpoch(redis: Redis, prefix: string): Promise<string> {
  return (await redis.get(apiKeyRevocationEpochKey(prefix))) ?? '0';
}
