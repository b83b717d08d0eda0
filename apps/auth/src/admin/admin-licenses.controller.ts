import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthCorpRepository, LicenseRepository } from '@app/store';
import { LicenseService } from '@app/tenants';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { AuthAppError } from '../auth-errors.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams } from '../common/ids.js';
import {
  ActivatedLicenseDto,
  ActivateLicenseDto,
  AutoActiveDto,
  CreatedLicenseOrderDto,
  CreateLicenseOrderDto,
  LicenseOrderListDto,
  LicenseOverviewDto,
  LicenseSyncDto,
  TransferLicenseDto,
} from './license.dto.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * Account licenses (接口调用许可) of one tenant: seats and accounts, orders, activation, transfer, auto-activation.
 * Licenses belong to the suite's provider in the corp (every app of the provider shares them); WeCom is called with
 * the provider_access_token, so the suite needs its provider corpid and secret.
 */
@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field' })
@ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found, corp_not_found, license_unknown_code' })
@ApiConflictResponse({ type: ErrorDto, description: 'license_no_provider, license_no_free_code, license_transfer_refused, license_error (WeCom 701xxx), no_provider_credentials' })
@Controller('api/v1/admin/suites/:suiteId/corps/:corpId/licenses')
export class AdminLicensesController {
  constructor(
    private readonly service: LicenseService,
    private readonly licenses: LicenseRepository,
    private readonly corps: AuthCorpRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Seats bought, active, expiring in 30/7/1 days, expired; accounts; members seen using the app without a license' })
  @ApiOkResponse({ type: LicenseOverviewDto })
  async overview(@Param() p: CorpParams): Promise<LicenseOverviewDto> {
    const t = await this.tenant(p);
    const [counts, freeCodes, accounts, unlicensed] = await Promise.all([
      this.licenses.counts(t),
      this.licenses.countFreeCodes(t),
      this.licenses.listAccounts(t),
      this.licenses.listUnlicensed(t),
    ]);
    return {
      providerCorpId: t.providerCorpId,
      counts: { ...counts, freeCodes, lastReconciledAt: iso(counts.lastReconciledAt) },
      accounts: accounts.map((a) => ({ userId: a.userId, type: a.type, activeAt: a.activeAt.toISOString(), expiresAt: a.expiresAt.toISOString() })),
      unlicensedMembers: unlicensed.map((u) => ({ ...u, firstSeenAt: u.firstSeenAt.toISOString(), lastSeenAt: u.lastSeenAt.toISOString() })),
    };
  }

  @Get('orders')
  @ApiOperation({ summary: "The tenant's license orders and their status, as last reconciled" })
  @ApiOkResponse({ type: LicenseOrderListDto })
  async orders(@Param() p: CorpParams): Promise<LicenseOrderListDto> {
    const rows = await this.licenses.listOrders(await this.tenant(p));
    return {
      orders: rows.map((o) => ({
        orderId: o.orderId,
        orderType: o.orderType,
        orderStatus: o.orderStatus,
        price: o.price,
        baseCount: o.baseCount,
        externalContactCount: o.externalContactCount,
        durationMonths: o.durationMonths,
        durationDays: o.durationDays,
        createdAt: iso(o.createdAtWecom),
        paidAt: iso(o.paidAt),
      })),
    };
  }

  @Post('orders')
  @PERMISSION('operate')
  @ApiOperation({ summary: 'Order accounts (create_new_order); pay it in WeCom\'s provider console — `license.paid` follows' })
  @ApiCreatedResponse({ type: CreatedLicenseOrderDto })
  async createOrder(@Param() p: CorpParams, @Body() body: CreateLicenseOrderDto): Promise<CreatedLicenseOrderDto> {
    // An order of no account at all: WeCom refuses it (701008) only after a provider call.
    if (!(body.baseCount ?? 0) && !(body.externalContactCount ?? 0)) throw new BadRequestException('an order needs baseCount or externalContactCount of at least 1');
    await this.tenant(p);
    const orderId = await this.service.createOrder(p.suiteId, p.corpId, {
      buyerUserId: body.buyerUserId,
      baseCount: body.baseCount ?? 0,
      externalContactCount: body.externalContactCount ?? 0,
      months: body.months,
      days: body.days ?? 0,
    });
    return { orderId };
  }

  @Post('activations')
  @PERMISSION('operate')
  @ApiOperation({ summary: 'Activate an account for a member (active_account): the code given, or a free one of the type' })
  @ApiCreatedResponse({ type: ActivatedLicenseDto })
  async activate(@Param() p: CorpParams, @Body() body: ActivateLicenseDto): Promise<ActivatedLicenseDto> {
    await this.tenant(p);
    const r = await this.service.activate(p.suiteId, p.corpId, { userId: body.userId, activeCode: body.activeCode, type: body.type });
    return { userId: body.userId, type: r.type, expiresAt: iso(r.expiresAt) };
  }

  @Post('transfers')
  @PERMISSION('operate')
  @HttpCode(204)
  @ApiOperation({ summary: "Hand a member's accounts over to another member (batch_transfer_license, 账号继承)" })
  async transfer(@Param() p: CorpParams, @Body() body: TransferLicenseDto): Promise<void> {
    await this.tenant(p);
    await this.service.transfer(p.suiteId, p.corpId, body.handoverUserId, body.takeoverUserId);
  }

  @Put('auto-activation')
  @PERMISSION('operate')
  @ApiOperation({ summary: 'Turn auto-activation on or off (set_auto_active_status; the corp must have bought licenses)' })
  @ApiOkResponse({ type: AutoActiveDto })
  async autoActive(@Param() p: CorpParams, @Body() body: AutoActiveDto): Promise<AutoActiveDto> {
    await this.tenant(p);
    await this.service.setAutoActive(p.suiteId, p.corpId, body.enabled);
    return { enabled: body.enabled };
  }

  @Post('sync')
  @PERMISSION('operate')
  @HttpCode(200)
  @ApiOperation({ summary: "Reconcile this tenant's licenses with WeCom now (the worker does every tenant on a schedule)" })
  @ApiOkResponse({ type: LicenseSyncDto })
  async sync(@Param() p: CorpParams): Promise<LicenseSyncDto> {
    return this.service.syncTenant(await this.tenant(p));
  }

  private async tenant(p: CorpParams) {
    if (!(await this.corps.find(p.suiteId, p.corpId))) throw new AuthAppError('corp_not_found', `corp ${p.corpId} has not authorized suite ${p.suiteId}`);
    return this.service.tenantOf(p.suiteId, p.corpId);
  }
}
