import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CorpUserInfoResponse, CustomizedAuthUrlResponse, CustomizedPath, GetTokenResponse } from '../core/customized-app-api.js';
import { QueryParams, bodyObject, queryParam } from '../core/params.js';
import { SimCore } from '../core/sim-core.js';
import { controlBody, optString } from './control-input.js';

/** 代开发 (customized app) routes of WeCom's API, and the simulator's stand-in for a corp admin opening an authorization link. */
@Controller()
export class CustomizedAppController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Get(CustomizedPath.getToken)
  getToken(@Query() query: QueryParams): GetTokenResponse {
    return this.core.customized.getToken(queryParam(query, 'corpid'), queryParam(query, 'corpsecret'));
  }

  @Post(CustomizedPath.customizedAuthUrl)
  @HttpCode(200)
  getCustomizedAuthUrl(@Query() query: QueryParams, @Body() body: unknown, @Req() request: FastifyRequest): CustomizedAuthUrlResponse {
    const base = `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
    return this.core.customized.getCustomizedAuthUrl(queryParam(query, 'provider_access_token'), bodyObject(body), base);
  }

  @Get(CustomizedPath.userInfo)
  getUserInfo(@Query() query: QueryParams): CorpUserInfoResponse {
    return this.core.customized.getUserInfo(queryParam(query, 'access_token'), queryParam(query, 'code'));
  }

  /** A corp admin authorizes a template through the link: `{ template_id?, corp_id?, corp_name? }`; create_auth (with State) follows. */
  @Post('sim-customized-auth/:linkId')
  @HttpCode(200)
  approve(@Param('linkId') linkId: string, @Body() body: unknown) {
    const obj = controlBody(body ?? {});
    return this.core.customized.approveLink(linkId, { templateId: optString(obj, 'template_id'), corpId: optString(obj, 'corp_id'), corpName: optString(obj, 'corp_name') });
  }
}
