import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthAppError } from '../auth-errors.js';
import { isConsoleSession, mayDo, Permission, Principal, WHO_MAY } from './principal.js';

export const PERMISSION = Reflector.createDecorator<Permission>();

/** Header the console sends on every state-changing call, with the CSRF token its session was given. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs after passport has put a principal on the request (an API key or a console session): checks the route's
 * permission against the key's scopes or the person's role, and for sessions the CSRF token on unsafe methods.
 */
@Injectable()
export class AdminAccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const permission = this.reflector.getAllAndOverride(PERMISSION, [context.getHandler(), context.getClass()]);
    // A guarded route without a rule is a programming error: refuse rather than let it through.
    if (!permission) throw new ForbiddenException('this route has no access rule');
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
    const principal = request.user;
    if (isConsoleSession(principal) && !SAFE_METHODS.has(request.method)) checkCsrf(request, principal.csrfToken);
    if (mayDo(principal, permission)) return true;
    if (isConsoleSession(principal)) throw new ForbiddenException(`the ${principal.user.role} role may not ${permission}: this needs ${WHO_MAY[permission]}`);
    throw new ForbiddenException('this route needs a key with the admin scope');
  }
}

/** SameSite=Strict already keeps other sites' requests from carrying the cookie; the token is the second lock. */
export function checkCsrf(request: FastifyRequest, expected: string): void {
  const sent = request.headers[CSRF_HEADER];
  const a = Buffer.from(typeof sent === 'string' ? sent : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AuthAppError('csrf_token_invalid', `send the session's CSRF token in ${CSRF_HEADER}`);
  }
}
