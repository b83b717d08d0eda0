import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeyRepository } from '@app/store';

/**
 * `admin`: admin keys only. `suite`: admin keys, and keys scoped `suite:<id>` for the `:suiteId` in the path.
 */
export type Access = 'admin' | 'suite';

export const ACCESS = Reflector.createDecorator<Access>();

const BEARER = /^Bearer ([^\s]+)$/i;

/** Checks `Authorization: Bearer <api key>` against the stored hashes and the route's access rule. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride(ACCESS, [context.getHandler(), context.getClass()]);
    // A guarded route without a rule is a programming error: refuse rather than let it through.
    if (!access) throw new ForbiddenException('this route has no access rule');
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
    if (!match) throw new UnauthorizedException('send Authorization: Bearer <api key>');
    const key = await this.keys.findActive(match[1]);
    if (!key) throw new UnauthorizedException('the API key is unknown or revoked');
    if (key.scopes.includes('admin')) return true;
    if (access === 'suite') {
      const suiteId = (request.params as Record<string, string | undefined>).suiteId;
      if (suiteId !== undefined && key.scopes.includes(`suite:${suiteId}`)) return true;
      throw new ForbiddenException("this key's scopes do not include this suite");
    }
    throw new ForbiddenException('this route needs a key with the admin scope');
  }
}
