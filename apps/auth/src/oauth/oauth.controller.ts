import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiFoundResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { BrowserCookie, clearBrowserCookie, encodeCookieJson, readBrowserCookie, setBrowserCookie } from '../common/browser-cookies.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { WecomRedirectQuery } from '../common/lenient-query.decorator.js';
import { AuthorizeQueryDto, OAuthCallbackQueryDto, OAuthResultDto } from './oauth.dto.js';
import { OAuthService } from './oauth.service.js';
import { decodePendingLogin, PENDING_LOGIN_TTL_SECONDS } from './pending-login.js';

/**
 * Browser routes of the third-party member login; no API key. The pending login travels in a signed HttpOnly
 * SameSite=Lax cookie whose nonce is WeCom's `state`, so the callback must come from the browser that started it.
 */
@ApiTags('oauth')
@Controller('oauth/:suiteId')
export class OAuthController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly oauth: OAuthService,
    @Inject(APP_CONFIG) config: AuthConfig,
  ) {
    this.secureCookies = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  }

  @Get('authorize')
  @ApiOperation({ summary: "Start a member login: 302 to WeCom's OAuth page for the suite" })
  @ApiFoundResponse({ description: 'Location: {WECOM_OAUTH_BASE}/connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state#wechat_redirect' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'redirect_not_allowed, or a bad parameter' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  async authorize(@Param() params: SuiteParams, @Query() query: AuthorizeQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const { location, pending } = await this.oauth.authorize(params.suiteId, query.scope ?? 'snsapi_base', query.redirect, query.corpId);
    setBrowserCookie(reply, loginCookie(params.suiteId), encodeCookieJson(pending), PENDING_LOGIN_TTL_SECONDS, this.secureCookies);
    await reply.code(302).header('location', location).header('cache-control', 'no-store').send();
  }

  @Get('callback')
  @ApiOperation({ summary: "WeCom's redirect with the code: 302 to the caller's redirect with ?wecom_login=<signed token>, or JSON" })
  @ApiFoundResponse({ description: 'Location: the redirect given to /authorize, with wecom_login' })
  @ApiOkResponse({ type: OAuthResultDto, description: 'When /authorize had no redirect' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_oauth_state, invalid_oauth_code' })
  @ApiQuery({ type: OAuthCallbackQueryDto })
  async callback(
    @Param() params: SuiteParams,
    @WecomRedirectQuery() query: OAuthCallbackQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cookie = loginCookie(params.suiteId);
    const pending = decodePendingLogin(readBrowserCookie(request, cookie));
    // Single use: whatever the outcome, this browser's pending login is spent.
    clearBrowserCookie(reply, cookie, this.secureCookies);
    const result = await this.oauth.callback(params.suiteId, query.code, query.state, pending);
    if (result.redirect) {
      await reply.code(302).header('location', result.redirect).header('cache-control', 'no-store').send();
    } else {
      await reply.code(200).header('cache-control', 'no-store').send({ token: result.token, user: result.claims });
    }
  }
}

function loginCookie(suiteId: string): BrowserCookie {
  return { name: `wecom_oauth_${suiteId}`, path: `/oauth/${suiteId}` };
}
