import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { SimCore } from '../core/sim-core.js';
import { ControlError } from '../core/wecom-error.js';
import { controlBody, optString } from './control-input.js';

/** Control API for the provider's own enterprise (the vendor's staff) and its login page (`/sim/providers/...`). */
@Controller('sim/providers')
export class ControlProviderStaffController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  /** `{ users: [{ userid, name? }], corp_name? }` → the provider corp's members (its creator first). */
  @Post(':corpId/staff')
  @HttpCode(200)
  addStaff(@Param('corpId') corpId: string, @Body() body: unknown): { corpid: string; users: { userid: string; name: string }[] } {
    const obj = controlBody(body);
    if (!Array.isArray(obj.users)) throw new ControlError(400, 'users must be an array of { userid, name? }');
    const corp = this.core.providerStaff.addStaff(corpId, obj.users as { userid: string; name?: string }[], optString(obj, 'corp_name'));
    return { corpid: corp.corpId, users: corp.users.map((u) => ({ userid: u.userid, name: u.name })) };
  }

  /** `{ user_id, corp_id? }`: who scans the provider's login QR code next (default corp: the provider's own). */
  @Post(':corpId/next-scan')
  @HttpCode(200)
  nextScan(@Param('corpId') corpId: string, @Body() body: unknown): { corpid: string; userid: string | null } {
    const obj = controlBody(body);
    const choice = { corpId: optString(obj, 'corp_id') ?? corpId, userId: optString(obj, 'user_id') };
    this.core.providerStaff.setNextScan(corpId, choice);
    return { corpid: choice.corpId, userid: choice.userId ?? null };
  }
}
