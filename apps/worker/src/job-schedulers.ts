import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { InjectRedis, JobName, QueueName } from '@app/queues';
import { CallbackEventsProcessor } from './processors/callback-events.processor.js';
import { TokenRefreshProcessor } from './processors/token-refresh.processor.js';
import { WebhookDeliveriesProcessor } from './processors/webhook-deliveries.processor.js';
import { ReconcileReport, ScheduleReconciler } from './refresh/schedule-reconciler.js';

/** Scheduler ticks are disposable: each has its own id, and the next one comes anyway. */
const TICK_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: 100 };

/**
 * The Job Schedulers (`sweep-due-tokens`, `sweep-inbox`, `purge-retention`, `reconcile-licenses`, `notify-license-expiry`, `sweep-webhooks`), registered here and nowhere else; they are put
 * back on every Redis reconnect, with the start-up reconciliation of the due-time index. On shutdown (SIGTERM)
 * the workers stop taking jobs and the running ones finish before the queues and Redis are closed.
 */
@Injectable()
export class JobSchedulers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QueueRunner');
  private readonly stopping = new AbortController();
  /** Settles when the start-up reconciliation is done (null if it failed; the next start tries again). */
  reconciled: Promise<ReconcileReport | null> = Promise.resolve(null);

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @InjectRedis() private readonly redis: Redis,
    @InjectQueue(QueueName.TokenRefresh) private readonly refreshQueue: Queue,
    @InjectQueue(QueueName.CallbackEvents) private readonly callbackQueue: Queue,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly webhookQueue: Queue,
    private readonly reconciler: ScheduleReconciler,
    private readonly refreshProcessor: TokenRefreshProcessor,
    private readonly callbackProcessor: CallbackEventsProcessor,
    private readonly webhookProcessor: WebhookDeliveriesProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertSchedulers();
    // Job Schedulers live in Redis: a Redis restarted without its data has none. Upserting is idempotent, so
    // every reconnect puts them back and re-runs the reconciliation, which refills a lost due-time index.
    this.redis.on('ready', () => {
      if (this.stopping.signal.aborted) return;
      this.upsertSchedulers()
        .then(() => this.reconciler.reconcile(this.stopping.signal))
        .catch((err: unknown) => this.logger.warn({ msg: 'could not restore schedulers after a Redis reconnect', error: String(err) }));
    });
    this.reconciled = this.reconciler.reconcile(this.stopping.signal).catch((err: unknown) => {
      this.logger.error({ msg: 'start-up reconciliation of the refresh schedule failed', error: String(err) });
      return null;
    });
  }

  private async upsertSchedulers(): Promise<void> {
    await this.refreshQueue.upsertJobScheduler(
      'sweep-due-tokens',
      { every: this.config.REFRESH_SWEEP_INTERVAL_MS },
      { name: 'sweep-due-tokens' satisfies JobName, data: {}, opts: TICK_OPTIONS },
    );
    await this.callbackQueue.upsertJobScheduler(
      'sweep-inbox',
      { every: this.config.INBOX_SWEEP_INTERVAL_MS },
      { name: 'sweep-inbox' satisfies JobName, data: {}, opts: TICK_OPTIONS },
    );
    await this.callbackQueue.upsertJobScheduler(
      'purge-retention',
      { every: this.config.RETENTION_PURGE_INTERVAL_MS },
      { name: 'purge-retention' satisfies JobName, data: {}, opts: TICK_OPTIONS },
    );
    await this.callbackQueue.upsertJobScheduler(
      'reconcile-licenses',
      { every: this.config.LICENSE_RECONCILE_INTERVAL_MS },
      { name: 'reconcile-licenses' satisfies JobName, data: {}, opts: TICK_OPTIONS },
    );
    await this.callbackQueue.upsertJobScheduler(
      'notify-license-expiry',
      { every: this.config.LICENSE_EXPIRY_CHECK_INTERVAL_MS },
      { name: 'notify-license-expiry' satisfies JobName, data: {}, opts: TICK_OPTIONS },
    );
    await this.webhookQueue.upsertJobScheduler(
      'sweep-webhooks',
      { every: this.config.WEBHOOK_SWEEP_INTERVAL_MS },
      { name: 'sweep-webhooks' satisfies JobName, data: {}, opts: TICK_OPTIONS },
    );
  }

  /**
   * SIGTERM: stop taking jobs and wait for the running ones (before @nestjs/bullmq's own shutdown hook, which
   * runs after Redis may be closing); a job cut short by a kill is taken back as stalled.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.all([this.refreshProcessor.worker.close(), this.callbackProcessor.worker.close(), this.webhookProcessor.worker.close()]);
    await this.reconciled;
  }
}
