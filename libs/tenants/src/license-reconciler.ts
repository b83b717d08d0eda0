import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthCorpRepository } from '@app/store';
import { LicenseOperationError, LicenseService } from './license.service.js';

export interface LicenseReconcilerOptions {
  redis: Redis;
  /** REDIS_PREFIX: the pass cursor and the call budget live under it (shared by every worker). */
  redisPrefix: string;
  /** LICENSE_CALLS_PER_MINUTE: WeCom calls per minute the reconciliation may make, all workers together. */
  callsPerMinute: number;
  /** LICENSE_RECONCILE_TENANTS_PER_TICK */
  tenantsPerTick: number;
  /** Tenants reconciled at once within a tick. Default 8. */
  concurrency?: number;
}

/** One tick's work. `passDone`: the last tenant was reached and the next tick starts a new pass. */
export interface ReconcileTickReport {
  tenants: number;
  calls: number;
  skipped: number;
  failed: number;
  passDone: boolean;
}

/**
 * Reconciles every tenant's account licenses with WeCom, tenant by tenant, in ticks: each tick takes the next
 * `tenantsPerTick` active tenants after the cursor stored in Redis (so a pass survives restarts and spans ticks:
 * resumable), runs `LicenseService.syncTenant` for each (`concurrency` at once), and stores the new cursor. Every
 * WeCom call first takes a slot of a Redis-backed budget (`rate-limiter-flexible`, one-second windows of
 * `callsPerMinute / 60`), shared by every worker, inside the platform's own WECOM_CALLS_PER_MINUTE limiter.
 * Tenants of suites without a provider are skipped, and so is a second suite of the same provider in a corp within a
 * tick; a tenant that fails is logged and left for the next pass.
 */
export class LicenseReconciler {
  private readonly logger = new Logger('LicenseReconciler');
  private readonly limiter: RateLimiterRedis;
  private readonly cursorKey: string;
  private readonly concurrency: number;

  constructor(
    private readonly service: LicenseService,
    private readonly corps: AuthCorpRepository,
    private readonly options: LicenseReconcilerOptions,
  ) {
    const perSecond = Math.max(1, Math.floor(options.callsPerMinute / 60));
    this.limiter = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: `${options.redisPrefix}:license-calls`,
      points: perSecond,
      duration: 1,
      insuranceLimiter: new RateLimiterMemory({ points: perSecond, duration: 1 }),
    });
    this.cursorKey = `${options.redisPrefix}:license-reconcile:cursor`;
    this.concurrency = options.concurrency ?? 8;
  }

  /** Waits for a slot of the reconciliation's call budget. */
  async acquire(): Promise<void> {
    for (;;) {
      try {
        await this.limiter.consume('all');
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, rejection.msBeforeNext) + Math.floor(Math.random() * 10)));
      }
    }
  }

  /** One tick: the next batch of tenants after the stored cursor. */
  async tick(): Promise<ReconcileTickReport> {
    const after = (await this.options.redis.get(this.cursorKey)) ?? undefined;
    const rows = await this.corps.pageActive(this.options.tenantsPerTick, after);
    const report: ReconcileTickReport = { tenants: 0, calls: 0, skipped: 0, failed: 0, passDone: rows.length < this.options.tenantsPerTick };
    let next = 0;
    // Licenses belong to the provider in a corp: two suites of one provider in a corp are one tenant here.
    const seen = new Set<string>();
    const worker = async (): Promise<void> => {
      while (next < rows.length) {
        const row = rows[next++];
        try {
          const t = await this.service.tenantOf(row.suiteId, row.corpId);
          const key = `${t.providerCorpId}|${t.corpId}`;
          if (seen.has(key)) {
            report.skipped++;
            continue;
          }
          seen.add(key);
          const r = await this.service.syncTenant(t, () => this.acquire());
          report.tenants++;
          report.calls += r.calls;
        } catch (err) {
          if (err instanceof LicenseOperationError && err.code === 'no_provider') {
            report.skipped++;
            continue;
          }
          report.failed++;
          this.logger.warn({ msg: 'license reconciliation of a tenant failed; next pass retries', suiteId: row.suiteId, corpId: row.corpId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, rows.length) }, worker));
    if (report.passDone) await this.options.redis.del(this.cursorKey);
    else await this.options.redis.set(this.cursorKey, rows[rows.length - 1].id);
    return report;
  }

  /** Ticks until a pass ends (benchmarks, tests); sums the reports. */
  async runPass(): Promise<ReconcileTickReport> {
    const total: ReconcileTickReport = { tenants: 0, calls: 0, skipped: 0, failed: 0, passDone: false };
    for (;;) {
      const r = await this.tick();
      total.tenants += r.tenants;
      total.calls += r.calls;
      total.skipped += r.skipped;
      total.failed += r.failed;
      if (r.passDone) return { ...total, passDone: true };
    }
  }
}
