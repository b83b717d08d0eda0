import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CorpUserInfoResponse, CustomizedAuthUrlResponse, CustomizedPath, GetTokenResponse } from '../core/customized-app-api.js';
import { QueryParams, bodyObject, queryParam } from '../core/params.js';
import { SimCore } from '../core/sim-core.js';
import { ControlError } from '../core/wecom-error.js';
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

  /** 代开发: configure one corp's data callbacks with their own `{ token, encoding_aes_key }` (`{}` clears). */
  @Post('sim/suites/:suiteId/corps/:corpId/callback-keys')
  @HttpCode(200)
  callbackKeys(@Param('suiteId') suiteId: string, @Param('corpId') corpId: string, @Body() body: unknown): { corp_id: string; override: boolean } {
    const auth = this.core.installs.activeAuthorization(suiteId, corpId);
    const obj = controlBody(body);
    const token = optString(obj, 'token');
    const key = optString(obj, 'encoding_aes_key');
    if ((token === undefined) !== (key === undefined)) throw new ControlError(400, 'token and encoding_aes_key go together');
    if (key !== undefined && !/^[A-Za-z0-9+/]{43}$/.test(key)) throw new ControlError(400, 'encoding_aes_key must be 43 base64 characters');
    auth.callbackKeys = token !== undefined && key !== undefined ? { token, encodingAesKey: key } : undefined;
    return { corp_id: corpId, override: auth.callbackKeys !== undefined };
  }

  /** A corp admin authorizes a template through the link: `{ template_id?, corp_id?, corp_name? }`; create_auth (with State) follows. */
  @Post('sim-customized-auth/:linkId')
  @HttpCode(200)
  approve(@Param('linkId') linkId: string, @Body() body: unknown) {
    const obj = controlBody(body ?? {});
    return this.core.customized.approveLink(linkId, { templateId: optString(obj, 'template_id'), corpId: optString(obj, 'corp_id'), corpName: optString(obj, 'corp_name') });
  }
}
