import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { REDIS } from '@app/queues';
import { AuthAppError, toAuthAppError } from '../auth-errors.js';

const WINDOW_SECONDS = 15 * 60;

/**
 * The `wecom` strategy behind the same per-address limit on failed sign-ins as the password form (LoginGuard's
 * `console-login-failures-address` counter in Redis, 10 × CONSOLE_LOGIN_MAX_FAILURES per 15 min): a refused
 * WeCom sign-in counts as a failure of that address, and an address over the limit may use neither way in. Each
 * attempt that gets past the state check costs a get_login_info call, so this also bounds WeCom calls per address.
 * Failures of WeCom itself (5xx) are not the person's and do not count.
 */
@Injectable()
export class WecomLoginGuard extends AuthGuard('wecom') {
  private readonly perAddress: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AuthConfig) {
    super();
    const points = config.CONSOLE_LOGIN_MAX_FAILURES * 10;
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_PREFIX}:console-login-failures-address`,
      points,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ points, duration: WINDOW_SECONDS }),
    });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const seen = await this.perAddress.get(request.ip);
    if (seen && seen.remainingPoints <= 0) {
      throw new AuthAppError('too_many_login_attempts', `too many failed sign-ins; try again in ${Math.ceil(seen.msBeforeNext / 1000)} s`);
    }
    try {
      return (await super.canActivate(context)) as boolean;
    } catch (err) {
      const named = toAuthAppError(err);
      if (!named || named.status < 500) await this.perAddress.penalty(request.ip, 1).catch(() => undefined);
      throw err;
    }
  }
}
