import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { InjectRedis } from '@app/queues';
import { AuthCorpRepository } from '@app/store';
import { LicenseReconciler, LicenseService, ReconcileTickReport } from '@app/tenants';

/**
 * The `reconcile-licenses` tick: the next LICENSE_RECONCILE_TENANTS_PER_TICK tenants' account licenses are
 * reconciled with WeCom (accounts, orders and codes, auto-activation), within LICENSE_CALLS_PER_MINUTE; a pass
 * resumes where the previous tick stopped (`LicenseReconciler`).
 */
@Injectable()
export class ReconcileLicensesJob {
  private readonly logger = new Logger('Licenses');
  private readonly reconciler: LicenseReconciler;

  constructor(
    @Inject(APP_CONFIG) config: WorkerConfig,
    @InjectRedis() redis: Redis,
    service: LicenseService,
    corps: AuthCorpRepository,
  ) {
    this.reconciler = new LicenseReconciler(service, corps, {
      redis,
      redisPrefix: config.REDIS_PREFIX,
      callsPerMinute: config.LICENSE_CALLS_PER_MINUTE,
      tenantsPerTick: config.LICENSE_RECONCILE_TENANTS_PER_TICK,
    });
  }

  async handle(): Promise<ReconcileTickReport> {
    const report = await this.reconciler.tick();
    if (report.tenants || report.failed) this.logger.log({ msg: 'license reconciliation tick', ...report });
    return report;
  }
}
