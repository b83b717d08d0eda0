import { Injectable, Logger } from '@nestjs/common';
import { EventPublisher } from '@app/events';
import { AuthCorpRepository, LicenseRepository, SuiteRepository } from '@app/store';
import { WorkerMetrics } from '../worker-metrics.js';

const BATCH = 500;

/**
 * The `notify-license-expiry` tick: every account that entered an expiry window (30, 7, 1 days before, or expired)
 * since the last tick becomes one `license.expiring` event per tenant of the provider in that corp (each window once
 * per expiry; a renewal starts over), and the license gauges are refreshed.
 */
@Injectable()
export class NotifyLicenseExpiryJob {
  private readonly logger = new Logger('Licenses');

  constructor(
    private readonly licenses: LicenseRepository,
    private readonly suites: SuiteRepository,
    private readonly corps: AuthCorpRepository,
    private readonly publisher: EventPublisher,
    private readonly metrics: WorkerMetrics,
  ) {}

  async handle(now = new Date()): Promise<{ notices: number; events: number }> {
    const notices = await this.licenses.claimExpiryNotices(now, BATCH);
    let events = 0;
    const suitesOf = new Map<string, string[]>();
    for (const n of notices) {
      let suiteIds = suitesOf.get(n.providerCorpId);
      if (!suiteIds) {
        suiteIds = (await this.suites.list()).filter((s) => s.providerCorpId === n.providerCorpId).map((s) => s.suiteId);
        suitesOf.set(n.providerCorpId, suiteIds);
      }
      for (const suiteId of suiteIds) {
        if (!(await this.corps.isActive(suiteId, n.corpId))) continue;
        await this.publisher.publishPlatform(
          {
            type: 'license.expiring',
            timestamp: now.toISOString(),
            receivedAt: now.toISOString(),
            suiteId,
            corpId: n.corpId,
            data: { userId: n.userId, accountType: n.type, expiresAt: n.expiresAt.toISOString(), windowDays: n.window },
          },
          `license-expiring:${suiteId}:${n.corpId}:${n.userId}:${n.type}:${n.expiresAt.getTime()}:${n.window}`,
        );
        events++;
      }
    }
    const totals = await this.licenses.totals(now);
    this.metrics.licenseUnlicensedMembers.set(totals.unlicensedMembers);
    this.metrics.licenseExpiringSoon.set(totals.expiringIn7Days);
    if (notices.length) this.logger.log({ msg: 'license expiry notices', notices: notices.length, events });
    return { notices: notices.length, events };
  }
}
