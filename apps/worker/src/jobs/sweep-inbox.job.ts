import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { enqueueCallbackEvents, enqueueReplay, QueueName } from '@app/queues';
import { CallbackEventRepository } from '@app/store';

const BATCH = 500;
const MAX_BATCHES_PER_TICK = 20;

/**
 * The `sweep-inbox` tick: events the callback app stored but could not enqueue (Redis was away) are queued
 * here, and events queued long ago but never processed are added again (Redis lost them). The job id is the
 * event id, so racing the callback app's own enqueue, or a job that still exists, yields one job.
 */
@Injectable()
export class SweepInboxJob {
  private readonly logger = new Logger('InboxSweep');

  constructor(
    private readonly events: CallbackEventRepository,
    @InjectQueue(QueueName.CallbackEvents) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async sweep(now = Date.now()): Promise<{ enqueued: number; requeued: number; released: number; orphaned: number }> {
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
    const requeued = await this.requeueStale(now);
    const { released, orphaned } = await this.resolveAwaitingTenant(now);
    return { enqueued, requeued, released, orphaned };
  }

  /**
   * Data callbacks that arrived before their tenant existed: processed once it does (a new job id each: their
   * first job is complete), marked orphan after INBOX_ORPHAN_AFTER_SECONDS without one.
   */
  private async resolveAwaitingTenant(now: number): Promise<{ released: number; orphaned: number }> {
    const { released, orphaned } = await this.events.resolveAwaitingTenant(new Date(now - this.config.INBOX_ORPHAN_AFTER_SECONDS * 1000), BATCH);
    for (const event of released) await enqueueReplay(this.queue, event);
    if (released.length) this.logger.log({ msg: 'data callbacks whose tenant now exists are queued', count: released.length });
    if (orphaned) this.logger.warn({ msg: 'data callbacks without a tenant after the retention window marked orphan', count: orphaned });
    return { released: released.length, orphaned };
  }

  /** Queued long ago and still not processed: if Redis lost the job (restart without persistence), add it again. */
  private async requeueStale(now: number): Promise<number> {
    const stale = await this.events.findStaleQueued(new Date(now - this.config.INBOX_REQUEUE_AFTER_SECONDS * 1000), BATCH);
    if (!stale.length) return 0;
    await enqueueCallbackEvents(this.queue, stale);
    await this.events.touchQueued(stale.map((e) => e.id));
    this.logger.log({ msg: 're-added long-queued events (a no-op for jobs Redis still holds)', count: stale.length });
    return stale.length;
  }
}
