import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyInfo } from '@app/store';
import { API_KEY_STRATEGY } from './api-key.strategy.js';

/**
 * `admin`: admin keys only. `suite`: admin keys, and keys scoped `suite:<id>` for the `:suiteId` in the path.
 * `provider`: admin keys, and keys scoped `provider:<corpid>` for the `:providerCorpId` in the path.
 */
export type Access = 'admin' | 'suite' | 'provider';

/** The route metadata ScopeGuard reads: `@ACCESS('admin')`, applied by `@ApiAccess`. */
export const ACCESS = Reflector.createDecorator<Access>();

/** Passport's guard for the API-key strategy; a request without a usable header gets the strategy's 401. */
@Injectable()
export class ApiKeyAuthGuard extends AuthGuard(API_KEY_STRATEGY) {
  override handleRequest<T = ApiKeyInfo>(err: unknown, user: T | false): T {
    if (err) throw err;
    if (!user) throw new UnauthorizedException('send Authorization: Bearer <api key>');
    return user;
  }
}

/** Checks the authenticated key's scopes (`request.user`) against the route's access rule (403 when short). */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride(ACCESS, [context.getHandler(), context.getClass()]);
    // A guarded route without a rule is a programming error: refuse rather than let it through.
    if (!access) throw new ForbiddenException('this route has no access rule');
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: ApiKeyInfo }>();
    const key = request.user;
    if (!key) throw new UnauthorizedException('send Authorization: Bearer <api key>');
    if (key.scopes.includes('admin')) return true;
    if (access === 'suite') {
      const suiteId = (request.params as Record<string, string | undefined>).suiteId;
      if (suiteId !== undefined && key.scopes.includes(`suite:${suiteId}`)) return true;
      throw new ForbiddenException("this key's scopes do not include this suite");
    }
    if (access === 'provider') {
      const providerCorpId = (request.params as Record<string, string | undefined>).providerCorpId;
      if (providerCorpId !== undefined && key.scopes.includes(`provider:${providerCorpId}`)) return true;
      throw new ForbiddenException("this key's scopes do not include this provider");
    }
    throw new ForbiddenException('this route needs a key with the admin scope');
  }
}
