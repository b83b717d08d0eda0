import { WecomApiError } from './errors.js';
import type { JsonReader } from './json-reader.js';
import type { WecomServiceApi } from './service-api.js';
import type { JsonObject } from './types.js';

/**
 * Typed client of WeCom's account-license API (接口调用许可, `cgi-bin/license/…`), called with the
 * `provider_access_token`. Docs: 概述 https://developer.work.weixin.qq.com/document/path/95652; 下单购买账号 /95644
 * (create_new_order), 下单续期账号 /95646 (create_renew_order_job, submit_order_job), 获取订单列表 /95647, 获取订单详情
 * /95648, 获取订单中的账号列表 /95649, 激活账号 /95553, 获取激活码详情 /95552, 获取企业的账号列表 /95544, 获取成员的激活详情
 * /95555, 账号继承 /95673, 自动激活 /95873 /95874, 获取应用的接口许可状态 /97194.
 *
 * Times are Unix seconds as WeCom sends them; `type` 1 = 基础账号 (base), 2 = 互通账号 (external contact).
 * Every method throws a `WecomError` (see `WecomServiceApi`); 701xxx errcodes (the license errors of WeCom's
 * global errcode table) are `LicenseApiError`.
 */

/** 1 基础账号 (base account), 2 互通账号 (external-contact account, includes the base abilities). */
export type LicenseAccountType = 1 | 2;

/** Order status (get_order): 0 unpaid, 1 paid, 2 cancelled, 3 expired unpaid, 4 refunding, 5 refunded, 6 refund refused. */
export type LicenseOrderStatus = number;

export interface LicenseAccountCount {
  baseCount: number;
  externalContactCount: number;
}

/** Months count as 31 days; the whole is 31..1860 days. */
export interface LicenseAccountDuration {
  months: number;
  days?: number;
}

export interface CreateLicenseOrderInput {
  corpId: string;
  /** A member of the provider corp allowed to buy licenses (plain userid). */
  buyerUserId: string;
  accountCount: LicenseAccountCount;
  accountDuration: LicenseAccountDuration;
}

export interface LicenseOrderSummary {
  orderId: string;
  /** 1 new accounts, 2 renewal, 5 history-migration, 8 multi-corp new (sub-orders) … */
  orderType: number;
}

export interface LicenseOrderPage {
  orders: LicenseOrderSummary[];
  nextCursor: string | undefined;
  hasMore: boolean;
}

export interface LicenseOrder {
  orderId: string;
  orderType: number;
  orderStatus: LicenseOrderStatus;
  corpId: string;
  /** Fen (分). */
  price: number;
  accountCount: LicenseAccountCount;
  accountDuration: LicenseAccountDuration;
  /** Unix seconds. */
  createTime: number;
  /** Unix seconds; absent until paid. */
  payTime?: number;
}

/** An account of an order: a purchase order lists activation codes, a renewal order the members renewed. */
export interface LicenseOrderAccount {
  activeCode: string;
  userId?: string;
  type: LicenseAccountType;
}

export interface LicenseOrderAccountPage {
  accounts: LicenseOrderAccount[];
  nextCursor: string | undefined;
  hasMore: boolean;
}

/** get_active_info_by_code: status 1 not bound, 2 bound and valid, 3 expired, 4 to be transferred, 5 merged, 6 shared. */
export interface LicenseActiveInfo {
  activeCode: string;
  type: LicenseAccountType;
  status: number;
  userId?: string;
  createTime?: number;
  activeTime?: number;
  expireTime?: number;
}

/** list_actived_account: expired accounts are listed too. */
export interface LicensedAccount {
  userId: string;
  type: LicenseAccountType;
  /** Unix seconds. */
  activeTime: number;
  /** Unix seconds. */
  expireTime: number;
}

export interface LicensedAccountPage {
  accounts: LicensedAccount[];
  nextCursor: string | undefined;
  hasMore: boolean;
}

export interface UserActiveInfo {
  /** 0 not activated, 1 activated. */
  activeStatus: 0 | 1;
  accounts: Array<{ activeCode: string; type: LicenseAccountType; userId: string; activeTime: number; expireTime: number }>;
}

export interface BatchResult {
  /** Per-item errcode; 0 is success. */
  errcode: number;
}

export interface AppLicenseInfo {
  /** 0 license check off, 1 on. */
  licenseStatus: 0 | 1;
  trailInfo?: { startTime: number; endTime: number };
  licenseCheckTime?: number;
}

/** WeCom's license errcodes (701xxx): bad order, code, account type, already bound, … — `errmsg` says which. */
export class LicenseApiError extends WecomApiError {}

/** Whether an errcode belongs to the license range of WeCom's global errcode table. */
export function isLicenseErrcode(errcode: number): boolean {
  return errcode >= 701_000 && errcode < 702_000;
}

const LIMIT_MAX = 1000;

export const LicensePath = {
  createNewOrder: '/cgi-bin/license/create_new_order',
  createRenewOrderJob: '/cgi-bin/license/create_renew_order_job',
  submitOrderJob: '/cgi-bin/license/submit_order_job',
  listOrder: '/cgi-bin/license/list_order',
  getOrder: '/cgi-bin/license/get_order',
  listOrderAccount: '/cgi-bin/license/list_order_account',
  activeAccount: '/cgi-bin/license/active_account',
  batchActiveAccount: '/cgi-bin/license/batch_active_account',
  getActiveInfoByCode: '/cgi-bin/license/get_active_info_by_code',
  batchGetActiveInfoByCode: '/cgi-bin/license/batch_get_active_info_by_code',
  listActivedAccount: '/cgi-bin/license/list_actived_account',
  getActiveInfoByUser: '/cgi-bin/license/get_active_info_by_user',
  batchTransferLicense: '/cgi-bin/license/batch_transfer_license',
  batchShareActiveCode: '/cgi-bin/license/batch_share_active_code',
  setAutoActiveStatus: '/cgi-bin/license/set_auto_active_status',
  getAutoActiveStatus: '/cgi-bin/license/get_auto_active_status',
  getAppLicenseInfo: '/cgi-bin/license/get_app_license_info',
} as const;

function accountType(r: JsonReader, key = 'type'): LicenseAccountType {
  return r.number(key) === 2 ? 2 : 1;
}

function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMIT_MAX) throw new RangeError(`limit must be 1..${LIMIT_MAX}, got ${limit}`);
  return limit;
}

function page(body: JsonObject, cursor: string | undefined, limit: number | undefined): JsonObject {
  const out: JsonObject = { ...body };
  const checked = checkLimit(limit);
  if (checked !== undefined) out['limit'] = checked;
  if (cursor) out['cursor'] = cursor;
  return out;
}

/** See the file comment. Stateless; holds no token: each call takes the provider_access_token. */
export class WecomLicenseApi {
  constructor(private readonly api: WecomServiceApi) {}

  /** POST create_new_order → the new order id (unpaid until paid in WeCom's provider console or by balance). */
  async createNewOrder(providerAccessToken: string, input: CreateLicenseOrderInput): Promise<string> {
    const duration: JsonObject = { months: input.accountDuration.months };
    if (input.accountDuration.days) duration['days'] = input.accountDuration.days;
    const r = await this.call(providerAccessToken, LicensePath.createNewOrder, {
      corpid: input.corpId,
      buyer_userid: input.buyerUserId,
      account_count: { base_count: input.accountCount.baseCount, external_contact_count: input.accountCount.externalContactCount },
      account_duration: duration,
    });
    return r.string('order_id');
  }

  /** POST create_renew_order_job: members to renew (≤ 1000 a call); pass `jobId` to add to a job. */
  async createRenewOrderJob(
    providerAccessToken: string,
    input: { corpId: string; accounts: Array<{ userId: string; type: LicenseAccountType }>; jobId?: string },
  ): Promise<{ jobId: string; invalidAccounts: Array<{ userId: string; type: LicenseAccountType; errcode: number }> }> {
    const body: JsonObject = { corpid: input.corpId, account_list: input.accounts.map((a) => ({ userid: a.userId, type: a.type })) };
    if (input.jobId) body['jobid'] = input.jobId;
    const r = await this.call(providerAccessToken, LicensePath.createRenewOrderJob, body);
    return {
      jobId: r.string('jobid'),
      invalidAccounts: r.tolerant().objects('invalid_account_list').map((a) => ({ userId: a.optionalString('userid') ?? '', type: a.optionalNumber('type') === 2 ? 2 : 1, errcode: a.optionalNumber('errcode') ?? 0 })),
    };
  }

  /** POST submit_order_job → the renewal order id. */
  async submitOrderJob(providerAccessToken: string, input: { jobId: string; buyerUserId: string; accountDuration: LicenseAccountDuration }): Promise<string> {
    const duration: JsonObject = { months: input.accountDuration.months };
    if (input.accountDuration.days) duration['days'] = input.accountDuration.days;
    const r = await this.call(providerAccessToken, LicensePath.submitOrderJob, { jobid: input.jobId, buyer_userid: input.buyerUserId, account_duration: duration });
    return r.string('order_id');
  }

  /** POST list_order: a corp's orders (or all, without corpId), optionally in a time range (Unix seconds). */
  async listOrder(providerAccessToken: string, input: { corpId?: string; startTime?: number; endTime?: number; cursor?: string; limit?: number }): Promise<LicenseOrderPage> {
    const body: JsonObject = {};
    if (input.corpId) body['corpid'] = input.corpId;
    if (input.startTime !== undefined) body['start_time'] = input.startTime;
    if (input.endTime !== undefined) body['end_time'] = input.endTime;
    const r = await this.call(providerAccessToken, LicensePath.listOrder, page(body, input.cursor, input.limit));
    return {
      orders: r.objects('order_list').map((o) => ({ orderId: o.string('order_id'), orderType: o.tolerant().optionalNumber('order_type') ?? 0 })),
      nextCursor: r.optionalString('next_cursor') || undefined,
      hasMore: r.tolerant().optionalNumber('has_more') === 1,
    };
  }

  /** POST get_order */
  async getOrder(providerAccessToken: string, orderId: string): Promise<LicenseOrder> {
    const o = (await this.call(providerAccessToken, LicensePath.getOrder, { order_id: orderId })).object('order');
    const t = o.tolerant();
    const count = t.optionalObject('account_count');
    const duration = t.optionalObject('account_duration');
    const order: LicenseOrder = {
      orderId: o.string('order_id'),
      orderType: t.optionalNumber('order_type') ?? 0,
      orderStatus: o.number('order_status'),
      corpId: t.optionalString('corpid') ?? '',
      price: t.optionalNumber('price') ?? 0,
      accountCount: { baseCount: count?.optionalNumber('base_count') ?? 0, externalContactCount: count?.optionalNumber('external_contact_count') ?? 0 },
      accountDuration: { months: duration?.optionalNumber('months') ?? 0, days: duration?.optionalNumber('days') ?? 0 },
      createTime: t.optionalNumber('create_time') ?? 0,
    };
    set(order, 'payTime', t.optionalNumber('pay_time') || undefined);
    return order;
  }

  /** POST list_order_account: the activation codes of a paid purchase order (none before payment). */
  async listOrderAccount(providerAccessToken: string, input: { orderId: string; cursor?: string; limit?: number }): Promise<LicenseOrderAccountPage> {
    const r = await this.call(providerAccessToken, LicensePath.listOrderAccount, page({ order_id: input.orderId }, input.cursor, input.limit));
    return {
      accounts: r.objects('account_list').map((a) => {
        const account: LicenseOrderAccount = { activeCode: a.string('active_code'), type: accountType(a) };
        set(account, 'userId', a.tolerant().optionalString('userid') || undefined);
        return account;
      }),
      nextCursor: r.optionalString('next_cursor') || undefined,
      hasMore: r.tolerant().optionalNumber('has_more') === 1,
    };
  }

  /** POST active_account: binds an activation code to a member. */
  async activeAccount(providerAccessToken: string, input: { activeCode: string; corpId: string; userId: string }): Promise<void> {
    await this.call(providerAccessToken, LicensePath.activeAccount, { active_code: input.activeCode, corpid: input.corpId, userid: input.userId });
  }

  /** POST batch_active_account (≤ 1000 a call); per-item errcodes. */
  async batchActiveAccount(providerAccessToken: string, input: { corpId: string; activeList: Array<{ activeCode: string; userId: string }> }): Promise<Array<BatchResult & { activeCode: string; userId: string }>> {
    const r = await this.call(providerAccessToken, LicensePath.batchActiveAccount, {
      corpid: input.corpId,
      active_list: input.activeList.map((a) => ({ active_code: a.activeCode, userid: a.userId })),
    });
    return r.tolerant().objects('active_result').map((a) => ({ activeCode: a.optionalString('active_code') ?? '', userId: a.optionalString('userid') ?? '', errcode: a.optionalNumber('errcode') ?? 0 }));
  }

  /** POST get_active_info_by_code */
  async getActiveInfoByCode(providerAccessToken: string, input: { corpId: string; activeCode: string }): Promise<LicenseActiveInfo> {
    const r = await this.call(providerAccessToken, LicensePath.getActiveInfoByCode, { corpid: input.corpId, active_code: input.activeCode });
    return mapActiveInfo(r.object('active_info'));
  }

  /** POST batch_get_active_info_by_code (≤ 1000 codes). */
  async batchGetActiveInfoByCode(providerAccessToken: string, input: { corpId: string; activeCodes: string[] }): Promise<{ infos: LicenseActiveInfo[]; invalidCodes: string[] }> {
    const r = await this.call(providerAccessToken, LicensePath.batchGetActiveInfoByCode, { corpid: input.corpId, active_code_list: input.activeCodes });
    return { infos: r.objects('active_info_list').map(mapActiveInfo), invalidCodes: r.tolerant().strings('invalid_active_code_list') };
  }

  /** POST list_actived_account: one page of a corp's activated accounts (expired ones too). */
  async listActivedAccount(providerAccessToken: string, input: { corpId: string; cursor?: string; limit?: number }): Promise<LicensedAccountPage> {
    const r = await this.call(providerAccessToken, LicensePath.listActivedAccount, page({ corpid: input.corpId }, input.cursor, input.limit));
    return {
      accounts: r.objects('account_list').map((a) => ({ userId: a.string('userid'), type: accountType(a), activeTime: a.number('active_time'), expireTime: a.number('expire_time') })),
      nextCursor: r.optionalString('next_cursor') || undefined,
      hasMore: r.tolerant().optionalNumber('has_more') === 1,
    };
  }

  /** POST get_active_info_by_user */
  async getActiveInfoByUser(providerAccessToken: string, input: { corpId: string; userId: string }): Promise<UserActiveInfo> {
    const r = await this.call(providerAccessToken, LicensePath.getActiveInfoByUser, { corpid: input.corpId, userid: input.userId });
    return {
      activeStatus: r.tolerant().optionalNumber('active_status') === 1 ? 1 : 0,
      accounts: r.objects('active_info_list').map((a) => ({
        activeCode: a.string('active_code'),
        type: accountType(a),
        userId: a.string('userid'),
        activeTime: a.number('active_time'),
        expireTime: a.number('expire_time'),
      })),
    };
  }

  /** POST batch_transfer_license: hands members' accounts over (≤ 1000 pairs); per-pair errcodes. */
  async batchTransferLicense(
    providerAccessToken: string,
    input: { corpId: string; transfers: Array<{ handoverUserId: string; takeoverUserId: string }> },
  ): Promise<Array<BatchResult & { handoverUserId: string; takeoverUserId: string }>> {
    const r = await this.call(providerAccessToken, LicensePath.batchTransferLicense, {
      corpid: input.corpId,
      transfer_list: input.transfers.map((t) => ({ handover_userid: t.handoverUserId, takeover_userid: t.takeoverUserId })),
    });
    return r.tolerant().objects('transfer_result').map((t) => ({
      handoverUserId: t.optionalString('handover_userid') ?? '',
      takeoverUserId: t.optionalString('takeover_userid') ?? '',
      errcode: t.optionalNumber('errcode') ?? 0,
    }));
  }

  /** POST batch_share_active_code: shares codes from an upstream corp to a downstream one (上下游); per-code errcodes. */
  async batchShareActiveCode(
    providerAccessToken: string,
    input: { fromCorpId: string; toCorpId: string; activeCodes: string[] },
  ): Promise<Array<BatchResult & { activeCode: string }>> {
    const r = await this.call(providerAccessToken, LicensePath.batchShareActiveCode, {
      from_corpid: input.fromCorpId,
      to_corpid: input.toCorpId,
      share_list: input.activeCodes.map((c) => ({ active_code: c })),
    });
    return r.tolerant().objects('share_result').map((s) => ({ activeCode: s.optionalString('active_code') ?? '', errcode: s.optionalNumber('errcode') ?? 0 }));
  }

  /** POST set_auto_active_status (the corp must have bought licenses). */
  async setAutoActiveStatus(providerAccessToken: string, input: { corpId: string; enabled: boolean }): Promise<void> {
    await this.call(providerAccessToken, LicensePath.setAutoActiveStatus, { corpid: input.corpId, auto_active_status: input.enabled ? 1 : 0 });
  }

  /** POST get_auto_active_status → whether auto-activation is on. */
  async getAutoActiveStatus(providerAccessToken: string, corpId: string): Promise<boolean> {
    const r = await this.call(providerAccessToken, LicensePath.getAutoActiveStatus, { corpid: corpId });
    return r.tolerant().optionalNumber('auto_active_status') === 1;
  }

  /** POST get_app_license_info: whether WeCom enforces licenses for the suite in the corp, and the trial. */
  async getAppLicenseInfo(providerAccessToken: string, input: { corpId: string; suiteId: string }): Promise<AppLicenseInfo> {
    const r = await this.call(providerAccessToken, LicensePath.getAppLicenseInfo, { corpid: input.corpId, suite_id: input.suiteId });
    const t = r.tolerant();
    const info: AppLicenseInfo = { licenseStatus: t.optionalNumber('license_status') === 1 ? 1 : 0 };
    const trail = t.optionalObject('trail_info');
    if (trail) info.trailInfo = { startTime: trail.optionalNumber('start_time') ?? 0, endTime: trail.optionalNumber('end_time') ?? 0 };
    set(info, 'licenseCheckTime', t.optionalNumber('license_check_time'));
    return info;
  }

  private async call(providerAccessToken: string, path: string, body: JsonObject): Promise<JsonReader> {
    try {
      return await this.api.postJson(path, { provider_access_token: providerAccessToken }, body);
    } catch (err) {
      if (err instanceof WecomApiError && err.constructor === WecomApiError && isLicenseErrcode(err.errcode)) {
        throw new LicenseApiError(err.path, err.errcode, err.errmsg);
      }
      throw err;
    }
  }
}

function mapActiveInfo(a: JsonReader): LicenseActiveInfo {
  const t = a.tolerant();
  const info: LicenseActiveInfo = { activeCode: a.string('active_code'), type: accountType(a), status: a.number('status') };
  set(info, 'userId', t.optionalString('userid') || undefined);
  set(info, 'createTime', t.optionalNumber('create_time'));
  set(info, 'activeTime', t.optionalNumber('active_time'));
  set(info, 'expireTime', t.optionalNumber('expire_time'));
  return info;
}
