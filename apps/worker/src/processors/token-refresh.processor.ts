import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { QueueName } from '@app/queues';
import { WorkerJobs } from '../job-handlers.js';
import { WorkerMetrics } from '../worker-metrics.js';
import { QueueProcessor } from './queue-processor.js';

/** The `token-refresh` queue: the five `refresh-*` jobs and the `sweep-due-tokens` tick. */
@Injectable()
export class TokenRefreshProcessor extends QueueProcessor {
  constructor(@InjectQueue(QueueName.TokenRefresh) queue: Queue, @Inject(APP_CONFIG) config: WorkerConfig, jobs: WorkerJobs, metrics: WorkerMetrics) {
    super(QueueName.TokenRefresh, queue, jobs, metrics, config.WECOM_RATE_LIMIT_PAUSE_MS);
  }
}
