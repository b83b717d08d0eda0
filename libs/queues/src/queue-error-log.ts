import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QueueName } from './queue-names.js';

/** At most one warning per queue in this many ms: a Redis outage raises an error per command. */
const WARN_EVERY_MS = 10_000;

/**
 * Logs the queues' connection errors as JSON warnings. Without an 'error' listener BullMQ prints them raw with
 * `console.error` (stack traces outside the JSON log); the errors themselves are expected during a Redis outage and
 * handled by the callers (the inbox and delivery sweepers queue again whatever could not be queued).
 */
@Injectable()
export class QueueErrorLog implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private readonly lastWarnAt = new Map<string, number>();

  constructor(
    @InjectQueue(QueueName.CallbackEvents) private readonly callbackEvents: Queue,
    @InjectQueue(QueueName.TokenRefresh) private readonly tokenRefresh: Queue,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly webhookDeliveries: Queue,
  ) {}

  onModuleInit(): void {
    for (const queue of [this.callbackEvents, this.tokenRefresh, this.webhookDeliveries]) {
      queue.on('error', (err: Error) => this.warn(queue.name, err));
    }
  }

  private warn(queue: string, err: Error): void {
    const now = Date.now();
    if (now - (this.lastWarnAt.get(queue) ?? 0) < WARN_EVERY_MS) return;
    this.lastWarnAt.set(queue, now);
    this.logger.warn({ msg: 'queue connection error', queue, error: err.message });
  }
}
