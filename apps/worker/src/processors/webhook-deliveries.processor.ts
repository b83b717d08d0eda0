import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { QueueName } from '@app/queues';
import { WorkerJobs } from '../job-handlers.js';
import { WorkerMetrics } from '../worker-metrics.js';
import { QueueProcessor } from './queue-processor.js';

/**
 * The `webhook-deliveries` queue: `deliver-webhook` and the `sweep-webhooks` tick. Webhooks call the vendor, not
 * WeCom: no WeCom limiter; each endpoint has its own cap (EndpointSlots), and WEBHOOK_CONCURRENCY bounds a process.
 */
@Injectable()
export class WebhookDeliveriesProcessor extends QueueProcessor {
  constructor(@InjectQueue(QueueName.WebhookDeliveries) queue: Queue, @Inject(APP_CONFIG) config: WorkerConfig, jobs: WorkerJobs, metrics: WorkerMetrics) {
    super(QueueName.WebhookDeliveries, queue, jobs, metrics, config.WECOM_RATE_LIMIT_PAUSE_MS);
  }
}
