import { BadRequestException, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { REDIS } from '@app/queues';
import { AuthAppError } from '../auth-errors.js';

const WINDOW_SECONDS = 15 * 60;

/**
 * The local strategy behind limits on failed attempts, kept in Redis so every auth replica counts together (an
 * in-process limiter stands in while Redis is down): per (username, client address), cleared by a success; and per
 * username alone and per client address alone, each at ten times that. The address is `request.ip` as Fastify sees
 * it: the TCP peer, or X-Forwarded-For's client when the peer is a proxy listed in TRUST_PROXY (which a client behind
 * such a proxy can vary), so the first bounds guessing at one account from anywhere; the second bounds the scrypt
 * work one address can cause with many usernames. Neither is cleared by a success.
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  private readonly failures: RateLimiterRedis;
  private readonly perUser: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AuthConfig) {
    super();
    const points = config.CONSOLE_LOGIN_MAX_FAILURES;
    this.failures = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_PREFIX}:console-login-failures`,
      points,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ points, duration: WINDOW_SECONDS }),
    });
    this.perUser = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_PREFIX}:console-login-failures-user`,
      points: points * 10,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ points: points * 10, duration: WINDOW_SECONDS }),
    });
    // Every failure costs a 32 MiB scrypt: one address may not make the server compute many of them.
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_PREFIX}:console-login-failures-address`,
      points: points * 10,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ points: points * 10, duration: WINDOW_SECONDS }),
    });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Body: { username?: unknown; password?: unknown } | null }>>();
    // A body without both fields is a client mistake, not a guess: 400 naming them (passport would answer a bare 401)
    // and no failure counted against the user.
    if (typeof request.body?.username !== 'string' || !request.body.username || typeof request.body.password !== 'string' || !request.body.password) {
      throw new BadRequestException('send a JSON body {"username", "password"}');
    }
    const username = typeof request.body?.username === 'string' ? request.body.username.toLowerCase().slice(0, 64) : '';
    const key = `${request.ip}|${username}`;
    for (const [limiter, id] of [[this.failures, key], [this.perUser, username], [this.perAddress, request.ip]] as const) {
      const seen = await limiter.get(id);
      if (seen && seen.remainingPoints <= 0) throw tooMany(seen, context.switchToHttp().getResponse<FastifyReply>());
    }
    try {
      const ok = (await super.canActivate(context)) as boolean;
      await this.failures.delete(key);
      return ok;
    } catch (err) {
      await Promise.all([this.failures.penalty(key, 1), this.perUser.penalty(username, 1), this.perAddress.penalty(request.ip, 1)]).catch(() => undefined);
      throw err;
    }
  }
}

/** 429 with `Retry-After`: the seconds until the lock ends (the error filter keeps headers already on the reply). */
function tooMany(res: RateLimiterRes, reply: FastifyReply): AuthAppError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  void reply.header('retry-after', String(seconds));
  return new AuthAppError('too_many_login_attempts', `too many failed sign-ins; try again in ${seconds} s`);
}
