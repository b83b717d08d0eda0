import { CallbackPusher, PushOutcome } from './callback-pusher.js';
import { cdata } from './callback-xml.js';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { randomToken } from './ids.js';
import { LifecycleEvents } from './lifecycle-events.js';
import { JsonObject, field, required } from './params.js';
import { Ok, OK } from './service-api.js';
import { SimClock } from './sim-clock.js';
import { ProviderRegistry } from './provider-registry.js';
import { SimState } from './sim-state.js';
import { ControlError, Errcode, WecomError } from './wecom-error.js';

/**
 * WeCom's account licenses (接口调用许可, `cgi-bin/license/…`) as a provider sees them, on the simulated clock:
 * orders are paid `payDelaySeconds` (simulated) after they are placed — standing in for the vendor paying in
 * WeCom's provider console — which generates one activation code per account and pushes `license_pay_success` to
 * the provider's 系统事件接收URL (registered with `POST /sim/providers`); a code bound to a member (`active_account`) runs for the order's duration
 * (months × 31 + days) from activation and then expires; a member who opens the app without a valid account is
 * activated automatically when the corp has auto-activation on and a free code (`auto_activate` pushed, Scene 1),
 * and otherwise the suite's data URL gets `unlicensed_notify`.
 *
 * Docs: /document/path/95644 (create_new_order), /95647–95649 (orders), /95553 (active), /95552 (by code),
 * /95544 (list_actived_account), /95555 (by user), /95673 (transfer), /95873–95874 (auto-activation),
 * /97194 (get_app_license_info), /95716 (unlicensed_notify), /97196 (license_pay_success), /95805 (license_refund),
 * /95994 (auto_activate).
 */
export const LicensePath = {
  createNewOrder: '/cgi-bin/license/create_new_order',
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
  setAutoActiveStatus: '/cgi-bin/license/set_auto_active_status',
  getAutoActiveStatus: '/cgi-bin/license/get_auto_active_status',
  getAppLicenseInfo: '/cgi-bin/license/get_app_license_info',
} as const;

/**
 * License errcodes the simulator answers with. WeCom's table puts license errors in the 701xxx range; the exact
 * numbers below are the simulator's own choice inside that range (clients must map the range, not single codes).
 */
export const LicenseErrcode = {
  INVALID_ORDER: 701001,
  INVALID_ACTIVE_CODE: 701002,
  CODE_ALREADY_BOUND: 701003,
  CODE_EXPIRED: 701004,
  NO_LICENSE_TO_TRANSFER: 701005,
  TAKEOVER_HAS_LICENSE: 701006,
  NOT_PURCHASED: 701007,
  INVALID_ACCOUNT_COUNT: 701008,
} as const;

const DAY_S = 86_400;
const TRIAL_DAYS = 90;
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

/** Order status: 0 unpaid, 1 paid, 2 cancelled, 3 expired unpaid, 4 refunding, 5 refunded, 6 refund refused. */
export interface SimLicenseOrder {
  orderId: string;
  providerCorpId: string;
  corpId: string;
  buyerUserId: string;
  orderType: 1;
  orderStatus: number;
  baseCount: number;
  externalContactCount: number;
  months: number;
  days: number;
  /** Simulated seconds. */
  createTime: number;
  payDueAt: number;
  payTime?: number;
  codes: string[];
}

/** Code status: 1 unbound, 2 bound and valid, 3 expired, 4 to be transferred. */
export interface SimActiveCode {
  code: string;
  orderId: string;
  providerCorpId: string;
  corpId: string;
  type: 1 | 2;
  durationSeconds: number;
  createTime: number;
  userId?: string;
  activeTime?: number;
  expireTime?: number;
}

export type ListOrderResponse = Ok & { next_cursor: string; has_more: 0 | 1; order_list: Array<{ order_id: string; order_type: number }> };
export type GetOrderResponse = Ok & { order: JsonObject };
export type ListOrderAccountResponse = Ok & { next_cursor: string; has_more: 0 | 1; account_list: Array<{ active_code: string; userid?: string; type: number }> };
export type ListActivedAccountResponse = Ok & { next_cursor: string; has_more: 0 | 1; account_list: Array<{ userid: string; type: number; active_time: number; expire_time: number }> };

/** What opening the app did for an unlicensed member (control API). */
export interface OpenAppResult {
  licensed: boolean;
  auto_activated?: { active_code: string; type: number; expire_time: number };
  outcome?: PushOutcome;
}

function pageOf<T>(items: T[], body: JsonObject): { items: T[]; next_cursor: string; has_more: 0 | 1 } {
  const rawLimit = body['limit'];
  const limit = typeof rawLimit === 'number' && Number.isInteger(rawLimit) && rawLimit > 0 ? Math.min(rawLimit, MAX_LIMIT) : DEFAULT_LIMIT;
  const cursor = field(body, 'cursor');
  const offset = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 0;
  const slice = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  return { items: slice, next_cursor: more ? String(offset + limit) : '', has_more: more ? 1 : 0 };
}

/** See the file comment. */
export class LicenseApi {
  /** Simulated seconds between create_new_order and the payment (a person paying in the provider console). */
  payDelaySeconds = 60;
  private readonly orders = new Map<string, SimLicenseOrder>();
  private readonly ordersByCorp = new Map<string, string[]>();
  private readonly codes = new Map<string, SimActiveCode>();
  /** `${providerCorpId}|${corpId}` → userid → type → code */
  private readonly bindings = new Map<string, Map<string, Map<1 | 2, string>>>();
  private readonly autoActive = new Set<string>();
  private readonly purchased = new Set<string>();

  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly credentials: Credentials,
    private readonly gate: Gate,
    private readonly pusher: CallbackPusher,
    private readonly events: LifecycleEvents,
    private readonly providers: ProviderRegistry,
  ) {}

  // ---- WeCom API ------------------------------------------------------------------------------------------

  createNewOrder(token: string | undefined, body: JsonObject): Ok & { order_id: string } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.createNewOrder, {});
    const corpId = this.corpOf(body);
    const buyer = required(body, 'buyer_userid', Errcode.MISSING_USERID);
    const count = (body['account_count'] ?? {}) as JsonObject;
    const duration = (body['account_duration'] ?? {}) as JsonObject;
    const base = intOf(count['base_count']);
    const ext = intOf(count['external_contact_count']);
    const months = intOf(duration['months']);
    const days = intOf(duration['days']);
    if (base + ext === 0 || base > 1_000_000 || ext > 1_000_000) throw new WecomError(LicenseErrcode.INVALID_ACCOUNT_COUNT, 'account_count');
    const totalDays = months * 31 + days;
    if (totalDays < 31 || totalDays > 1860) throw new WecomError(Errcode.INVALID_PARAMETER, 'account_duration must be 31..1860 days');
    const now = this.clock.nowSeconds();
    const order: SimLicenseOrder = {
      orderId: `OI${randomToken(30)}`,
      providerCorpId: provider,
      corpId,
      buyerUserId: buyer,
      orderType: 1,
      orderStatus: 0,
      baseCount: base,
      externalContactCount: ext,
      months,
      days,
      createTime: now,
      payDueAt: now + this.payDelaySeconds,
      codes: [],
    };
    this.orders.set(order.orderId, order);
    const key = bindKey(provider, corpId);
    this.ordersByCorp.set(key, [...(this.ordersByCorp.get(key) ?? []), order.orderId]);
    return { ...OK, order_id: order.orderId };
  }

  listOrder(token: string | undefined, body: JsonObject): ListOrderResponse {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.listOrder, {});
    this.settle();
    const corpId = field(body, 'corpid');
    const start = typeof body['start_time'] === 'number' ? body['start_time'] : undefined;
    const end = typeof body['end_time'] === 'number' ? body['end_time'] : undefined;
    const ids = corpId ? (this.ordersByCorp.get(bindKey(provider, corpId)) ?? []) : [...this.orders.keys()];
    const orders = ids
      .map((id) => this.orders.get(id)!)
      .filter((o) => o.providerCorpId === provider && (start === undefined || o.createTime >= start) && (end === undefined || o.createTime < end));
    const page = pageOf(orders, body);
    return { ...OK, next_cursor: page.next_cursor, has_more: page.has_more, order_list: page.items.map((o) => ({ order_id: o.orderId, order_type: o.orderType })) };
  }

  getOrder(token: string | undefined, body: JsonObject): GetOrderResponse {
    const order = this.ownOrder(token, LicensePath.getOrder, body);
    const out: JsonObject = {
      order_id: order.orderId,
      order_type: order.orderType,
      order_status: order.orderStatus,
      corpid: order.corpId,
      price: (order.baseCount * 5000 + order.externalContactCount * 10000) * Math.ceil((order.months * 31 + order.days) / 31),
      account_count: { base_count: order.baseCount, external_contact_count: order.externalContactCount },
      account_duration: { months: order.months, days: order.days },
      create_time: order.createTime,
    };
    if (order.payTime) out['pay_time'] = order.payTime;
    return { ...OK, order: out };
  }

  listOrderAccount(token: string | undefined, body: JsonObject): ListOrderAccountResponse {
    const order = this.ownOrder(token, LicensePath.listOrderAccount, body);
    const page = pageOf(order.codes, body);
    return {
      ...OK,
      next_cursor: page.next_cursor,
      has_more: page.has_more,
      account_list: page.items.map((c) => {
        const code = this.codes.get(c)!;
        return code.userId ? { active_code: c, userid: code.userId, type: code.type } : { active_code: c, type: code.type };
      }),
    };
  }

  activeAccount(token: string | undefined, body: JsonObject): Ok {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.activeAccount, {});
    this.settle();
    const corpId = this.corpOf(body);
    const code = required(body, 'active_code', Errcode.INVALID_PARAMETER);
    const userId = required(body, 'userid', Errcode.MISSING_USERID);
    this.activate(provider, corpId, code, userId);
    return OK;
  }

  batchActiveAccount(token: string | undefined, body: JsonObject): Ok & { active_result: Array<{ active_code: string; userid: string; errcode: number }> } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.batchActiveAccount, {});
    this.settle();
    const corpId = this.corpOf(body);
    const list = Array.isArray(body['active_list']) ? (body['active_list'] as JsonObject[]) : [];
    if (list.length === 0 || list.length > 1000) throw new WecomError(Errcode.INVALID_PARAMETER, 'active_list must hold 1..1000 items');
    const active_result = list.map((item) => {
      const code = field(item, 'active_code') ?? '';
      const userId = field(item, 'userid') ?? '';
      try {
        this.activate(provider, corpId, code, userId);
        return { active_code: code, userid: userId, errcode: 0 };
      } catch (err) {
        return { active_code: code, userid: userId, errcode: err instanceof WecomError ? err.errcode : -1 };
      }
    });
    return { ...OK, active_result };
  }

  getActiveInfoByCode(token: string | undefined, body: JsonObject): Ok & { active_info: JsonObject } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.getActiveInfoByCode, {});
    this.settle();
    const corpId = this.corpOf(body);
    const code = this.codes.get(required(body, 'active_code', Errcode.INVALID_PARAMETER));
    if (!code || code.providerCorpId !== provider || code.corpId !== corpId) throw new WecomError(LicenseErrcode.INVALID_ACTIVE_CODE);
    return { ...OK, active_info: this.codeView(code) };
  }

  batchGetActiveInfoByCode(token: string | undefined, body: JsonObject): Ok & { active_info_list: JsonObject[]; invalid_active_code_list: string[] } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.batchGetActiveInfoByCode, {});
    this.settle();
    const corpId = this.corpOf(body);
    const list = Array.isArray(body['active_code_list']) ? (body['active_code_list'] as unknown[]).filter((c): c is string => typeof c === 'string') : [];
    const infos: JsonObject[] = [];
    const invalid: string[] = [];
    for (const c of list.slice(0, 1000)) {
      const code = this.codes.get(c);
      if (code && code.providerCorpId === provider && code.corpId === corpId) infos.push(this.codeView(code));
      else invalid.push(c);
    }
    return { ...OK, active_info_list: infos, invalid_active_code_list: invalid };
  }

  listActivedAccount(token: string | undefined, body: JsonObject): ListActivedAccountResponse {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.listActivedAccount, {});
    this.settle();
    const corpId = this.corpOf(body);
    const accounts: ListActivedAccountResponse['account_list'] = [];
    for (const [userId, types] of this.bindings.get(bindKey(provider, corpId)) ?? []) {
      for (const codeId of types.values()) {
        const code = this.codes.get(codeId)!;
        accounts.push({ userid: userId, type: code.type, active_time: code.activeTime!, expire_time: code.expireTime! });
      }
    }
    const page = pageOf(accounts, body);
    return { ...OK, next_cursor: page.next_cursor, has_more: page.has_more, account_list: page.items };
  }

  getActiveInfoByUser(token: string | undefined, body: JsonObject): Ok & { active_status: 0 | 1; active_info_list: JsonObject[] } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.getActiveInfoByUser, {});
    this.settle();
    const corpId = this.corpOf(body);
    const userId = required(body, 'userid', Errcode.MISSING_USERID);
    const list: JsonObject[] = [];
    for (const codeId of this.bindings.get(bindKey(provider, corpId))?.get(userId)?.values() ?? []) {
      const code = this.codes.get(codeId)!;
      list.push({ active_code: code.code, type: code.type, userid: userId, active_time: code.activeTime!, expire_time: code.expireTime! });
    }
    const now = this.clock.nowSeconds();
    const active = list.some((a) => (a['expire_time'] as number) > now);
    return { ...OK, active_status: active ? 1 : 0, active_info_list: list };
  }

  batchTransferLicense(token: string | undefined, body: JsonObject): Ok & { transfer_result: Array<{ handover_userid: string; takeover_userid: string; errcode: number }> } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.batchTransferLicense, {});
    this.settle();
    const corpId = this.corpOf(body);
    const list = Array.isArray(body['transfer_list']) ? (body['transfer_list'] as JsonObject[]) : [];
    if (list.length === 0 || list.length > 1000) throw new WecomError(Errcode.INVALID_PARAMETER, 'transfer_list must hold 1..1000 items');
    const byUser = this.bindingsOf(provider, corpId);
    const transfer_result = list.map((item) => {
      const from = field(item, 'handover_userid') ?? '';
      const to = field(item, 'takeover_userid') ?? '';
      const result = { handover_userid: from, takeover_userid: to, errcode: 0 };
      const held = byUser.get(from);
      if (!held || held.size === 0) return { ...result, errcode: LicenseErrcode.NO_LICENSE_TO_TRANSFER };
      if (!this.hasUser(corpId, to)) return { ...result, errcode: Errcode.USERID_NOT_FOUND };
      const target = byUser.get(to) ?? new Map<1 | 2, string>();
      if ([...held.keys()].some((t) => target.has(t))) return { ...result, errcode: LicenseErrcode.TAKEOVER_HAS_LICENSE };
      for (const [type, codeId] of held) {
        target.set(type, codeId);
        this.codes.get(codeId)!.userId = to;
      }
      byUser.set(to, target);
      byUser.delete(from);
      return result;
    });
    return { ...OK, transfer_result };
  }

  setAutoActiveStatus(token: string | undefined, body: JsonObject): Ok {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.setAutoActiveStatus, {});
    const corpId = this.corpOf(body);
    // WeCom: only for corps the provider has bought licenses for (paid, refunded included).
    if (!this.purchased.has(bindKey(provider, corpId))) throw new WecomError(LicenseErrcode.NOT_PURCHASED, 'no license bought for this corp');
    const status = body['auto_active_status'];
    if (status !== 0 && status !== 1) throw new WecomError(Errcode.INVALID_PARAMETER, 'auto_active_status must be 0 or 1');
    if (status === 1) this.autoActive.add(bindKey(provider, corpId));
    else this.autoActive.delete(bindKey(provider, corpId));
    return OK;
  }

  getAutoActiveStatus(token: string | undefined, body: JsonObject): Ok & { auto_active_status: 0 | 1 } {
    const provider = this.credentials.provider(token);
    this.gate.admit(LicensePath.getAutoActiveStatus, {});
    const corpId = this.corpOf(body);
    return { ...OK, auto_active_status: this.autoActive.has(bindKey(provider, corpId)) ? 1 : 0 };
  }

  getAppLicenseInfo(token: string | undefined, body: JsonObject): Ok & { license_status: 0 | 1; trail_info?: JsonObject; license_check_time: number } {
    this.credentials.provider(token);
    this.gate.admit(LicensePath.getAppLicenseInfo, {});
    const corpId = this.corpOf(body);
    const suiteId = required(body, 'suite_id', Errcode.MISSING_SUITE_ID);
    const auth = this.state.authorization(suiteId, corpId);
    if (!auth || auth.status !== 'active') throw new WecomError(Errcode.AUTH_RELATION_INVALID);
    const start = Math.floor(auth.installedAt / 1000);
    return { ...OK, license_status: 1, trail_info: { start_time: start, end_time: start + TRIAL_DAYS * DAY_S }, license_check_time: start };
  }

  // ---- simulated world --------------------------------------------------------------------------------------

  /** Pays every order whose payment is due on the simulated clock (called a few times a real second). */
  tick(): void {
    const now = this.clock.nowSeconds();
    for (const order of this.orders.values()) {
      if (order.orderStatus === 0 && order.payDueAt <= now) void this.pay(order.orderId);
    }
  }

  /** Pays an unpaid order now: codes are generated, then `license_pay_success` is pushed (as WeCom orders it). */
  async pay(orderId: string): Promise<{ order_id: string; codes: number; outcome?: PushOutcome }> {
    const order = this.orders.get(orderId);
    if (!order) throw new ControlError(404, `unknown order ${orderId}`);
    if (order.orderStatus !== 0) return { order_id: orderId, codes: order.codes.length };
    const now = this.clock.nowSeconds();
    order.orderStatus = 1;
    order.payTime = now;
    const durationSeconds = (order.months * 31 + order.days) * DAY_S;
    const mint = (type: 1 | 2): void => {
      const code = `AC${randomToken(30)}`;
      this.codes.set(code, { code, orderId, providerCorpId: order.providerCorpId, corpId: order.corpId, type, durationSeconds, createTime: now });
      order.codes.push(code);
    };
    for (let i = 0; i < order.baseCount; i++) mint(1);
    for (let i = 0; i < order.externalContactCount; i++) mint(2);
    this.purchased.add(bindKey(order.providerCorpId, order.corpId));
    const outcome = await this.pushSystemEvent(order.providerCorpId, 'license_pay_success', [
      ['AuthCorpId', order.corpId],
      ['OrderId', order.orderId],
      ['BuyerUserId', order.buyerUserId],
    ]);
    return { order_id: orderId, codes: order.codes.length, outcome };
  }

  /** Refunds a paid order: unbound codes are withdrawn; `license_refund` (OrderStatus 1) is pushed. */
  async refund(orderId: string): Promise<{ order_id: string; outcome?: PushOutcome }> {
    const order = this.orders.get(orderId);
    if (!order) throw new ControlError(404, `unknown order ${orderId}`);
    if (order.orderStatus !== 1) throw new ControlError(409, `order ${orderId} is not paid`);
    order.orderStatus = 5;
    for (const c of order.codes) if (!this.codes.get(c)?.userId) this.codes.delete(c);
    order.codes = order.codes.filter((c) => this.codes.has(c));
    const outcome = await this.pushSystemEvent(order.providerCorpId, 'license_refund', [
      ['AuthCorpId', order.corpId],
      ['OrderId', order.orderId],
      ['OrderStatus', 1],
    ]);
    return { order_id: orderId, outcome };
  }

  /**
   * A member opens the suite's app. Licensed (a valid account): nothing. Otherwise, with auto-activation on and a
   * free code of the corp: the code is bound (base first) and `auto_activate` pushed (Scene 1); else the suite's
   * data URL gets `unlicensed_notify` (the member is in the visible range: it is the suite's installed corp).
   */
  async openApp(suiteId: string, corpId: string, userId: string): Promise<OpenAppResult> {
    const suite = this.state.suites.get(suiteId);
    if (!suite) throw new ControlError(404, `unknown suite ${suiteId}`);
    if (!this.hasUser(corpId, userId)) throw new ControlError(404, `corp ${corpId} has no member ${userId}`);
    this.settle();
    const provider = suite.providerCorpId ?? suite.serviceCorpId;
    const now = this.clock.nowSeconds();
    const held = this.bindingsOf(provider, corpId).get(userId);
    if (held && [...held.values()].some((c) => (this.codes.get(c)?.expireTime ?? 0) > now)) return { licensed: true };
    if (this.autoActive.has(bindKey(provider, corpId))) {
      const free = [...this.codes.values()]
        .filter((c) => c.providerCorpId === provider && c.corpId === corpId && !c.userId)
        .sort((a, b) => a.type - b.type)[0];
      if (free) {
        const previous = held?.get(free.type);
        this.bind(free, userId);
        const outcome = await this.pushSystemEvent(provider, 'auto_activate', [
          ['AuthCorpId', corpId],
          ['Scene', 1],
          ['AccountList', accountListXml(free, previous ? 3 : 1, previous)],
        ]);
        return { licensed: true, auto_activated: { active_code: free.code, type: free.type, expire_time: free.expireTime! }, outcome };
      }
    }
    const { outcome } = await this.events.data(suite, { auth_corpid: corpId, from_user: userId, fields: { Event: 'unlicensed_notify' } });
    return { licensed: false, outcome };
  }

  /** Seeds paid licenses for the bench: `perCorp` base codes each, the first `active` of them bound to members. */
  seed(providerCorpId: string, corpIds: string[], perCorp: number, active: number, days = 31): { codes: number } {
    const now = this.clock.nowSeconds();
    let n = 0;
    for (const corpId of corpIds) {
      const corp = this.state.corps.get(corpId);
      if (!corp) throw new ControlError(404, `unknown corp ${corpId}`);
      const orderId = `OI${randomToken(30)}`;
      const order: SimLicenseOrder = {
        orderId, providerCorpId, corpId, buyerUserId: 'seed', orderType: 1, orderStatus: 1, baseCount: perCorp, externalContactCount: 0,
        months: Math.floor(days / 31), days: days % 31, createTime: now, payDueAt: now, payTime: now, codes: [],
      };
      this.orders.set(orderId, order);
      const key = bindKey(providerCorpId, corpId);
      this.ordersByCorp.set(key, [...(this.ordersByCorp.get(key) ?? []), orderId]);
      this.purchased.add(key);
      for (let i = 0; i < perCorp; i++) {
        const code: SimActiveCode = { code: `AC${randomToken(30)}`, orderId, providerCorpId, corpId, type: 1, durationSeconds: days * DAY_S, createTime: now };
        this.codes.set(code.code, code);
        order.codes.push(code.code);
        const user = corp.users[i];
        if (i < active && user) this.bind(code, user.userid);
        n++;
      }
    }
    return { codes: n };
  }

  clear(): void {
    this.orders.clear();
    this.ordersByCorp.clear();
    this.codes.clear();
    this.bindings.clear();
    this.autoActive.clear();
    this.purchased.clear();
    this.payDelaySeconds = 60;
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  /** Orders paid on the simulated clock since the last tick are paid before any read (no timer race in tests). */
  private settle(): void {
    this.tick();
  }

  private corpOf(body: JsonObject): string {
    const corpId = required(body, 'corpid', Errcode.MISSING_CORPID);
    if (!this.state.corps.has(corpId)) throw new WecomError(Errcode.INVALID_CORPID);
    return corpId;
  }

  private hasUser(corpId: string, userId: string): boolean {
    return this.state.corps.get(corpId)?.users.some((u) => u.userid === userId) ?? false;
  }

  private ownOrder(token: string | undefined, path: string, body: JsonObject): SimLicenseOrder {
    const provider = this.credentials.provider(token);
    this.gate.admit(path, {});
    this.settle();
    const order = this.orders.get(required(body, 'order_id', Errcode.INVALID_PARAMETER));
    if (!order || order.providerCorpId !== provider) throw new WecomError(LicenseErrcode.INVALID_ORDER);
    return order;
  }

  private bindingsOf(provider: string, corpId: string): Map<string, Map<1 | 2, string>> {
    const key = bindKey(provider, corpId);
    let byUser = this.bindings.get(key);
    if (!byUser) this.bindings.set(key, (byUser = new Map()));
    return byUser;
  }

  private activate(provider: string, corpId: string, codeId: string, userId: string): void {
    const code = this.codes.get(codeId);
    if (!code || code.providerCorpId !== provider || code.corpId !== corpId) throw new WecomError(LicenseErrcode.INVALID_ACTIVE_CODE);
    if (code.userId) throw new WecomError(LicenseErrcode.CODE_ALREADY_BOUND);
    if (!this.hasUser(corpId, userId)) throw new WecomError(Errcode.USERID_NOT_FOUND);
    this.bind(code, userId);
  }

  /** Binds a code; a member's earlier account of the same type is replaced (its time is WeCom's to merge; not simulated). */
  private bind(code: SimActiveCode, userId: string): void {
    const now = this.clock.nowSeconds();
    code.userId = userId;
    code.activeTime = now;
    code.expireTime = now + code.durationSeconds;
    const byUser = this.bindingsOf(code.providerCorpId, code.corpId);
    const types = byUser.get(userId) ?? new Map<1 | 2, string>();
    types.set(code.type, code.code);
    byUser.set(userId, types);
  }

  private codeView(code: SimActiveCode): JsonObject {
    const now = this.clock.nowSeconds();
    const status = !code.userId ? 1 : (code.expireTime ?? 0) > now ? 2 : 3;
    const view: JsonObject = { active_code: code.code, type: code.type, status, create_time: code.createTime };
    if (code.userId) Object.assign(view, { userid: code.userId, active_time: code.activeTime, expire_time: code.expireTime });
    return view;
  }

  /**
   * Pushes a system event to the provider's 系统事件接收URL (`POST /sim/providers`), as `ProviderRegistry` does, but
   * with nested elements (auto_activate's AccountList); nothing when the provider has no URL registered.
   */
  private async pushSystemEvent(provider: string, infoType: string, fields: Array<[string, string | number]>): Promise<PushOutcome | undefined> {
    let target;
    try {
      target = this.providers.get(provider);
    } catch {
      return undefined;
    }
    if (!target.systemEventUrl || !target.token || !target.encodingAesKey) return undefined;
    let xml = `<xml><ServiceCorpId>${cdata(provider)}</ServiceCorpId><InfoType>${cdata(infoType)}</InfoType>`;
    for (const [name, value] of fields) {
      // AccountList is already XML (auto_activate nests elements); everything else is a value.
      xml += name === 'AccountList' ? `<AccountList>${value}</AccountList>` : `<${name}>${typeof value === 'number' ? value : cdata(value)}</${name}>`;
    }
    xml += `<TimeStamp>${this.clock.nowSeconds()}</TimeStamp></xml>`;
    return this.pusher.push({
      kind: 'system',
      url: target.systemEventUrl,
      token: target.token,
      encodingAesKey: target.encodingAesKey,
      receiverId: provider,
      toUserName: provider,
      agentId: '',
      payload: xml,
      suiteId: provider,
      corpId: fields.find(([n]) => n === 'AuthCorpId')?.[1] as string | undefined,
      infoType,
    });
  }
}

function bindKey(provider: string, corpId: string): string {
  return `${provider}|${corpId}`;
}

function intOf(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** One `AccountList` entry of auto_activate (PreviousStatus 1 none, 2 valid ≤ 7 days left, 3 expired). */
function accountListXml(code: SimActiveCode, previousStatus: number, previousCode: string | undefined): string {
  let xml = `<ActiveCode>${cdata(code.code)}</ActiveCode><Type>${code.type}</Type><ExpireTime>${code.expireTime}</ExpireTime><UserId>${cdata(code.userId!)}</UserId><PreviousStatus>${previousStatus}</PreviousStatus>`;
  if (previousCode) xml += `<PreviousActiveCode>${cdata(previousCode)}</PreviousActiveCode>`;
  return xml;
}
