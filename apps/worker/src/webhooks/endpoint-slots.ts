import type { Redis } from 'ioredis';

/**
 * Per-endpoint concurrency across every worker process: a Redis sorted set per endpoint of the deliveries in
 * flight, scored by when their hold expires. A worker killed mid-attempt leaves a member that expires by itself,
 * so a crash never shrinks an endpoint's capacity for long.
 */
export class EndpointSlots {
  private static readonly ACQUIRE = `
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
    redis.call('PEXPIRE', KEYS[1], ARGV[5])
    return 1`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Takes one of `cap` slots of the endpoint for `holdMs`; false when all are taken. */
  async acquire(endpointId: string, deliveryId: string, cap: number, holdMs: number): Promise<boolean> {
    const now = Date.now();
    const taken = await this.redis.eval(EndpointSlots.ACQUIRE, 1, this.key(endpointId), now, now + holdMs, deliveryId, cap, holdMs);
    return taken === 1;
  }

  async release(endpointId: string, deliveryId: string): Promise<void> {
    await this.redis.zrem(this.key(endpointId), deliveryId);
  }

  private key(endpointId: string): string {
    return `${this.prefix}:webhooks:inflight:${endpointId}`;
  }
}
