import type { Redis } from 'ioredis';
import { slotMateKey } from '@app/queues';
import { EXPIRES_IN_GRANULARITY_MS, TokenKey, tokenKeyId } from './token-key.js';

/**
 * The due-time index: one sorted set of token keys scored by when each should next be refreshed.
 * A sweep reads only the members that are due, so its cost grows with due tokens, not with tenants.
 *
 * A token is due when it expires (plus up to the jitter): WeCom hands out the same token for its whole validity,
 * so asking earlier only earns the same token back. One fetch per token per lifetime.
 */
export class RefreshSchedule {
  private readonly key: string;
  /**
   * Set when a reconciliation walk finished against this Redis; gone with the index if Redis loses its data. In the
   * index's Cluster slot (`{<prefix>:refresh-due}:reconciled`), so on its node: a node lost without a replica takes
   * both, and the next start walks again, never trusting a marker whose index is gone.
   */
  readonly reconciledKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /**
     * Kept for the callers' configuration (REFRESH_MARGIN_SECONDS); no longer moves the due time: WeCom renews
     * nothing before expiry.
     */
    _marginMs: number,
    /** spread refreshes after expiry so a mass install or restart does not make everything due at once */
    private readonly jitterMs: number,
  ) {
    this.key = `${prefix}:refresh-due`;
    this.reconciledKey = slotMateKey(this.key, 'reconciled');
  }

  /** Whether a reconciliation finished against this Redis and a worker has run since (the marker lives). */
  async isReconciled(): Promise<boolean> {
    return (await this.redis.exists(this.reconciledKey)) === 1;
  }

  /** Records a finished reconciliation; the marker lasts `ttlMs` (ms) unless running workers keep it alive. */
  async markReconciled(ttlMs: number): Promise<void> {
    await this.redis.set(this.reconciledKey, String(Date.now()), 'PX', ttlMs);
  }

  /** Extends a live marker by `ttlMs` (ms); never creates one (PEXPIRE on a missing key is a no-op). */
  async keepReconciled(ttlMs: number): Promise<void> {
    await this.redis.pexpire(this.reconciledKey, ttlMs);
  }

  /**
   * When a token that expires at `expiresAt` should be fetched again: just after its expiry (WeCom's own lies within
   * EXPIRES_IN_GRANULARITY_MS after the recorded one), up to the jitter later.
   */
  dueTime(expiresAt: Date): number {
    return expiresAt.getTime() + EXPIRES_IN_GRANULARITY_MS + Math.floor(Math.random() * (this.jitterMs + 1));
  }

  async schedule(token: TokenKey, expiresAt: Date): Promise<void> {
    await this.redis.zadd(this.key, this.dueTime(expiresAt), tokenKeyId(token));
  }

  /** Sets a token's next refresh to an exact time (a retry later, when a refresh could not be done now). */
  async scheduleAt(token: TokenKey, dueMs: number): Promise<void> {
    await this.redis.zadd(this.key, dueMs, tokenKeyId(token));
  }

  /**
   * Adds tokens that are not in the index yet, leaving present ones untouched (ZADD NX): start-up
   * reconciliation after a Redis loss or for tenants stored while no worker ran. Returns how many were added.
   */
  async addMissing(entries: readonly { token: TokenKey; dueMs: number }[]): Promise<number> {
    if (!entries.length) return 0;
    const args: (string | number)[] = [];
    for (const e of entries) args.push(e.dueMs, tokenKeyId(e.token));
    return this.redis.zadd(this.key, 'NX', ...args);
  }

  /** The tokens not in the index, in one round trip (ZMSCORE). */
  async missing(tokens: readonly TokenKey[]): Promise<TokenKey[]> {
    if (!tokens.length) return [];
    const scores = await this.redis.zmscore(this.key, ...tokens.map(tokenKeyId));
    return tokens.filter((_, i) => scores[i] === null);
  }

  /** Makes a token due now (a new tenant, or one whose token was invalidated). */
  async scheduleNow(token: TokenKey): Promise<void> {
    await this.redis.zadd(this.key, Date.now(), tokenKeyId(token));
  }

  async remove(tokens: readonly TokenKey[]): Promise<void> {
    await this.removeMembers(tokens.map(tokenKeyId));
  }

  /** Removes raw members (`kind|suiteId|corpId`), malformed ones included. */
  async removeMembers(members: readonly string[]): Promise<void> {
    if (members.length) await this.redis.zrem(this.key, ...members);
  }

  /**
   * Takes up to `limit` due members and pushes their score `leaseMs` ahead, so a token whose refresh
   * job is lost comes due again instead of being forgotten. One round trip; O(log N + taken).
   */
  async takeDue(now: number, limit: number, leaseMs: number): Promise<string[]> {
    const members = (await this.redis.eval(TAKE_DUE, 1, this.key, now, limit, now + leaseMs)) as string[];
    return members;
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  async countDue(now: number): Promise<number> {
    return this.redis.zcount(this.key, '-inf', now);
  }

  async scoreOf(token: TokenKey): Promise<number | null> {
    const score = await this.redis.zscore(this.key, tokenKeyId(token));
    return score === null ? null : Number(score);
  }
}

const TAKE_DUE = `
local due = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do redis.call('zadd', KEYS[1], ARGV[3], member) end
return due`;
