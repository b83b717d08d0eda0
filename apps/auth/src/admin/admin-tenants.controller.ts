import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams } from '../common/ids.js';
import { CorpSearchQueryDto, CorpTokensDto, RefreshTokenDto, TenantPageDto } from './corp-search.dto.js';
import { CorpTokensAdminService } from './corp-tokens-admin.service.js';
import { CorpsAdminService } from './corps-admin.service.js';

@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field; invalid_cursor' })
@Controller('api/v1/admin')
export class AdminTenantsController {
  constructor(
    private readonly corps: CorpsAdminService,
    private readonly tokens: CorpTokensAdminService,
  ) {}

  @Get('corps')
  @ApiOperation({ summary: 'Tenants of every suite: search by corp id or name, filter by suite, status, edition, install time; newest first' })
  @ApiOkResponse({ type: TenantPageDto })
  search(@Query() query: CorpSearchQueryDto): Promise<TenantPageDto> {
    return this.corps.search(query);
  }

  @Get('suites/:suiteId/corps/:corpId/tokens')
  @ApiOperation({ summary: "A tenant's stored tokens by kind: expiry and freshness, never the values" })
  @ApiOkResponse({ type: CorpTokensDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'corp_not_found' })
  listTokens(@Param() params: CorpParams): Promise<CorpTokensDto> {
    return this.tokens.list(params.suiteId, params.corpId);
  }

  @Post('suites/:suiteId/corps/:corpId/tokens/refresh')
  @HttpCode(200)
  @PERMISSION('operate')
  @ApiOperation({ summary: 'Fetch a new token of one kind from WeCom now (default corp access_token); answers the freshness, never the token' })
  @ApiOkResponse({ type: CorpTokensDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'corp_not_found, corp_cancelled, corp_suspended' })
  @ApiBadGatewayResponse({ type: ErrorDto, description: 'wecom_error, wecom_unavailable' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'no_suite_ticket, token_busy, wecom_rate_limited' })
  refreshToken(@Param() params: CorpParams, @Body() body: RefreshTokenDto): Promise<CorpTokensDto> {
    return this.tokens.refresh(params.suiteId, params.corpId, body.kind ?? 'corp');
  }
}
