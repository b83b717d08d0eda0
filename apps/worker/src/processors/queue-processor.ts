import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, Type } from '@nestjs/common';
import { Job, Queue, UnrecoverableError, Worker, WorkerOptions } from 'bullmq';
import type { WorkerConfig } from '@app/config';
import { JobName, JobOf, QUEUE_OF_JOB, QueueName } from '@app/queues';
import { RateLimitedError } from '@app/wecom';
import { JobHandler, WorkerJobs } from '../job-handlers.js';
import { WorkerMetrics } from '../worker-metrics.js';

/**
 * A job taken back after a stall is run again; the limit only stops a job that keeps killing its process.
 * A stall here means a crashed, killed or redeployed worker rather than a bad job, and every job is
 * idempotent, so BullMQ's default of 1 would fail good jobs after two unlucky deploys.
 */
const MAX_STALLED_COUNT = 3;

/**
 * The BullMQ worker settings of a queue, from the configuration: concurrency, a job limiter (if any), and the
 * lock and stall settings. A WeCom call is bounded by WECOM_TIMEOUT_MS, so a healthy job is short; the lock
 * is renewed every half period while the process lives. A SIGKILLed worker's job is taken back within about
 * lockDuration + stalledInterval (one minute by default; a token due now still has 15 minutes left).
 */
export function workerOptions(config: WorkerConfig, limiter: { max: number; duration: number } | undefined, concurrency = config.WORKER_CONCURRENCY): WorkerOptions {
  return {
    concurrency,
    ...(limiter ? { limiter } : {}),
    lockDuration: config.JOB_LOCK_DURATION_MS,
    stalledInterval: config.JOB_STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
  } as WorkerOptions;
}

/**
 * `@Processor(queue, options)` applied to a subclass made for this process's configuration: Nest's decorator
 * takes static options, while concurrency, limiter and lock settings come from the validated environment.
 */
export function configuredProcessor<T extends QueueProcessor>(base: Type<T>, queue: QueueName, options: WorkerOptions): { provide: Type<T>; useClass: Type<T> } {
  const configured = class extends (base as new (...args: never[]) => object) {};
  Processor(queue, options)(configured);
  return { provide: base, useClass: configured as unknown as Type<T> };
}

/**
 * Runs a queue's jobs: each job name goes to its one handler (`WorkerJobs`). On WeCom's 45009 (the caller is
 * locked out for a minute) it pauses the whole queue, in every worker process, and puts the job back without
 * counting an attempt, instead of retrying into the lockout.
 */
export abstract class QueueProcessor extends WorkerHost {
  protected readonly logger = new Logger('QueueRunner');

  constructor(
    private readonly queueName: QueueName,
    private readonly queue: Queue,
    private readonly jobs: WorkerJobs,
    private readonly metrics: WorkerMetrics,
    private readonly rateLimitPauseMs: number,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as JobName;
    if (QUEUE_OF_JOB[name] !== this.queueName) throw new UnrecoverableError(`no handler for job ${job.name} on queue ${this.queueName}`);
    const handler = this.jobs.handlers[name] as JobHandler<JobName>;
    try {
      return await handler(job as Job<JobOf<JobName>, unknown, JobName>);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      this.metrics.rateLimited.inc({ queue: this.queueName });
      this.logger.warn({ msg: 'WeCom rate limit hit; pausing the queue', queue: this.queueName, pauseMs: this.rateLimitPauseMs, errcode: err.errcode });
      await this.queue.rateLimit(this.rateLimitPauseMs);
      throw Worker.RateLimitError();
    }
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn({ msg: 'queue worker error', queue: this.queueName, error: err.message });
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.logger.warn({ msg: 'job stalled and was taken back', queue: this.queueName, jobId });
  }
}
