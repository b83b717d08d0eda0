import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Token } from '@app/tokens';
import { ApiAccess } from '../access/api-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams, SuiteParams } from '../common/ids.js';
import { AccessTokenDto, InvalidateResultDto, InvalidateTokenDto, JssdkRequestDto, JssdkSignaturesDto } from './token-api.dto.js';
import { InvalidationLimiter } from './invalidation-limiter.js';
import { JssdkService } from './jssdk.service.js';
import { TokenApiService } from './token-api.service.js';

const present = (token: Token): AccessTokenDto => ({ access_token: token.value, expires_at: token.expiresAt.toISOString() });

/** Tokens and JS-SDK signatures for the vendor's own services; keys scoped `admin` or `suite:<suiteId>`. */
@ApiTags('tokens')
@ApiAccess('suite')
@ApiServiceUnavailableResponse({ type: ErrorDto, description: 'no_suite_ticket, token_busy, wecom_rate_limited: retry later' })
@ApiBadGatewayResponse({ type: ErrorDto, description: 'wecom_error, wecom_unavailable' })
@Controller('api/v1/suites/:suiteId')
export class TokenApiController {
  constructor(
    private readonly tokens: TokenApiService,
    private readonly jssdk: JssdkService,
    private readonly invalidations: InvalidationLimiter,
  ) {}

  @Get('access-token')
  @ApiOperation({ summary: "The suite's suite_access_token" })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  async suiteToken(@Param() params: SuiteParams): Promise<AccessTokenDto> {
    return present(await this.tokens.get({ kind: 'suite', suiteId: params.suiteId }));
  }

  @Post('access-token/invalidate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Forget the suite_access_token after WeCom refused it (40082, 42009)' })
  @ApiOkResponse({ type: InvalidateResultDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'rate_limited: this key invalidates too often' })
  async invalidateSuiteToken(@Param() params: SuiteParams, @Body() body: InvalidateTokenDto, @Req() request: FastifyRequest): Promise<InvalidateResultDto> {
    const key = { kind: 'suite' as const, suiteId: params.suiteId };
    await this.invalidations.check(request, key);
    return { invalidated: await this.tokens.invalidate(key, body.access_token) };
  }

  @Get('corps/:corpId/access-token')
  @ApiOperation({ summary: "A corp's access_token" })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found, corp_not_found, corp_cancelled, corp_suspended' })
  async corpToken(@Param() params: CorpParams): Promise<AccessTokenDto> {
    return present(await this.tokens.get({ kind: 'corp', suiteId: params.suiteId, corpId: params.corpId }));
  }

  @Post('corps/:corpId/access-token/invalidate')
  @HttpCode(200)
  @ApiOperation({ summary: "Forget a corp's access_token after WeCom refused it (40014, 42001); the next GET fetches a new one" })
  @ApiOkResponse({ type: InvalidateResultDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found, corp_not_found (a cancelled or suspended corp\'s token may still be dropped)' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'rate_limited: this key invalidates too often' })
  async invalidateCorpToken(@Param() params: CorpParams, @Body() body: InvalidateTokenDto, @Req() request: FastifyRequest): Promise<InvalidateResultDto> {
    const key = { kind: 'corp' as const, suiteId: params.suiteId, corpId: params.corpId };
    await this.invalidations.check(request, key);
    return { invalidated: await this.tokens.invalidate(key, body.access_token) };
  }

  @Post('corps/:corpId/jssdk-signatures')
  @HttpCode(200)
  @ApiOperation({ summary: 'JS-SDK signatures for wx.config and wx.agentConfig on one page URL' })
  @ApiOkResponse({ type: JssdkSignaturesDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found, corp_not_found, corp_cancelled, corp_suspended' })
  jssdkSignatures(@Param() params: CorpParams, @Body() body: JssdkRequestDto): Promise<JssdkSignaturesDto> {
    return this.jssdk.sign(params.suiteId, params.corpId, body.url);
  }
}
