import { Injectable } from '@nestjs/common';
import { LicenseCounts, LicenseRepository, LicenseTenant, SuiteRepository } from '@app/store';
import { providerTokenKey, TokenBroker } from '@app/tokens';
import { LicenseAccountType, WecomLicenseApi, WecomServiceApi } from '@app/wecom';

/** Why a license operation cannot be done; the admin API maps `code` to a status. */
export class LicenseOperationError extends Error {
  override readonly name = 'LicenseOperationError';

  constructor(
    readonly code: 'no_provider' | 'no_free_code' | 'unknown_code' | 'transfer_refused' | 'activation_refused',
    message: string,
    /** WeCom's per-item errcode, when WeCom refused an item of a batch. */
    readonly errcode?: number,
  ) {
    super(message);
  }
}

/** Calls made and what changed, for one tenant's reconciliation. */
export interface LicenseSyncReport {
  calls: number;
  accounts: number;
  orders: number;
  newCodes: number;
}

export interface NewLicenseOrder {
  buyerUserId: string;
  baseCount: number;
  externalContactCount: number;
  months: number;
  days?: number;
}

const PAGE = 1000;
const PROVIDER_CACHE_MS = 10_000;
const sec = (s: number | undefined): Date | undefined => (s ? new Date(s * 1000) : undefined);

/**
 * Account licenses (接口调用许可) of one tenant, kept in step with WeCom: reconciliation of one tenant (accounts,
 * orders and their codes, auto-activation), the operations of the admin API (order, activate, transfer, toggle
 * auto-activation), and what the license callbacks change. Every WeCom call uses the provider_access_token of the
 * tenant's provider (`TokenBroker`, `providerTokenKey`: one token per provider, dropped and fetched again once on a
 * token errcode); the store's tenant key is the provider corpid and the corp (a suite's is its provider's).
 *
 * Throws `LicenseOperationError` for what the caller asked wrongly, `WecomError`s (`LicenseApiError` for 701xxx)
 * for WeCom's refusals, `TokenUnavailableError` when no provider token can be had.
 */
@Injectable()
export class LicenseService {
  readonly api: WecomLicenseApi;
  /** suite → its provider corpid, for a few seconds: a reconciliation pass asks once per tenant. */
  private readonly providerOf = new Map<string, { providerCorpId: string | null; until: number }>();

  constructor(
    private readonly broker: TokenBroker,
    wecom: WecomServiceApi,
    private readonly licenses: LicenseRepository,
    private readonly suites: SuiteRepository,
  ) {
    this.api = new WecomLicenseApi(wecom);
  }

  /** The store's key of a suite's tenant: its provider corpid and the corp. Throws `no_provider` without one. */
  async tenantOf(suiteId: string, corpId: string): Promise<LicenseTenant> {
    const cached = this.providerOf.get(suiteId);
    let providerCorpId = cached && cached.until > Date.now() ? cached.providerCorpId : undefined;
    if (providerCorpId === undefined) {
      providerCorpId = (await this.suites.find(suiteId))?.providerCorpId ?? null;
      this.providerOf.set(suiteId, { providerCorpId, until: Date.now() + PROVIDER_CACHE_MS });
    }
    if (!providerCorpId) throw new LicenseOperationError('no_provider', `suite ${suiteId} has no provider corpid: licenses need the provider token`);
    return { providerCorpId, corpId };
  }

  /** Runs `use` with the provider's provider_access_token (the Provider record's secret; one token per provider). */
  withProviderToken<T>(providerCorpId: string, use: (token: string) => Promise<T>): Promise<T> {
    return this.broker.withToken(providerTokenKey(providerCorpId), use);
  }

  /**
   * Reconciles one tenant with WeCom: every page of list_actived_account (accounts not listed any more are
   * removed), every page of list_order for the corp, get_order for orders not yet final, list_order_account for paid
   * orders whose codes were not fetched, and get_auto_active_status once, after the corp's first purchase.
   * `beforeCall` is awaited before each WeCom call (the reconciliation's rate limit).
   */
  async syncTenant(t: LicenseTenant, beforeCall: () => Promise<void> = async () => undefined): Promise<LicenseSyncReport> {
    const { corpId } = t;
    const report: LicenseSyncReport = { calls: 0, accounts: 0, orders: 0, newCodes: 0 };
    const call = async <T>(fn: (token: string) => Promise<T>): Promise<T> => {
      await beforeCall();
      report.calls++;
      return this.withProviderToken(t.providerCorpId, fn);
    };
    const started = new Date();
    let cursor: string | undefined;
    do {
      const page = await call((tk) => this.api.listActivedAccount(tk, { corpId, cursor, limit: PAGE }));
      await this.licenses.upsertAccounts(
        t,
        page.accounts.map((a) => ({ userId: a.userId, type: a.type, activeAt: new Date(a.activeTime * 1000), expiresAt: new Date(a.expireTime * 1000) })),
        started,
      );
      report.accounts += page.accounts.length;
      cursor = page.hasMore ? page.nextCursor : undefined;
    } while (cursor);
    await this.licenses.removeAccountsNotSeenSince(t, started);

    const known = new Map((await this.licenses.listOrders(t)).map((o) => [o.orderId, o]));
    let bought = [...known.values()].some((o) => o.orderStatus === 1 || o.orderStatus === 5);
    cursor = undefined;
    do {
      const page = await call((tk) => this.api.listOrder(tk, { corpId, cursor, limit: PAGE }));
      for (const summary of page.orders) {
        const order = known.get(summary.orderId);
        // Paid with codes fetched, cancelled, expired or refunded: WeCom will not change it any more.
        if (order && ((order.orderStatus === 1 && order.codesFetched) || [2, 3, 5].includes(order.orderStatus))) continue;
        report.orders++;
        const synced = await this.syncOrder(t, summary.orderId, call);
        report.newCodes += synced.newCodes;
        bought ||= synced.status === 1 || synced.status === 5;
      }
      cursor = page.hasMore ? page.nextCursor : undefined;
    } while (cursor);

    // Auto-activation changes only through set_auto_active_status (the admin API stores it): asked once, after
    // the corp's first purchase (WeCom answers only for corps with licenses bought).
    if (bought && (await this.licenses.corpState(t))?.autoActive == null) {
      const on = await call((tk) => this.api.getAutoActiveStatus(tk, corpId));
      await this.licenses.setAutoActive(t, on);
    }
    await this.licenses.markReconciled(t, started);
    return report;
  }

  /** get_order, and once paid list_order_account (every page): stores the order and its codes; returns its status and the new codes. */
  async syncOrder(t: LicenseTenant, orderId: string, call?: <T>(fn: (token: string) => Promise<T>) => Promise<T>): Promise<{ status: number; newCodes: number }> {
    const run = call ?? (<T>(fn: (token: string) => Promise<T>) => this.withProviderToken(t.providerCorpId, fn));
    const order = await run((tk) => this.api.getOrder(tk, orderId));
    await this.licenses.upsertOrder(t, {
      orderId: order.orderId,
      orderType: order.orderType,
      orderStatus: order.orderStatus,
      price: order.price,
      baseCount: order.accountCount.baseCount,
      externalContactCount: order.accountCount.externalContactCount,
      durationMonths: order.accountDuration.months,
      durationDays: order.accountDuration.days ?? 0,
      createdAtWecom: sec(order.createTime),
      paidAt: sec(order.payTime),
    });
    if (order.orderStatus !== 1 || order.orderType === 2) return { status: order.orderStatus, newCodes: 0 };
    let created = 0;
    let cursor: string | undefined;
    do {
      const page = await run((tk) => this.api.listOrderAccount(tk, { orderId, cursor, limit: PAGE }));
      created += await this.licenses.upsertCodes(t, orderId, page.accounts.map((a) => ({ activeCode: a.activeCode, type: a.type, ...(a.userId ? { userId: a.userId } : {}) })));
      cursor = page.hasMore ? page.nextCursor : undefined;
    } while (cursor);
    await this.licenses.markCodesFetched(orderId);
    return { status: order.orderStatus, newCodes: created };
  }

  /** Every page of list_actived_account, stored (auto_activate callbacks: members gained accounts). */
  async syncAccounts(t: LicenseTenant): Promise<number> {
    let cursor: string | undefined;
    let n = 0;
    const seenAt = new Date();
    do {
      const page = await this.withProviderToken(t.providerCorpId, (tk) => this.api.listActivedAccount(tk, { corpId: t.corpId, cursor, limit: PAGE }));
      await this.licenses.upsertAccounts(
        t,
        page.accounts.map((a) => ({ userId: a.userId, type: a.type, activeAt: new Date(a.activeTime * 1000), expiresAt: new Date(a.expireTime * 1000) })),
        seenAt,
      );
      n += page.accounts.length;
      cursor = page.hasMore ? page.nextCursor : undefined;
    } while (cursor);
    return n;
  }

  /** create_new_order for the tenant; the order is stored unpaid (payment happens in WeCom's provider console). */
  async createOrder(suiteId: string, corpId: string, input: NewLicenseOrder): Promise<string> {
    const t = await this.tenantOf(suiteId, corpId);
    const orderId = await this.withProviderToken(t.providerCorpId, (tk) =>
      this.api.createNewOrder(tk, {
        corpId,
        buyerUserId: input.buyerUserId,
        accountCount: { baseCount: input.baseCount, externalContactCount: input.externalContactCount },
        accountDuration: { months: input.months, days: input.days ?? 0 },
      }),
    );
    await this.syncOrder(t, orderId);
    return orderId;
  }

  /**
   * Binds an activation code to a member (active_account): the given one (it must be the tenant's), or a free
   * stored code of `type`. Then reads the member's accounts back (get_active_info_by_user) to store the expiry.
   */
  async activate(suiteId: string, corpId: string, input: { userId: string; activeCode?: string; type?: LicenseAccountType }): Promise<{ type: number; expiresAt: Date | null }> {
    const t = await this.tenantOf(suiteId, corpId);
    let code = input.activeCode;
    if (code !== undefined && !(await this.licenses.hasCode(t, code))) throw new LicenseOperationError('unknown_code', 'the tenant holds no such activation code');
    code ??= (await this.licenses.freeCode(t, input.type ?? 1)) ?? undefined;
    if (code === undefined) throw new LicenseOperationError('no_free_code', `no free activation code of type ${input.type ?? 1}: buy or reconcile first`);
    const activeCode = code;
    await this.withProviderToken(t.providerCorpId, (tk) => this.api.activeAccount(tk, { activeCode, corpId, userId: input.userId }));
    const info = await this.withProviderToken(t.providerCorpId, (tk) => this.api.getActiveInfoByUser(tk, { corpId, userId: input.userId }));
    for (const a of info.accounts) {
      await this.licenses.upsertAccount(t, { userId: a.userId, type: a.type, activeAt: new Date(a.activeTime * 1000), expiresAt: new Date(a.expireTime * 1000) });
    }
    const mine = info.accounts.find((a) => a.activeCode === activeCode);
    await this.licenses.markCodeBound(t, activeCode, input.userId, sec(mine?.activeTime) ?? new Date(), sec(mine?.expireTime) ?? null);
    return { type: mine?.type ?? input.type ?? 1, expiresAt: sec(mine?.expireTime) ?? null };
  }

  /** batch_transfer_license for one pair (账号继承); WeCom's per-pair refusal is `transfer_refused` with its errcode. */
  async transfer(suiteId: string, corpId: string, handoverUserId: string, takeoverUserId: string): Promise<void> {
    const t = await this.tenantOf(suiteId, corpId);
    const [result] = await this.withProviderToken(t.providerCorpId, (tk) => this.api.batchTransferLicense(tk, { corpId, transfers: [{ handoverUserId, takeoverUserId }] }));
    if (!result || result.errcode !== 0) throw new LicenseOperationError('transfer_refused', `WeCom refused the transfer (errcode ${result?.errcode ?? 'none'})`, result?.errcode);
    await this.licenses.transferAccounts(t, handoverUserId, takeoverUserId);
  }

  /** set_auto_active_status, then stored. */
  async setAutoActive(suiteId: string, corpId: string, enabled: boolean): Promise<void> {
    const t = await this.tenantOf(suiteId, corpId);
    await this.withProviderToken(t.providerCorpId, (tk) => this.api.setAutoActiveStatus(tk, { corpId, enabled }));
    await this.licenses.setAutoActive(t, enabled);
  }

  async counts(suiteId: string, corpId: string, now = new Date()): Promise<LicenseCounts> {
    return this.licenses.counts(await this.tenantOf(suiteId, corpId), now);
  }

  /** unlicensed_notify from a suite's data callback: recorded; true the first time the member is seen unlicensed. */
  async recordUnlicensed(suiteId: string, corpId: string, userId: string, at = new Date()): Promise<boolean> {
    const t = await this.tenantOf(suiteId, corpId);
    return this.licenses.recordUnlicensed(t, userId, suiteId, at);
  }
}
