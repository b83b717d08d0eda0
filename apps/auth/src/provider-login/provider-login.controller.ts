import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiFoundResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ApiAccess } from '../access/api-access.decorator.js';
import { BrowserCookie, clearBrowserCookie, encodeCookieJson, readBrowserCookie, setBrowserCookie } from '../common/browser-cookies.js';
import { ErrorDto } from '../common/error.dto.js';
import { ProviderParams } from '../common/ids.js';
import { WecomRedirectQuery } from '../common/lenient-query.decorator.js';
import { VerifyLoginTokenDto } from '../oauth/oauth.dto.js';
import type { ProviderLoginClaims } from '../oauth/login-token.js';
import { decodePendingProviderLogin, PENDING_PROVIDER_LOGIN_TTL_SECONDS, ProviderLoginService } from './provider-login.service.js';

export class ProviderLoginQueryDto {
  @ApiPropertyOptional({ description: 'Where the browser goes with ?wecom_login=<token> (PUBLIC_BASE_URL or OAUTH_REDIRECT_ORIGINS); JSON without it' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'redirect must be an absolute http(s) URL' })
  @MaxLength(2048)
  redirect?: string;

  @ApiPropertyOptional({ enum: ['admin', 'member'], default: 'admin', description: "WeCom's usertype: who may scan" })
  @IsOptional()
  @IsIn(['admin', 'member'])
  usertype?: 'admin' | 'member';
}

export class ProviderLoginCallbackQueryDto {
  @ApiProperty({ description: 'Single-use login code from WeCom' })
  @IsString()
  @Length(1, 512)
  auth_code: string;

  @ApiProperty()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,128}$/, { message: 'state must be 1-128 characters [A-Za-z0-9]' })
  state: string;
}

export class ProviderLoginClaimsDto {
  @ApiProperty({ enum: ['provider_login'] }) kind: 'provider_login';
  @ApiProperty() providerCorpId: string;
  @ApiProperty({ enum: ['admin', 'member'] }) userType: 'admin' | 'member';
  @ApiProperty({ description: '1 creator, 2 internal admin, 3 external admin, 4 branch admin, 5 member' }) wecomUserType: number;
  @ApiPropertyOptional() corpId?: string;
  @ApiPropertyOptional() userId?: string;
  @ApiPropertyOptional() openUserId?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() avatar?: string;
  @ApiProperty({ description: 'Apps of this provider the admin administers: [{ agentId, authType }]' }) agents: { agentId: number; authType: number }[];
  @ApiProperty() aud: string;
  @ApiProperty() iat: number;
  @ApiProperty() exp: number;
  @ApiProperty() jti: string;
}

/**
 * Provider web login (服务商官网/后台扫码登录) browser routes; no API key. `GET /login/:providerCorpId` → WeCom's
 * 3rd_qrConnect page; `GET /login/:providerCorpId/callback?auth_code&state` → signed login token.
 */
@ApiTags('oauth')
@Controller('login/:providerCorpId')
export class ProviderLoginController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly logins: ProviderLoginService,
    @Inject(APP_CONFIG) config: AuthConfig,
  ) {
    this.secureCookies = new URL(config.PUBLIC_BASE_URL).protocol === 'https:';
  }

  @Get()
  @ApiOperation({ summary: "Start a provider web login: 302 to WeCom's 3rd_qrConnect page" })
  @ApiFoundResponse({ description: 'Location: {WECOM_INSTALL_BASE}/wwopen/sso/3rd_qrConnect?appid&redirect_uri&state&usertype' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'provider_not_found' })
  async start(@Param() params: ProviderParams, @Query() query: ProviderLoginQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const { location, pending } = await this.logins.start(params.providerCorpId, query.usertype ?? 'admin', query.redirect);
    setBrowserCookie(reply, loginCookie(params.providerCorpId), encodeCookieJson(pending), PENDING_PROVIDER_LOGIN_TTL_SECONDS, this.secureCookies);
    await reply.code(302).header('location', location).header('cache-control', 'no-store').send();
  }

  @Get('callback')
  @ApiOperation({ summary: "WeCom's redirect with auth_code: 302 to the redirect with ?wecom_login=<signed token>, or JSON" })
  @ApiOkResponse({ type: ProviderLoginClaimsDto, description: 'When the login had no redirect: { token, user }' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_oauth_state, invalid_oauth_code' })
  @ApiQuery({ type: ProviderLoginCallbackQueryDto })
  async callback(
    @Param() params: ProviderParams,
    @WecomRedirectQuery() query: ProviderLoginCallbackQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cookie = loginCookie(params.providerCorpId);
    const pending = decodePendingProviderLogin(readBrowserCookie(request, cookie));
    clearBrowserCookie(reply, cookie, this.secureCookies);
    const result = await this.logins.callback(params.providerCorpId, query.auth_code, query.state, pending);
    if (result.redirect) await reply.code(302).header('location', result.redirect).header('cache-control', 'no-store').send();
    else await reply.code(200).header('cache-control', 'no-store').send({ token: result.token, user: result.claims });
  }
}

/** The vendor's backend turns a provider-login token into a trusted identity; once per token. */
@ApiTags('oauth')
@ApiAccess('provider')
@Controller('api/v1/providers/:providerCorpId/login-tokens')
export class ProviderLoginTokenController {
  constructor(private readonly logins: ProviderLoginService) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify a provider-login token (signature, expiry, provider, audience) and return who logged in; once per token' })
  @ApiOkResponse({ type: ProviderLoginClaimsDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_login_token, login_token_expired' })
  @ApiConflictResponse({ type: ErrorDto, description: 'login_token_used' })
  verify(@Param() params: ProviderParams, @Body() body: VerifyLoginTokenDto): Promise<ProviderLoginClaims> {
    return this.logins.verify(params.providerCorpId, body.token, body.audience);
  }
}

function loginCookie(providerCorpId: string): BrowserCookie {
  return { name: `wecom_login_${providerCorpId}`, path: `/login/${providerCorpId}` };
}
