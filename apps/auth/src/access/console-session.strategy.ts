import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { ConsoleSessionInfo, ConsoleUserRepository } from '@app/store';

/** Name of the console's session cookie (HttpOnly, SameSite=Strict, Path=/). */
export const SESSION_COOKIE = 'wecom_console_session';

/** People: the console's session cookie → the live session (user, role, CSRF token) as `request.user`. */
@Injectable()
export class ConsoleSessionStrategy extends PassportStrategy(Strategy, 'console-session') {
  constructor(private readonly users: ConsoleUserRepository) {
    super();
  }

  async validate(request: FastifyRequest): Promise<ConsoleSessionInfo | false> {
    const token = request.cookies?.[SESSION_COOKIE];
    if (!token) return false;
    return (await this.users.findSession(token)) ?? false;
  }
}
