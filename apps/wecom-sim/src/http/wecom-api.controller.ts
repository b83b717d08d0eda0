import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { AgentResponse, CorpPath, DepartmentListResponse, TicketResponse, UserResponse, UserSimpleListResponse } from '../core/corp-api.js';
import { IdentityPath, LoginInfoResponse, ProviderTokenResponse, UserDetail3rdResponse, UserInfo3rdResponse } from '../core/identity-api.js';
import { QueryParams, bodyObject, queryParam } from '../core/params.js';
import {
  AdminListResponse,
  AuthInfoResponse,
  CorpTokenResponse,
  Ok,
  PermanentCodeV1Response,
  PermanentCodeV2Response,
  PreAuthCodeResponse,
  ServicePath,
  SuiteTokenResponse,
} from '../core/service-api.js';
import { SimCore } from '../core/sim-core.js';

/** WeCom's HTTP API (qyapi.weixin.qq.com): routing only, the behaviour lives in the core. */
@Controller()
export class WecomApiController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Post(ServicePath.suiteToken)
  @HttpCode(200)
  getSuiteToken(@Body() body: unknown): SuiteTokenResponse {
    return this.core.service.getSuiteToken(bodyObject(body));
  }

  @Get(ServicePath.preAuthCode)
  getPreAuthCode(@Query() query: QueryParams): PreAuthCodeResponse {
    return this.core.service.getPreAuthCode(queryParam(query, 'suite_access_token'));
  }

  @Post(ServicePath.sessionInfo)
  @HttpCode(200)
  setSessionInfo(@Query() query: QueryParams, @Body() body: unknown): Ok {
    return this.core.service.setSessionInfo(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Post(ServicePath.permanentCode)
  @HttpCode(200)
  getPermanentCode(@Query() query: QueryParams, @Body() body: unknown): PermanentCodeV1Response {
    return this.core.service.getPermanentCode(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Post(ServicePath.permanentCodeV2)
  @HttpCode(200)
  getPermanentCodeV2(@Query() query: QueryParams, @Body() body: unknown): PermanentCodeV2Response {
    return this.core.service.getPermanentCodeV2(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Post(ServicePath.authInfo)
  @HttpCode(200)
  getAuthInfo(@Query() query: QueryParams, @Body() body: unknown): AuthInfoResponse {
    return this.core.service.getAuthInfo(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Post(ServicePath.corpToken)
  @HttpCode(200)
  getCorpToken(@Query() query: QueryParams, @Body() body: unknown): CorpTokenResponse {
    return this.core.service.getCorpToken(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Post(ServicePath.adminList)
  @HttpCode(200)
  getAdminList(@Query() query: QueryParams, @Body() body: unknown): AdminListResponse {
    return this.core.service.getAdminList(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Post(IdentityPath.providerToken)
  @HttpCode(200)
  getProviderToken(@Body() body: unknown): ProviderTokenResponse {
    return this.core.identity.getProviderToken(bodyObject(body));
  }

  @Post(IdentityPath.loginInfo)
  @HttpCode(200)
  getLoginInfo(@Query() query: QueryParams, @Body() body: unknown): LoginInfoResponse {
    return this.core.identity.getLoginInfo(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Get(IdentityPath.userInfo3rd)
  getUserInfo3rd(@Query() query: QueryParams): UserInfo3rdResponse {
    return this.core.identity.getUserInfo3rd(queryParam(query, 'suite_access_token'), queryParam(query, 'code'));
  }

  @Post(IdentityPath.userDetail3rd)
  @HttpCode(200)
  getUserDetail3rd(@Query() query: QueryParams, @Body() body: unknown): UserDetail3rdResponse {
    return this.core.identity.getUserDetail3rd(queryParam(query, 'suite_access_token'), bodyObject(body));
  }

  @Get(CorpPath.jsapiTicket)
  getJsapiTicket(@Query() query: QueryParams): TicketResponse {
    return this.core.corpApi.getJsapiTicket(queryParam(query, 'access_token'));
  }

  @Get(CorpPath.agentTicket)
  getAgentTicket(@Query() query: QueryParams): TicketResponse {
    return this.core.corpApi.getAgentTicket(queryParam(query, 'access_token'), queryParam(query, 'type'));
  }

  @Get(CorpPath.agentGet)
  getAgent(@Query() query: QueryParams): AgentResponse {
    return this.core.corpApi.getAgent(queryParam(query, 'access_token'), queryParam(query, 'agentid'));
  }

  @Get(CorpPath.userGet)
  getUser(@Query() query: QueryParams): UserResponse {
    return this.core.corpApi.getUser(queryParam(query, 'access_token'), queryParam(query, 'userid'));
  }

  @Get(CorpPath.departmentList)
  listDepartments(@Query() query: QueryParams): DepartmentListResponse {
    return this.core.corpApi.listDepartments(queryParam(query, 'access_token'), queryParam(query, 'id'));
  }

  @Get(CorpPath.userSimpleList)
  listDepartmentUsers(@Query() query: QueryParams): UserSimpleListResponse {
    return this.core.corpApi.listDepartmentUsers(queryParam(query, 'access_token'), queryParam(query, 'department_id'));
  }
}
