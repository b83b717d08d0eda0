import { Controller, Get, Inject, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ConsoleUserInfo, ConsoleUserRepository } from '@app/store';
import { CONSOLE_WECOM_LOGIN_COOKIE } from '../access/wecom.strategy.js';
import { clearBrowserCookie, encodeCookieJson, setBrowserCookie } from '../common/browser-cookies.js';
import { ConsoleWecomLoginService, PENDING_CONSOLE_WECOM_LOGIN_TTL_SECONDS } from './console-wecom-login.service.js';
import { SignInMethodsDto } from './console-user.dto.js';
import { setSessionCookie } from './session-cookie.js';
import { WecomLoginGuard } from './wecom-login.guard.js';
import { WecomSignInRedirectFilter } from './wecom-sign-in.filter.js';

/**
 * "Sign in with WeCom" (企业微信扫码登录) for the console: browser routes, no JSON. The start route sends the browser
 * to WeCom's login page; WeCom sends it back to the callback, which opens the same session (cookie, CSRF token,
 * revocation) as the password form and lands on the console, or returns to the sign-in page with the refusal.
 */
@ApiTags('console')
@Controller('api/v1/console/session/wecom')
@UseFilters(WecomSignInRedirectFilter)
export class ConsoleWecomSessionController {
  private readonly secure: boolean;

  constructor(
    private readonly logins: ConsoleWecomLoginService,
    private readonly users: ConsoleUserRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    this.secure = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  }

  @Get()
  @ApiOperation({ summary: "Sign in with WeCom: 302 to WeCom's scan-to-log-in page (3rd_qrConnect, usertype=member) for the configured provider corp" })
  @ApiFoundResponse({ description: 'Location: {WECOM_INSTALL_BASE}/wwopen/sso/3rd_qrConnect?…, or /console/login?wecom_error=wecom_login_disabled|provider_not_found' })
  async start(@Res() reply: FastifyReply): Promise<void> {
    const { location, pending } = await this.logins.start();
    setBrowserCookie(reply, CONSOLE_WECOM_LOGIN_COOKIE, encodeCookieJson(pending), PENDING_CONSOLE_WECOM_LOGIN_TTL_SECONDS, this.secure);
    await reply.code(302).header('location', location).header('cache-control', 'no-store').send();
  }

  @Get('callback')
  @UseGuards(WecomLoginGuard)
  @ApiOperation({ summary: "WeCom's redirect with auth_code: opens a console session (cookie) for the linked user and 302 to the console" })
  @ApiQuery({ name: 'auth_code', required: true })
  @ApiQuery({ name: 'state', required: true })
  @ApiFoundResponse({
    description:
      'Location: /console/overview with the session cookie set; or /console/login?wecom_error=<code>[&wecom_user=<userid>] — codes: invalid_oauth_state, ' +
      'invalid_oauth_code, wecom_corp_not_allowed, wecom_user_without_userid, wecom_user_not_linked, console_user_disabled, too_many_login_attempts, ' +
      'wecom_login_disabled, provider_not_found, no_provider_credentials, wecom_error, wecom_unavailable, internal (with error_id)',
  })
  async callback(@Req() request: FastifyRequest & { user: ConsoleUserInfo }, @Res() reply: FastifyReply): Promise<void> {
    const { token, session } = await this.users.openSession(request.user.id, this.config.CONSOLE_SESSION_TTL_HOURS * 3600_000, 'wecom');
    clearBrowserCookie(reply, CONSOLE_WECOM_LOGIN_COOKIE, this.secure);
    setSessionCookie(reply, token, session.expiresAt, this.secure);
    await reply.code(302).header('location', `${this.config.PUBLIC_BASE_URL}/console/overview`).header('cache-control', 'no-store').send();
  }
}

/** What the sign-in page offers; no session needed. */
@ApiTags('console')
@Controller('api/v1/console/sign-in-methods')
export class ConsoleSignInMethodsController {
  constructor(private readonly logins: ConsoleWecomLoginService) {}

  @Get()
  @ApiOperation({ summary: 'Which ways of signing in the console offers (the WeCom button shows only when configured)' })
  @ApiOkResponse({ type: SignInMethodsDto })
  methods(): SignInMethodsDto {
    const corpId = this.logins.providerCorpId;
    return { password: true, wecom: corpId !== undefined, wecomCorpId: corpId ?? null };
  }
}
