import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { enqueueWebhookDeliveries, QueueName } from '@app/queues';
import { WebhookDeliveryRepository } from '@app/store';

const BATCH = 1000;

/**
 * `sweep-webhooks` (Job Scheduler): queues deliveries that are due but have no job — Redis lost its data, a
 * process died between storing the rows and queuing them, or a worker was killed mid-attempt (its claim ran out).
 * Re-adding an attempt whose job still exists is a no-op (same job id), and the row claim stops a double attempt.
 */
@Injectable()
export class SweepWebhooksJob {
  private readonly logger = new Logger('WebhookSweeper');

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly queue: Queue,
  ) {}

  async handle(): Promise<{ queued: number }> {
    const overdue = await this.deliveries.findOverdue(this.config.WEBHOOK_SWEEP_GRACE_MS, BATCH);
    if (!overdue.length) return { queued: 0 };
    // Same ids as the attempts' own jobs: a job still waiting absorbs the add, so a backlog is not queued twice.
    await enqueueWebhookDeliveries(this.queue, overdue);
    this.logger.log({ msg: 'queued overdue webhook deliveries', count: overdue.length });
    return { queued: overdue.length };
  }
}
