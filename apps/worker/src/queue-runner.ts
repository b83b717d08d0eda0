import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, JobsOptions, Queue, UnrecoverableError, Worker, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { bullPrefix, JobName, JobOf, QUEUE_OF_JOB, QueueName } from '@app/queues';
import { RateLimitedError } from '@app/wecom';
import { CallbackEventProcessor } from './events/callback-event.processor.js';
import { checkJobHandlers, JobHandler, WorkerJobs } from './job-handlers.js';
import { callbackLimiter, refreshLimiter } from './refresh/refresh-timing.js';
import { ReconcileReport, ScheduleReconciler } from './refresh/schedule-reconciler.js';
import { WorkerMetrics } from './worker-metrics.js';
import { CALLBACK_QUEUE, REDIS, REFRESH_QUEUE } from './worker-tokens.js';

/** Scheduler ticks are disposable: each has its own id, and the next one comes anyway. */
const TICK_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: 100 };

/**
 * A job taken back after a stall is run again; the limit only stops a job that keeps killing its process.
 * A stall here means a crashed, killed or redeployed worker rather than a bad job, and every job is
 * idempotent, so BullMQ's default of 1 would fail good jobs after two unlucky deploys.
 */
const MAX_STALLED_COUNT = 3;

/**
 * Runs the BullMQ workers of both queues and the two Job Schedulers (`sweep-due-tokens`, `sweep-inbox`),
 * reconciles the due-time index at start-up, and on shutdown lets in-flight jobs finish before closing.
 */
@Injectable()
export class QueueRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QueueRunner');
  private readonly workers: Worker[] = [];
  private readonly stopping = new AbortController();
  /** Settles when the start-up reconciliation is done (null if it failed; the next start tries again). */
  reconciled: Promise<ReconcileReport | null> = Promise.resolve(null);

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REFRESH_QUEUE) private readonly refreshQueue: Queue,
    @Inject(CALLBACK_QUEUE) private readonly callbackQueue: Queue,
    private readonly jobs: WorkerJobs,
    private readonly events: CallbackEventProcessor,
    private readonly reconciler: ScheduleReconciler,
    private readonly metrics: WorkerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    checkJobHandlers(this.jobs.handlers);
    await this.upsertSchedulers();
    // Job Schedulers live in Redis: a Redis restarted without its data has none. Upserting is idempotent, so
    // every reconnect puts them back and re-runs the reconciliation, which refills a lost due-time index.
    this.redis.on('ready', () => {
      if (this.stopping.signal.aborted) return;
      this.upsertSchedulers()
        .then(() => this.reconciler.reconcile(this.stopping.signal))
        .catch((err: unknown) => this.logger.warn({ msg: 'could not restore schedulers after a Redis reconnect', error: String(err) }));
    });
    const perMinute = this.config.WECOM_CALLS_PER_MINUTE;
    this.workers.push(
      this.startWorker(QueueName.TokenRefresh, this.refreshQueue, refreshLimiter(perMinute)),
      this.startWorker(QueueName.CallbackEvents, this.callbackQueue, callbackLimiter(perMinute)),
    );
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
  }

  /** SIGTERM: stop taking jobs and wait for the running ones; a job cut short by a kill is taken back as stalled. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.workers.map((w) => w.close()));
    await this.reconciled;
    await Promise.all([this.refreshQueue.close(), this.callbackQueue.close()]);
  }

  private startWorker(name: QueueName, queue: Queue, limiter: { max: number; duration: number }): Worker {
    const options: WorkerOptions = {
      connection: this.redis,
      prefix: bullPrefix({ prefix: this.config.REDIS_PREFIX }),
      concurrency: this.config.WORKER_CONCURRENCY,
      limiter,
      // A WeCom call is bounded by WECOM_TIMEOUT_MS, so a healthy job is short; the lock is renewed every
      // half period while the process lives. A SIGKILLed worker's job is taken back within about
      // lockDuration + stalledInterval (one minute by default; a token due now still has 15 minutes left).
      lockDuration: this.config.JOB_LOCK_DURATION_MS,
      stalledInterval: this.config.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
    };
    const worker = new Worker(name, (job: Job) => this.run(name, queue, job), options);
    worker.on('error', (err) => this.logger.warn({ msg: 'queue worker error', queue: name, error: err.message }));
    worker.on('stalled', (jobId) => this.logger.warn({ msg: 'job stalled and was taken back', queue: name, jobId }));
    worker.on('failed', (job, err) => {
      if (job?.name === 'process-callback-event' && /stalled more than allowable limit/.test(err.message)) {
        void this.events.markGivenUp(String(job.data.eventId), err.message).catch(() => undefined);
      }
    });
    return worker;
  }

  private async run(queueName: QueueName, queue: Queue, job: Job): Promise<unknown> {
    const name = job.name as JobName;
    if (QUEUE_OF_JOB[name] !== queueName) throw new UnrecoverableError(`no handler for job ${job.name} on queue ${queueName}`);
    const handler = this.jobs.handlers[name] as JobHandler<JobName>;
    try {
      return await handler(job as Job<JobOf<JobName>, unknown, JobName>);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      // 45009: WeCom locks the caller out for a minute. Pause the whole queue (every worker process) and put
      // the job back without counting an attempt, instead of retrying into the lockout.
      this.metrics.rateLimited.inc({ queue: queueName });
      this.logger.warn({ msg: 'WeCom rate limit hit; pausing the queue', queue: queueName, pauseMs: this.config.WECOM_RATE_LIMIT_PAUSE_MS, errcode: err.errcode });
      await queue.rateLimit(this.config.WECOM_RATE_LIMIT_PAUSE_MS);
      throw Worker.RateLimitError();
    }
  }
}
