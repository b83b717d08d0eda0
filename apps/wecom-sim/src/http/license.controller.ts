import { Body, Controller, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { LicensePath, OpenAppResult } from '../core/license-api.js';
import { QueryParams, bodyObject, queryParam } from '../core/params.js';
import { SimCore } from '../core/sim-core.js';
import { ControlError } from '../core/wecom-error.js';
import { controlBody, optNumber, optString, reqString } from './control-input.js';

const token = (query: QueryParams): string | undefined => queryParam(query, 'provider_access_token');

/** WeCom's license API (`cgi-bin/license/…`, provider_access_token) and its `/sim/licenses` controls: routing only. */
@Controller()
export class LicenseController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Post(LicensePath.createNewOrder)
  @HttpCode(200)
  createNewOrder(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.createNewOrder(token(q), bodyObject(body));
  }

  @Post(LicensePath.listOrder)
  @HttpCode(200)
  listOrder(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.listOrder(token(q), bodyObject(body));
  }

  @Post(LicensePath.getOrder)
  @HttpCode(200)
  getOrder(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.getOrder(token(q), bodyObject(body));
  }

  @Post(LicensePath.listOrderAccount)
  @HttpCode(200)
  listOrderAccount(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.listOrderAccount(token(q), bodyObject(body));
  }

  @Post(LicensePath.activeAccount)
  @HttpCode(200)
  activeAccount(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.activeAccount(token(q), bodyObject(body));
  }

  @Post(LicensePath.batchActiveAccount)
  @HttpCode(200)
  batchActiveAccount(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.batchActiveAccount(token(q), bodyObject(body));
  }

  @Post(LicensePath.getActiveInfoByCode)
  @HttpCode(200)
  getActiveInfoByCode(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.getActiveInfoByCode(token(q), bodyObject(body));
  }

  @Post(LicensePath.batchGetActiveInfoByCode)
  @HttpCode(200)
  batchGetActiveInfoByCode(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.batchGetActiveInfoByCode(token(q), bodyObject(body));
  }

  @Post(LicensePath.listActivedAccount)
  @HttpCode(200)
  listActivedAccount(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.listActivedAccount(token(q), bodyObject(body));
  }

  @Post(LicensePath.getActiveInfoByUser)
  @HttpCode(200)
  getActiveInfoByUser(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.getActiveInfoByUser(token(q), bodyObject(body));
  }

  @Post(LicensePath.batchTransferLicense)
  @HttpCode(200)
  batchTransferLicense(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.batchTransferLicense(token(q), bodyObject(body));
  }

  @Post(LicensePath.setAutoActiveStatus)
  @HttpCode(200)
  setAutoActiveStatus(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.setAutoActiveStatus(token(q), bodyObject(body));
  }

  @Post(LicensePath.getAutoActiveStatus)
  @HttpCode(200)
  getAutoActiveStatus(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.getAutoActiveStatus(token(q), bodyObject(body));
  }

  @Post(LicensePath.getAppLicenseInfo)
  @HttpCode(200)
  getAppLicenseInfo(@Query() q: QueryParams, @Body() body: unknown) {
    return this.core.licenses.getAppLicenseInfo(token(q), bodyObject(body));
  }

  /** `{pay_delay_seconds}` (simulated). */
  @Post('sim/licenses/settings')
  @HttpCode(200)
  settings(@Body() body: unknown): { pay_delay_seconds: number } {
    const delay = optNumber(controlBody(body), 'pay_delay_seconds');
    if (delay !== undefined) {
      if (!Number.isInteger(delay) || delay < 0) throw new ControlError(400, 'pay_delay_seconds must be an integer >= 0');
      this.core.licenses.payDelaySeconds = delay;
    }
    return { pay_delay_seconds: this.core.licenses.payDelaySeconds };
  }

  @Post('sim/licenses/orders/:orderId/pay')
  @HttpCode(200)
  pay(@Param('orderId') orderId: string) {
    return this.core.licenses.pay(orderId);
  }

  @Post('sim/licenses/orders/:orderId/refund')
  @HttpCode(200)
  refund(@Param('orderId') orderId: string) {
    return this.core.licenses.refund(orderId);
  }

  /** `{suite_id, corp_id, user_id}`: a member opens the app (auto-activation or unlicensed_notify). */
  @Post('sim/licenses/open-app')
  @HttpCode(200)
  openApp(@Body() body: unknown): Promise<OpenAppResult> {
    const obj = controlBody(body);
    return this.core.licenses.openApp(reqString(obj, 'suite_id'), reqString(obj, 'corp_id'), reqString(obj, 'user_id'));
  }

  /** `{provider_corpid, corp_ids, per_corp, active?, days?}`: paid licenses for many corps at once (benchmarks). */
  @Post('sim/licenses/seed')
  @HttpCode(200)
  seed(@Body() body: unknown): { codes: number } {
    const obj = controlBody(body);
    const corpIds = obj['corp_ids'];
    if (!Array.isArray(corpIds) || !corpIds.every((c) => typeof c === 'string')) throw new ControlError(400, 'corp_ids must be a list of strings');
    const perCorp = optNumber(obj, 'per_corp') ?? 1;
    const active = optNumber(obj, 'active') ?? 0;
    const days = optNumber(obj, 'days') ?? 31;
    optString(obj, 'provider_corpid');
    return this.core.licenses.seed(reqString(obj, 'provider_corpid'), corpIds, perCorp, active, days);
  }
}
