import { Injectable, OnModuleInit } from '@nestjs/common';
import type { CallbackEvent } from '@app/store';
import { AuthCorpRepository, ProviderRepository } from '@app/store';
import { EventPublisher } from '@app/events';
import { LicenseService } from '@app/tenants';
import type { LicenseTenant } from '@app/store';
import { StoredSystemEvent, SystemEventHandlers } from './system-event-handlers.js';

/**
 * The license system events (接口许可 回调通知) keep the store in step as they arrive, before the reconciliation's next
 * pass: `license_pay_success` and `license_refund` fetch the order again (get_order; once paid, its codes with
 * list_order_account), `auto_activate` fetches the corp's accounts again (list_actived_account). Each is then
 * published for every suite of the provider installed in the corp (`license.paid`, `license.refunded`,
 * `license.auto_activated`), so the vendor's endpoints, registered per suite, receive them. Idempotent: a retried
 * job fetches and stores the same, and publishes nothing twice.
 */
@Injectable()
export class LicenseSystemEvents implements OnModuleInit {
  constructor(
    private readonly handlers: SystemEventHandlers,
    private readonly licenses: LicenseService,
    private readonly providers: ProviderRepository,
    private readonly corps: AuthCorpRepository,
    private readonly publisher: EventPublisher,
  ) {}

  onModuleInit(): void {
    this.handlers.on('license_pay_success', (event, row) => this.orderChanged(event, row));
    this.handlers.on('license_refund', (event, row) => this.orderChanged(event, row));
    this.handlers.on('auto_activate', (event, row) => this.autoActivated(event, row));
  }

  private async orderChanged(event: StoredSystemEvent, row: CallbackEvent): Promise<void> {
    if ((event.infoType !== 'license_pay_success' && event.infoType !== 'license_refund') || !event.authCorpId) return;
    const tenant = { providerCorpId: row.suiteId, corpId: event.authCorpId };
    await this.licenses.syncOrder(tenant, event.orderId);
    await this.publishToSuites(row, tenant);
  }

  private async autoActivated(event: StoredSystemEvent, row: CallbackEvent): Promise<void> {
    if (!event.authCorpId) return;
    const tenant = { providerCorpId: row.suiteId, corpId: event.authCorpId };
    await this.licenses.syncAccounts(tenant);
    await this.publishToSuites(row, tenant);
  }

  private async publishToSuites(row: CallbackEvent, tenant: LicenseTenant): Promise<void> {
    const provider = await this.providers.find(tenant.providerCorpId);
    for (const suiteId of provider?.suiteIds ?? []) {
      if (await this.corps.isActive(suiteId, tenant.corpId)) await this.publisher.publishInboxFor(row, suiteId, { corpId: tenant.corpId });
    }
  }
}
