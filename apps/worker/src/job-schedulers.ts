import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { InjectRedis, JobName, QueueName, RECONCILE_SCHEDULE_JOB_ID } from '@app/queues';
import { RefreshSchedule } from '@app/tokens';
import { RECONCILED_MARKER_TTL_MS, ReconcileScheduleJob } from './jobs/reconcile-schedule.job.js';
import { CallbackEventsProcessor } from './processors/callback-events.processor.js';
import { TokenRefreshProcessor } from './processors/token-refresh.processor.js';
import { WebhookDeliveriesProcessor } from './processors/webhook-deliveries.processor.js';

/** Scheduler ticks are disposable: each has its own id, and the next one comes anyway. */
const TICK_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: 100 };

/**
 * The reconciliation job: one id per cluster; retried (from its cursor) when a shutdown stops it mid-walk; removed
 * when finished or out of attempts, so the next request can add it again (the marker, not the job, says "done").
 */
const RECONCILE_OPTIONS: JobsOptions = {
  jobId: RECONCILE_SCHEDULE_JOB_ID,
  attempts: 20,
  backoff: { type: 'fixed', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/**
 * The Job Schedulers (`sweep-due-tokens`, `sweep-inbox`, `purge-retention`, `reconcile-licenses`, `notify-license-expiry`, `sweep-webhooks`), registered here and nowhere else; they are put
 * back on every Redis reconnect. The reconciliation of the due-time index runs once per cluster, not per replica:
 * at start and on every reconnect a replica adds the `reconcile-schedule` job only when the "reconciled" marker is
 * missing, i.e. no walk finished against this Redis while workers ran (a first start, every worker gone for
 * RECONCILED_MARKER_TTL_MS, or Redis lost its data — the marker goes with the index). Running workers keep the
 * marker alive. On shutdown (SIGTERM) the workers stop taking jobs and the running ones finish before the queues
 * and Redis are closed; a walk stops after its page and is retried from its cursor by a replica still running.
 */
@Injectable()
export class JobSchedulers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QueueRunner');
  private readonly stopping = new AbortController();
  private keepAlive?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @InjectRedis() private readonly redis: Redis,
    @InjectQueue(QueueName.TokenRefresh) private readonly refreshQueue: Queue,
    @InjectQueue(QueueName.CallbackEvents) private readonly callbackQueue: Queue,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly webhookQueue: Queue,
    private readonly schedule: RefreshSchedule,
    private readonly reconcileJob: ReconcileScheduleJob,
    private readonly refreshProcessor: TokenRefreshProcessor,
    private readonly callbackProcessor: CallbackEventsProcessor,
    private readonly webhookProcessor: WebhookDeliveriesProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertSchedulers();
    await this.requestReconciliation();
    // Job Schedulers live in Redis: a Redis restarted without its data has none. Upserting is idempotent, so
    // every reconnect puts them back; the reconciliation is asked for only if the marker went (data lost).
    this.redis.on('ready', () => {
      if (this.stopping.signal.aborted) return;
      this.upsertSchedulers()
        .then(() => this.requestReconciliation())
        .catch((err: unknown) => this.logger.warn({ msg: 'could not restore schedulers after a Redis reconnect', error: String(err) }));
    });
    this.keepAlive = setInterval(() => {
      this.schedule.keepReconciled(RECONCILED_MARKER_TTL_MS).catch(() => undefined);
    }, RECONCILED_MARKER_TTL_MS / 3);
    this.keepAlive.unref();
  }

  /** Adds the cluster's one reconciliation job unless the marker says this Redis is reconciled (a no-op if the job is already there). */
  private async requestReconciliation(): Promise<void> {
    if (await this.schedule.isReconciled()) {
      this.logger.log({ msg: 'refresh schedule already reconciled by this cluster; not walking again' });
      return;
    }
    await this.refreshQueue.add('reconcile-schedule' satisfies JobName, {}, RECONCILE_OPTIONS);
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
    clearInterval(this.keepAlive);
    this.reconcileJob.stop();
    await Promise.all([this.refreshProcessor.worker.close(), this.callbackProcessor.worker.close(), this.webhookProcessor.worker.close()]);
  }
}
