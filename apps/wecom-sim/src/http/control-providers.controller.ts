import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { PushOutcome } from '../core/callback-pusher.js';
import type { XmlValue } from '../core/callback-xml.js';
import { ProviderInput, ProviderView } from '../core/provider-registry.js';
import { SimCore } from '../core/sim-core.js';
import { ControlError } from '../core/wecom-error.js';
import { controlBody, optString, reqString } from './control-input.js';

/** Control API for providers (服务商) and their system events (`/sim/providers/...`). */
@Controller('sim/providers')
export class ControlProvidersController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Post()
  @HttpCode(200)
  register(@Body() body: unknown): ProviderView {
    return this.core.providers.view(this.core.providers.upsert(controlBody(body) as unknown as ProviderInput));
  }

  @Get(':corpId')
  show(@Param('corpId') corpId: string): ProviderView {
    return this.core.providers.view(this.core.providers.get(corpId));
  }

  @Post(':corpId/verify-url')
  @HttpCode(200)
  verifyUrl(@Param('corpId') corpId: string) {
    return this.core.providers.verifyUrl(corpId);
  }

  /**
   * Pushes a system event: `{ info_type, auth_corpid?, fields?: { Name: value, … } }` (fields in WeCom's element
   * names, in order, e.g. `{ "OrderId": "…", "BuyerUserId": "…" }`). Answers once the push (with retries) is done.
   */
  @Post(':corpId/system-events')
  @HttpCode(200)
  push(@Param('corpId') corpId: string, @Body() body: unknown): Promise<PushOutcome> {
    const obj = controlBody(body);
    const infoType = reqString(obj, 'info_type');
    const authCorpId = optString(obj, 'auth_corpid');
    const extra = obj.fields ?? {};
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new ControlError(400, 'fields must be an object');
    const fields: [string, XmlValue][] = [];
    if (authCorpId) fields.push(['AuthCorpId', authCorpId]);
    for (const [name, value] of Object.entries(extra)) {
      if (typeof value !== 'string' && typeof value !== 'number') throw new ControlError(400, `fields.${name} must be a string or a number`);
      fields.push([name, value]);
    }
    return this.core.providers.pushSystemEvent(corpId, infoType, fields, authCorpId);
  }
}
