import { InjectQueue } from '@nestjs/bullmq';
import { DynamicModule, Injectable, Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { WorkerConfig } from '@app/config';
import { HealthModule, InfrastructureModule } from '@app/platform';
import { QueueName, RedisHealthCheck } from '@app/queues';
import { CallbackEventRepository, DatabaseHealthCheck } from '@app/store';
import { TenantsModule } from '@app/tenants';
import { RefreshSchedule, TokensModule } from '@app/tokens';
import { WorkerJobs } from './job-handlers.js';
import { JobSchedulers } from './job-schedulers.js';
import { ProcessCallbackEventJob } from './jobs/process-callback-event.job.js';
import { LicenseSystemEvents } from './system-events/license-system-events.js';
import { SystemEventHandlers } from './system-events/system-event-handlers.js';
import { RefreshTokenJob } from './jobs/refresh-token.job.js';
import { SweepDueTokensJob } from './jobs/sweep-due-tokens.job.js';
import { SweepInboxJob } from './jobs/sweep-inbox.job.js';
import { NotifyLicenseExpiryJob } from './jobs/notify-license-expiry.job.js';
import { PurgeRetentionJob } from './jobs/purge-retention.job.js';
import { ReconcileLicensesJob } from './jobs/reconcile-licenses.job.js';
import { CallbackEventsProcessor } from './processors/callback-events.processor.js';
import { configuredProcessor, workerOptions } from './processors/queue-processor.js';
import { TokenRefreshProcessor } from './processors/token-refresh.processor.js';
import { WebhookDeliveriesProcessor } from './processors/webhook-deliveries.processor.js';
import { REFRESH_TIMING, refreshLimiter, refreshTiming } from './refresh/refresh-timing.js';
import { ScheduleReconciler } from './refresh/schedule-reconciler.js';
import { ReconcileScheduleJob } from './jobs/reconcile-schedule.job.js';
import { SuiteTicketMonitor } from './suite-ticket.monitor.js';
import { InboxHealthCheck, TokenHealthCheck } from './worker-health.js';
import { WorkerMetrics } from './worker-metrics.js';
import { webhookProviders } from './webhooks/webhook-providers.js';

/**
 * The WeCom client retries -1, 5xx and timeouts once at most: the job queue is where backoff lives (exponential,
 * jittered, across processes and restarts), so a WeCom outage holds a worker slot for seconds, not minutes.
 */
const WECOM_CLIENT_RETRIES = 1;

/** Read at scrape time: queue depths, the due-time index, the inbox backlog. */
@Injectable()
class ScrapeGauges {
  constructor(
    metrics: WorkerMetrics,
    @InjectQueue(QueueName.TokenRefresh) refreshQueue: Queue,
    @InjectQueue(QueueName.CallbackEvents) callbackQueue: Queue,
    @InjectQueue(QueueName.WebhookDeliveries) webhookQueue: Queue,
    schedule: RefreshSchedule,
    events: CallbackEventRepository,
    tickets: SuiteTicketMonitor,
  ) {
    const states = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
    metrics.gaugeAtScrape('wecom_queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async () => {
      const out: Array<{ labels: { queue: string; state: string }; value: number }> = [];
      for (const [name, queue] of [[QueueName.TokenRefresh, refreshQueue], [QueueName.CallbackEvents, callbackQueue], [QueueName.WebhookDeliveries, webhookQueue]] as const) {
        const counts = await queue.getJobCounts(...states);
        for (const state of states) out.push({ labels: { queue: name, state }, value: counts[state] ?? 0 });
      }
      return out;
    });
    metrics.gaugeAtScrape('wecom_refresh_schedule_tokens', 'Tokens in the due-time index', [], async () => [{ labels: {}, value: await schedule.size() }]);
    metrics.gaugeAtScrape('wecom_refresh_schedule_due', 'Tokens due now and not yet taken by a sweep', [], async () => [
      { labels: {}, value: await schedule.countDue(Date.now()) },
    ]);
    metrics.gaugeAtScrape('wecom_inbox_oldest_pending_age_seconds', 'Age of the oldest callback event not yet processed', [], async () => [
      { labels: {}, value: await events.oldestPendingAgeSeconds() },
    ]);
    metrics.gaugeAtScrape('wecom_suite_ticket_lapses', 'Suites without a fresh suite_ticket, by suite', ['suite_id'], async () =>
      (await tickets.lapses()).map((l) => ({ labels: { suite_id: l.suiteId }, value: 1 })),
    );
  }
}

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    if (config.REFRESH_MARGIN_SECONDS <= config.TOKEN_SERVE_MARGIN_SECONDS) {
      new Logger('Worker').warn({
        msg: 'REFRESH_MARGIN_SECONDS is not above TOKEN_SERVE_MARGIN_SECONDS: the token API will have to fetch tokens itself',
      });
    }
    const timing = refreshTiming(config);
    const perMinute = config.WECOM_CALLS_PER_MINUTE;
    return {
      module: WorkerModule,
      imports: [
        InfrastructureModule.forRoot(config, 'worker'),
        TokensModule.forConfig(config, { metrics: WorkerMetrics, maxRetries: WECOM_CLIENT_RETRIES }),
        TenantsModule,
        HealthModule.forRoot({ checks: [DatabaseHealthCheck, RedisHealthCheck, InboxHealthCheck, TokenHealthCheck] }),
      ],
      providers: [
        { provide: REFRESH_TIMING, useValue: timing },
        InboxHealthCheck,
        TokenHealthCheck,
        ScrapeGauges,
        SuiteTicketMonitor,
        ScheduleReconciler,
        ReconcileScheduleJob,
        ProcessCallbackEventJob,
        SystemEventHandlers,
        LicenseSystemEvents,
        RefreshTokenJob,
        SweepDueTokensJob,
        SweepInboxJob,
        PurgeRetentionJob,
        ReconcileLicensesJob,
        NotifyLicenseExpiryJob,
        WorkerJobs,
        ...webhookProviders(config),
        // No job limit on callback events: most (data events) make no WeCom call, and those that do draw on the
        // shared WeCom call limiter in the client. Lifecycle events are queued unprioritised, ahead of the rest.
        configuredProcessor(CallbackEventsProcessor, QueueName.CallbackEvents, workerOptions(config, undefined)),
        configuredProcessor(WebhookDeliveriesProcessor, QueueName.WebhookDeliveries, workerOptions(config, undefined, config.WEBHOOK_CONCURRENCY)),
        configuredProcessor(TokenRefreshProcessor, QueueName.TokenRefresh, workerOptions(config, refreshLimiter(perMinute))),
        JobSchedulers,
      ],
    };
  }
}
