import { InjectQueue, OnWorkerEvent } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { QueueName } from '@app/queues';
import { ProcessCallbackEventJob } from '../jobs/process-callback-event.job.js';
import { WorkerJobs } from '../job-handlers.js';
import { WorkerMetrics } from '../worker-metrics.js';
import { QueueProcessor } from './queue-processor.js';

/** The `callback-events` queue: `process-callback-event` and the `sweep-inbox` tick. */
@Injectable()
export class CallbackEventsProcessor extends QueueProcessor {
  constructor(
    @InjectQueue(QueueName.CallbackEvents) queue: Queue,
    @Inject(APP_CONFIG) config: WorkerConfig,
    jobs: WorkerJobs,
    metrics: WorkerMetrics,
    private readonly events: ProcessCallbackEventJob,
  ) {
    super(QueueName.CallbackEvents, queue, jobs, metrics, config.WECOM_RATE_LIMIT_PAUSE_MS);
  }

  /** A job that stalled too often is failed by BullMQ without our handler: keep the inbox row in step. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    if (job?.name === 'process-callback-event' && /stalled more than allowable limit/.test(err.message)) {
      void this.events.markGivenUp(String((job.data as { eventId: string }).eventId), err.message).catch(() => undefined);
    }
  }
}
