import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { enqueueCallbackEvents } from '@app/queues';
import { CallbackEventRepository } from '@app/store';
import { CALLBACK_QUEUE } from '../worker-tokens.js';

const BATCH = 500;
const MAX_BATCHES_PER_TICK = 20;

/**
 * The `sweep-inbox` tick: events the callback app stored but could not enqueue (Redis was away) are queued
 * here. The job id is the event id, so racing the callback app's own enqueue yields one job.
 */
@Injectable()
export class InboxSweeper {
  private readonly logger = new Logger('InboxSweep');

  constructor(
    private readonly events: CallbackEventRepository,
    @Inject(CALLBACK_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async sweep(now = Date.now()): Promise<{ enqueued: number }> {
    const before = new Date(now - this.config.INBOX_SWEEP_GRACE_MS);
    let enqueued = 0;
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
      const events = await this.events.findUnqueued(before, BATCH);
      if (!events.length) break;
      await enqueueCallbackEvents(this.queue, events);
      await this.events.markQueued(events.map((e) => e.id));
      enqueued += events.length;
      if (events.length < BATCH) break;
    }
    if (enqueued) this.logger.log({ msg: 'queued stored events that had not reached the queue', count: enqueued });
    return { enqueued };
  }
}
