import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiAccess } from '../access/api-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { ProviderParams, withWildcard } from '../common/ids.js';
import { forwardToWecom } from './gateway-forward.js';
import { GatewayService } from './gateway.service.js';

export class ProviderGatewayParams extends ProviderParams {
  static override readonly checkPlain = withWildcard('providerCorpId');

  @Allow()
  '*'?: unknown;
}

const PREFIX = /^\/api\/v1\/providers\/[^/?]+\/wecom(\/[^?]*)/;

/**
 * `GET|POST /api/v1/providers/:providerCorpId/wecom/<WeCom path>`: a provider-token API (service/*, license/*) with the
 * provider_access_token injected. Keys scoped `admin` or `provider:<providerCorpId>`, as for the provider token.
 */
@ApiTags('gateway')
@ApiAccess('provider')
@ApiOkResponse({ description: "WeCom's answer, unchanged (X-Wecom-Token-Kind: provider, X-Quota-Provider-Remaining-Minute/-Hour)" })
@ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_wecom_path (token-minting and install APIs are never forwarded), invalid_body' })
@ApiTooManyRequestsResponse({ type: ErrorDto, description: 'corp_api_rate_limited (the provider budget), ip_rate_limited, corp_slowed_down (with Retry-After)' })
@Controller('api/v1/providers/:providerCorpId/wecom')
export class ProviderGatewayController {
  constructor(private readonly gateway: GatewayService) {}

  @Get('*')
  @ApiOperation({ summary: 'A WeCom provider API (GET) with the provider_access_token injected' })
  get(@Param() params: ProviderGatewayParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(params, request, reply);
  }

  @Post('*')
  @ApiOperation({ summary: 'A WeCom provider API (POST, e.g. …/wecom/cgi-bin/service/corpid_to_opencorpid) with the provider_access_token injected' })
  post(@Param() params: ProviderGatewayParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(params, request, reply);
  }

  private forward(params: ProviderGatewayParams, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return forwardToWecom(this.gateway, { suiteId: '', corpId: '', providerCorpId: params.providerCorpId }, PREFIX, request, reply);
  }
}
