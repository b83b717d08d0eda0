import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigModule, WorkerConfig } from '@app/config';
import { HEALTH_CHECKS, HealthController, HealthService, MetricsController, MetricsRegistry } from '@app/platform';
import { createRedis, QueueName, RedisHealthCheck } from '@app/queues';
import { CallbackEventRepository, DatabaseHealthCheck, StoreModule, storeOptionsFrom } from '@app/store';
import { RefreshSchedule } from '@app/tokens';
import { CallbackEventProcessor } from './events/callback-event.processor.js';
import { InboxSweeper } from './events/inbox-sweeper.js';
import { WorkerJobs } from './job-handlers.js';
import { QueueRunner } from './queue-runner.js';
import { RefreshSweeper } from './refresh/refresh-sweeper.js';
import { ScheduleReconciler } from './refresh/schedule-reconciler.js';
import { TokenRefreshProcessor } from './refresh/token-refresh.processor.js';
import { SuiteTicketMonitor } from './suite-ticket.monitor.js';
import { InboxHealthCheck, TokenHealthCheck } from './worker-health.js';
import { WorkerMetrics } from './worker-metrics.js';
import { CALLBACK_QUEUE, REDIS, REFRESH_QUEUE, tokenProviders } from './worker-tokens.js';

/** Closes the shared Redis connection last, after the queue runner has let its jobs finish. */
@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Read at scrape time: queue depths, the due-time index, the inbox backlog. */
@Injectable()
class ScrapeGauges {
  constructor(
    metrics: WorkerMetrics,
    @Inject(REFRESH_QUEUE) refreshQueue: Queue,
    @Inject(CALLBACK_QUEUE) callbackQueue: Queue,
    schedule: RefreshSchedule,
    events: CallbackEventRepository,
    tickets: SuiteTicketMonitor,
  ) {
    const states = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
    metrics.gaugeAtScrape('wecom_queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async () => {
      const out: Array<{ labels: { queue: string; state: string }; value: number }> = [];
      for (const [name, queue] of [[QueueName.TokenRefresh, refreshQueue], [QueueName.CallbackEvents, callbackQueue]] as const) {
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
    const redis = createRedis(config.REDIS_URL, 'worker');
    if (config.REFRESH_MARGIN_SECONDS <= config.TOKEN_SERVE_MARGIN_SECONDS) {
      new Logger('Worker').warn({
        msg: 'REFRESH_MARGIN_SECONDS is not above TOKEN_SERVE_MARGIN_SECONDS: the token API will have to fetch tokens itself',
      });
    }
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        StoreModule.forRoot(storeOptionsFrom(config)),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        ...tokenProviders(config, redis),
        {
          provide: HEALTH_CHECKS,
          inject: [DatabaseHealthCheck, InboxHealthCheck, TokenHealthCheck],
          useFactory: (db: DatabaseHealthCheck, inbox: InboxHealthCheck, tokens: TokenHealthCheck) => [db, new RedisHealthCheck(redis), inbox, tokens],
        },
        DatabaseHealthCheck,
        InboxHealthCheck,
        TokenHealthCheck,
        HealthService,
        MetricsRegistry,
        WorkerMetrics,
        ScrapeGauges,
        SuiteTicketMonitor,
        TokenRefreshProcessor,
        RefreshSweeper,
        ScheduleReconciler,
        CallbackEventProcessor,
        InboxSweeper,
        WorkerJobs,
        QueueRunner,
        RedisCloser,
      ],
    };
  }
}
