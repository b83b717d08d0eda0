import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiAccess } from '../access/api-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams, withWildcard } from '../common/ids.js';
import { forwardToWecom } from './gateway-forward.js';
import { GatewayService } from './gateway.service.js';

/** The route's params: the corp, and Fastify's wildcard (WeCom's path, read from the URL itself, as sent). */
export class GatewayParams extends CorpParams {
  static override readonly checkPlain = withWildcard('suiteId', 'corpId');

  @Allow()
  '*'?: unknown;
}

const PREFIX = /^\/api\/v1\/suites\/[^/?]+\/corps\/[^/?]+\/wecom(\/[^?]*)/;

/**
 * `GET` or `POST /api/v1/suites/:suiteId/corps/:corpId/wecom/<WeCom path>` (WeCom's APIs use only GET and POST): a
 * WeCom API of the corp, called with the corp's access_token the platform injects. Keys scoped `admin` or
 * `suite:<suiteId>`, as for the token API.
 */
@ApiTags('gateway')
@ApiAccess('suite')
@Controller('api/v1/suites/:suiteId/corps/:corpId/wecom')
export class GatewayController {
  constructor(private readonly gateway: GatewayService) {}

  @Get('*')
  @ApiOperation({ summary: 'A WeCom GET API of the corp (e.g. …/wecom/cgi-bin/user/get?userid=), its access_token injected; see the POST route' })
  @ApiOkResponse({ description: "WeCom's answer, unchanged" })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_wecom_path' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'corp_api_rate_limited, ip_rate_limited, corp_slowed_down (with Retry-After)' })
  get(@Param() params: GatewayParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(params, request, reply);
  }

  @Post('*')
  @ApiOperation({
    summary: "Call a WeCom API of the corp with its access_token injected (e.g. POST …/wecom/cgi-bin/message/send); WeCom's answer comes back as is",
    description:
      'Headers on the answer: X-Wecom-Token-Kind, X-Wecom-Errcode, X-Quota-Corp-Api-Remaining-Minute/-Hour, X-Quota-Messages-Remaining-Today ' +
      '(message/send), X-Wecom-Media-Expires-At (media/upload), X-Wecom-Token-Refreshed (the token was replaced and the call sent again).',
  })
  @ApiOkResponse({ description: "WeCom's answer, unchanged" })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_wecom_path, invalid_body, media_invalid' })
  @ApiTooManyRequestsResponse({
    type: ErrorDto,
    description: 'corp_api_rate_limited, ip_rate_limited, corp_slowed_down, message_member_rate_limited, message_daily_quota_exceeded (with Retry-After)',
  })
  post(@Param() params: GatewayParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.forward(params, request, reply);
  }

  private forward(params: GatewayParams, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return forwardToWecom(this.gateway, { suiteId: params.suiteId, corpId: params.corpId }, PREFIX, request, reply);
  }
}
