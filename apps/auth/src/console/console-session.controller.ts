import { Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import {
  ApiBody,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ConsoleSessionInfo, ConsoleUserInfo, ConsoleUserRepository } from '@app/store';
import { checkCsrf } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { ConsoleSessionDto, LoginDto } from './console-user.dto.js';
import { LoginGuard } from './login.guard.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';

/** Sign-in for people: a session cookie (HttpOnly, SameSite=Strict) and the CSRF token to send with changes. */
@ApiTags('console')
@Controller('api/v1/console/session')
export class ConsoleSessionController {
  private readonly secure: boolean;

  constructor(
    private readonly users: ConsoleUserRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    this.secure = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  }

  @Post()
  @UseGuards(LoginGuard)
  @ApiOperation({ summary: 'Sign in with username and password; sets the session cookie' })
  @ApiBody({ type: LoginDto })
  @ApiCreatedResponse({ type: ConsoleSessionDto })
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'Wrong username or password, or a disabled user' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'too_many_login_attempts, with Retry-After: the seconds until the lock ends' })
  async login(@Req() request: FastifyRequest & { user: ConsoleUserInfo }, @Res({ passthrough: true }) reply: FastifyReply): Promise<ConsoleSessionDto> {
    const { token, session } = await this.users.openSession(request.user.id, this.config.CONSOLE_SESSION_TTL_HOURS * 3600_000, 'password');
    setSessionCookie(reply, token, session.expiresAt, this.secure);
    return present(session);
  }

  @Get()
  @UseGuards(AuthGuard('console-session'))
  @ApiCookieAuth('console-session')
  @ApiOperation({ summary: 'The signed-in user and the CSRF token (401 when signed out)' })
  @ApiOkResponse({ type: ConsoleSessionDto })
  current(@Req() request: FastifyRequest & { user: ConsoleSessionInfo }): ConsoleSessionDto {
    return present(request.user);
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(AuthGuard('console-session'))
  @ApiCookieAuth('console-session')
  @ApiOperation({ summary: 'Sign out: ends the session (needs X-CSRF-Token) and clears the cookie' })
  @ApiNoContentResponse()
  async logout(@Req() request: FastifyRequest & { user: ConsoleSessionInfo }, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    checkCsrf(request, request.user.csrfToken);
    await this.users.revokeSession(request.user.sessionId);
    clearSessionCookie(reply, this.secure);
  }
}

function present(session: ConsoleSessionInfo): ConsoleSessionDto {
  return { user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt, method: session.method };
}
