import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { providerTokenKey } from '@app/tokens';
import { ApiAccess } from '../access/api-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { ProviderParams } from '../common/ids.js';
import { InvalidationLimiter } from './invalidation-limiter.js';
import { AccessTokenDto, InvalidateResultDto, InvalidateTokenDto } from './token-api.dto.js';
import { TokenApiService } from './token-api.service.js';

/**
 * A provider's provider_access_token (获取服务商凭证) for the vendor's services: one token per provider corpid,
 * fetched once per lifetime whatever the number of suites it owns. Keys scoped `admin` or `provider:<corpid>`.
 */
@ApiTags('tokens')
@ApiAccess('provider')
@ApiServiceUnavailableResponse({ type: ErrorDto, description: 'token_busy, wecom_rate_limited: retry later' })
@ApiBadGatewayResponse({ type: ErrorDto, description: 'wecom_error, wecom_unavailable' })
@Controller('api/v1/providers/:providerCorpId')
export class ProviderTokenController {
  constructor(
    private readonly tokens: TokenApiService,
    private readonly invalidations: InvalidationLimiter,
  ) {}

  @Get('access-token')
  @ApiOperation({ summary: "The provider's provider_access_token (license, provider login and other provider-level APIs)" })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'provider_not_found' })
  @ApiConflictResponse({ type: ErrorDto, description: 'no_provider_credentials: no provider_secret registered' })
  async providerToken(@Param() params: ProviderParams): Promise<AccessTokenDto> {
    const token = await this.tokens.get(providerTokenKey(params.providerCorpId));
    return { access_token: token.value, expires_at: token.expiresAt.toISOString() };
  }

  @Post('access-token/invalidate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Forget the provider_access_token after WeCom refused it (40014, 42001); the next GET fetches a new one' })
  @ApiOkResponse({ type: InvalidateResultDto })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'rate_limited: this key invalidates too often' })
  async invalidate(@Param() params: ProviderParams, @Body() body: InvalidateTokenDto, @Req() request: FastifyRequest): Promise<InvalidateResultDto> {
    const key = providerTokenKey(params.providerCorpId);
    await this.invalidations.check(request, key);
    return { invalidated: await this.tokens.invalidate(key, body.access_token) };
  }
}
