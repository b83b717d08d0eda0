import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import type { TokenKey } from '@app/tokens';
import { AuthAppError } from '../auth-errors.js';
import { HttpRateLimits, MinuteLimit } from '../common/http-rate-limits.js';

/** The API key of an authenticated request, hashed: the counter's name, never the key itself. */
function keyOf(request: FastifyRequest): string {
  return createHash('sha256').update(String(request.headers.authorization ?? '')).digest('base64url').slice(0, 22);
}

/**
 * Caps how often one API key may drop tokens. Every invalidation lets the next request fetch from WeCom, so without a
 * cap any suite-scoped key could spend the vendor's WeCom quota in a loop (fetch, invalidate, fetch …). Counted per
 * key and token (INVALIDATIONS_PER_TOKEN_PER_MINUTE; Redis key `<prefix>:rl:invalidate-token:<key hash>:<kind>:<suite>:<corp>`)
 * and per key overall (INVALIDATIONS_PER_KEY_PER_MINUTE; `<prefix>:rl:invalidate:<key hash>`), across replicas
 * (`HttpRateLimits`). Runs after the API key guard, so only real keys are counted.
 */
@Injectable()
export class InvalidationLimiter {
  private readonly perToken: MinuteLimit;
  private readonly perKey: MinuteLimit;

  constructor(limits: HttpRateLimits, @Inject(APP_CONFIG) config: AuthConfig) {
    this.perToken = limits.perMinute('invalidate-token', config.INVALIDATIONS_PER_TOKEN_PER_MINUTE);
    this.perKey = limits.perMinute('invalidate', config.INVALIDATIONS_PER_KEY_PER_MINUTE);
  }

  /** Throws AuthAppError `rate_limited` (429) when this key has invalidated too often. */
  async check(request: FastifyRequest, token: TokenKey): Promise<void> {
    const key = keyOf(request);
    for (const [budget, counter, what] of [
      [this.perKey, key, 'token invalidations with this API key'],
      [this.perToken, `${key}:${token.kind}:${token.suiteId}:${token.corpId ?? ''}`, 'invalidations of this token with this API key'],
    ] as const) {
      const retryAfter = await budget.take(counter);
      if (retryAfter !== null) {
        throw new AuthAppError('rate_limited', `too many ${what}; retry in ${retryAfter} s (WeCom hands out the same token while it is valid)`);
      }
    }
  }
}
