import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CallbackPusher } from '../core/callback-pusher.js';
import { randomToken } from '../core/ids.js';
import { Lifetime } from '../core/lifetimes.js';
import { CommandEvent, ContactChange, EventResult } from '../core/lifecycle-events.js';
import { QueryParams, queryParam } from '../core/params.js';
import { SimCore } from '../core/sim-core.js';
import { SuiteInput, SuiteRegistry, SuiteView, TicketPush } from '../core/suite-registry.js';
import { ControlError } from '../core/wecom-error.js';
import { controlBody, optBoolean, optNumber, optString, queryInt, reqString } from './control-input.js';
import type { PushOutcome } from '../core/callback-pusher.js';
import type { SeededCorp } from '../core/install-flow.js';
import type { XmlValue } from '../core/callback-xml.js';

export interface InstallResponse {
  corp_id: string;
  corp_name: string;
  auth_code: string;
  expires_in: number;
  agentid: number;
  admin_userid: string;
  state: string;
  reinstalled: boolean;
  outcome?: PushOutcome;
}

export interface CorpListEntry {
  corpid: string;
  corp_name: string;
  permanent_code: string;
  status: string;
  agentid: number;
}

/** Control API for suites, installs and enterprise-side events (`/sim/suites/...`). */
@Controller('sim')
export class ControlSuitesController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Post('suites')
  @HttpCode(200)
  registerSuite(@Body() body: unknown): SuiteView {
    const obj = controlBody(body);
    const suite = this.core.registry.upsert(obj as unknown as SuiteInput);
    return this.core.registry.view(suite);
  }

  @Get('suites')
  listSuites(): { suites: SuiteView[] } {
    return { suites: [...this.core.state.suites.values()].map((s) => this.core.registry.view(s)) };
  }

  @Get('suites/:suiteId')
  getSuite(@Param('suiteId') suiteId: string): SuiteView {
    return this.core.registry.view(this.core.registry.get(suiteId));
  }

  @Post('suites/:suiteId/push-ticket')
  @HttpCode(200)
  pushTicket(@Param('suiteId') suiteId: string): Promise<TicketPush> {
    return this.core.registry.pushTicket(this.core.registry.get(suiteId));
  }

  /** WeCom's URL check: GET the callback URL with an encrypted echostr and expect its plaintext back. */
  @Post('suites/:suiteId/verify-url')
  @HttpCode(200)
  async verifyUrl(@Param('suiteId') suiteId: string, @Body() body: unknown) {
    const suite = this.core.registry.get(suiteId);
    const obj = controlBody(body);
    const kind = optString(obj, 'kind') ?? 'command';
    const url = kind === 'data' ? suite.dataCallbackUrl : kind === 'command' ? suite.commandCallbackUrl : undefined;
    if (!url) throw new ControlError(400, `suite ${suiteId} has no ${kind} callback URL`);
    const receiverId = optString(obj, 'receiver_id') ?? SuiteRegistry.receiverId(suite, 'verify');
    const echo = randomToken(20);
    return { ...(await CallbackPusher.checkUrl(url, suite.token, suite.encodingAesKey, receiverId, echo)), expected: echo };
  }

  @Post('suites/:suiteId/installs')
  @HttpCode(200)
  async install(@Param('suiteId') suiteId: string, @Body() body: unknown): Promise<InstallResponse> {
    const suite = this.core.registry.get(suiteId);
    const obj = controlBody(body);
    const authType = optNumber(obj, 'auth_type');
    if (authType !== undefined && authType !== 0 && authType !== 1) throw new ControlError(400, 'auth_type must be 0 or 1');
    const result = this.core.installs.install(suite, {
      corpId: optString(obj, 'corp_id'),
      corpName: optString(obj, 'corp_name'),
      state: optString(obj, 'state'),
      authType,
    });
    const response: InstallResponse = {
      corp_id: result.corp.corpId,
      corp_name: result.corp.corpName,
      auth_code: result.authCode,
      expires_in: result.expiresIn,
      agentid: result.auth.agentId,
      admin_userid: result.corp.users[0].userid,
      state: result.auth.state,
      reinstalled: result.reinstalled,
    };
    if (optBoolean(obj, 'push_callback')) response.outcome = await this.core.installs.pushCreateAuth(suite, result);
    return response;
  }

  @Post('suites/:suiteId/seed-corps')
  @HttpCode(200)
  seedCorps(@Param('suiteId') suiteId: string, @Body() body: unknown): { created: number; corps: SeededCorp[] } {
    const suite = this.core.registry.get(suiteId);
    const obj = controlBody(body);
    const count = optNumber(obj, 'count');
    if (count === undefined) throw new ControlError(400, 'count is required');
    const corps = this.core.installs.seed(suite, count, optString(obj, 'prefix'));
    return { created: corps.length, corps };
  }

  /** `{ corps: [{ corpid, permanent_code, agentid?, corp_name? }] }`: see InstallFlow.restore. */
  @Post('suites/:suiteId/restore-corps')
  @HttpCode(200)
  restoreCorps(@Param('suiteId') suiteId: string, @Body() body: unknown): { restored: number } {
    const suite = this.core.registry.get(suiteId);
    const list = controlBody(body).corps;
    if (!Array.isArray(list) || list.length > 100_000) throw new ControlError(400, 'corps must be an array of at most 100000 { corpid, permanent_code }');
    const corps = list.map((item: unknown) => {
      const obj = controlBody(item);
      const agentId = optNumber(obj, 'agentid');
      if (agentId !== undefined && (!Number.isInteger(agentId) || agentId < 1)) throw new ControlError(400, 'agentid must be a positive integer');
      return { corpId: reqString(obj, 'corpid'), permanentCode: reqString(obj, 'permanent_code'), agentId, corpName: optString(obj, 'corp_name') };
    });
    return { restored: this.core.installs.restore(suite, corps) };
  }

  @Get('suites/:suiteId/corps')
  listCorps(@Param('suiteId') suiteId: string, @Query() query: QueryParams): { total: number; offset: number; corps: CorpListEntry[] } {
    const suite = this.core.registry.get(suiteId);
    const offset = queryInt(queryParam(query, 'offset'), 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInt(queryParam(query, 'limit'), 1000, 100_000);
    const corps: CorpListEntry[] = [];
    for (const key of suite.authKeys.slice(offset, offset + limit)) {
      const auth = this.core.state.authorizations.get(key);
      const corp = auth && this.core.state.corps.get(auth.corpId);
      if (!auth || !corp) continue;
      corps.push({ corpid: corp.corpId, corp_name: corp.corpName, permanent_code: auth.permanentCode, status: auth.status, agentid: auth.agentId });
    }
    return { total: suite.authKeys.length, offset, corps };
  }

  @Post('suites/:suiteId/events')
  @HttpCode(200)
  event(@Param('suiteId') suiteId: string, @Body() body: unknown): Promise<EventResult> {
    const suite = this.core.registry.get(suiteId);
    const obj = controlBody(body);
    return this.core.events.command(suite, {
      info_type: reqString(obj, 'info_type') as CommandEvent,
      auth_corpid: reqString(obj, 'auth_corpid'),
      change_type: optString(obj, 'change_type') as ContactChange | undefined,
      fields: obj.fields as Record<string, XmlValue> | undefined,
      state: optString(obj, 'state'),
    });
  }

  @Post('suites/:suiteId/data-callbacks')
  @HttpCode(200)
  dataCallback(@Param('suiteId') suiteId: string, @Body() body: unknown): Promise<{ payload: string; outcome?: PushOutcome }> {
    const suite = this.core.registry.get(suiteId);
    const obj = controlBody(body);
    return this.core.events.data(suite, {
      auth_corpid: reqString(obj, 'auth_corpid'),
      fields: obj.fields as Record<string, XmlValue> | undefined,
      from_user: optString(obj, 'from_user'),
    });
  }

  /** A member's OAuth code without a browser (what `/connect/oauth2/authorize` would redirect with). */
  @Post('suites/:suiteId/oauth-codes')
  @HttpCode(200)
  oauthCode(@Param('suiteId') suiteId: string, @Body() body: unknown): { code: string; corpid: string; userid: string; expires_in: number } {
    const suite = this.core.registry.get(suiteId);
    const obj = controlBody(body);
    const scope = optString(obj, 'scope') ?? 'snsapi_base';
    if (scope !== 'snsapi_base' && scope !== 'snsapi_privateinfo') throw new ControlError(400, 'scope must be snsapi_base or snsapi_privateinfo');
    const { code, corp, user } = this.core.identity.issueOauthCode(suite, scope, { corpId: optString(obj, 'corp_id'), userId: optString(obj, 'user_id') });
    return { code, corpid: corp.corpId, userid: user.userid, expires_in: this.core.clock.realSeconds(Lifetime.oauthCode) };
  }

  /** A provider-login auth_code without a browser (what `/wwopen/sso/3rd_qrConnect` would redirect with). */
  @Post('login-codes')
  @HttpCode(200)
  loginCode(@Body() body: unknown): { auth_code: string; corpid: string; userid: string } {
    const obj = controlBody(body);
    const { authCode, corp, user } = this.core.identity.issueLoginCode(reqString(obj, 'provider_corpid'), {
      corpId: optString(obj, 'corp_id'),
      userId: optString(obj, 'user_id'),
    });
    return { auth_code: authCode, corpid: corp.corpId, userid: user.userid };
  }

  @Get('corps/:corpId')
  getCorp(@Param('corpId') corpId: string) {
    const corp = this.core.state.corps.get(corpId);
    if (!corp) throw new ControlError(404, `unknown corp ${corpId}`);
    const authorizations = [];
    for (const suite of this.core.state.suites.values()) {
      const auth = this.core.state.authorization(suite.suiteId, corpId);
      if (auth) authorizations.push({ suite_id: auth.suiteId, status: auth.status, permanent_code: auth.permanentCode, agentid: auth.agentId, auth_type: auth.authType });
    }
    return {
      corpid: corp.corpId,
      corp_name: corp.corpName,
      users: corp.users.map((u) => ({ userid: u.userid, name: u.name })),
      authorizations,
    };
  }
}
