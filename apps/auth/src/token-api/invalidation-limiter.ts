import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import type { TokenKey } from '@app/tokens';
import { AuthAppError } from '../auth-errors.js';

const MINUTE_MS = 60_000;

type LimitCheck = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded: boolean; ttlInSeconds: number }>;

/** The API key of an authenticated request, hashed: the counter's name, never the key itself. */
function keyOf(request: FastifyRequest): string {
  return createHash('sha256').update(String(request.headers.authorization ?? '')).digest('base64url').slice(0, 22);
}

/**
 * Caps how often one API key may drop tokens. Every invalidation lets the next request fetch from WeCom, so without a
 * cap any suite-scoped key could spend the vendor's WeCom quota in a loop (fetch, invalidate, fetch …). Counted per
 * key and token (INVALIDATIONS_PER_TOKEN_PER_MINUTE) and per key overall (INVALIDATIONS_PER_KEY_PER_MINUTE), in Redis
 * across replicas (`@fastify/rate-limit`). Runs after the API key guard, so only real keys are counted.
 */
@Injectable()
export class InvalidationLimiter {
  private checks: { perToken: LimitCheck; perKey: LimitCheck } | null = null;
  /** which token a request invalidates, for the per-token counter's name */
  private readonly targets = new WeakMap<FastifyRequest, string>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Throws AuthAppError `rate_limited` (429) when this key has invalidated too often. */
  async check(request: FastifyRequest, token: TokenKey): Promise<void> {
    const { perToken, perKey } = this.limits();
    this.targets.set(request, `${token.kind}:${token.suiteId}:${token.corpId ?? ''}`);
    for (const [check, what] of [
      [perKey, 'token invalidations with this API key'],
      [perToken, 'invalidations of this token with this API key'],
    ] as const) {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) {
        throw new AuthAppError('rate_limited', `too many ${what}; retry in ${result.ttlInSeconds} s (WeCom hands out the same token while it is valid)`);
      }
    }
  }

  private limits(): { perToken: LimitCheck; perKey: LimitCheck } {
    if (this.checks) return this.checks;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const targetOf = (request: FastifyRequest) => this.targets.get(request) ?? '';
    this.checks = {
      perToken: fastify.createRateLimit({
        max: this.config.INVALIDATIONS_PER_TOKEN_PER_MINUTE,
        timeWindow: MINUTE_MS,
        keyGenerator: (request) => `invalidate:key:${keyOf(request)}:${targetOf(request)}`,
      }) as LimitCheck,
      perKey: fastify.createRateLimit({
        max: this.config.INVALIDATIONS_PER_KEY_PER_MINUTE,
        timeWindow: MINUTE_MS,
        keyGenerator: (request) => `invalidate:key:${keyOf(request)}`,
      }) as LimitCheck,
    };
    return this.checks;
  }
}
