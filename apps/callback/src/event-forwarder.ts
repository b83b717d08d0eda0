import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CallbackEventRepository } from '@app/store';
import { enqueueCallbackEvents, QueueName } from '@app/queues';

const MAX_BATCH = 200;
/**
 * How long the first event of a batch waits for others. Each batch costs an addBulk pipeline and an UPDATE (a
 * PostgreSQL commit) whatever its size: at 1,000 callbacks/s 2 ms made batches of ~2. The worker sees an event this
 * much later at most; the callback's answer does not wait for it.
 */
const LINGER_MS = 20;
const ENQUEUE_TIMEOUT_MS = 1500;
const WARN_EVERY_MS = 30_000;

/**
 * Hands stored events to the worker after the callback is answered, a few milliseconds' worth at a time:
 * one addBulk and one UPDATE per batch instead of per event. If Redis is away the events stay `received`
 * in the inbox and the worker's sweeper enqueues them later; nothing is lost, nothing waits.
 */
@Injectable()
export class EventForwarder implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventForwarder.name);
  private pending: { id: bigint; suiteId: string; type: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastWarnAt = 0;

  constructor(
    @InjectQueue(QueueName.CallbackEvents) private readonly queue: Queue,
    private readonly events: CallbackEventRepository,
  ) {}

  forward(event: { id: bigint; suiteId: string; type: string }): void {
    this.pending.push(event);
    if (this.pending.length >= MAX_BATCH) this.flushSoon(0);
    else if (!this.timer) this.flushSoon(LINGER_MS);
  }

  private flushSoon(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    try {
      await withTimeout(enqueueCallbackEvents(this.queue, batch), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      this.warn(`could not enqueue ${batch.length} events; the worker's sweeper will: ${errorText(err)}`);
      return;
    }
    try {
      await this.events.markQueued(batch.map((e) => e.id));
    } catch (err) {
      // The jobs exist; the sweeper may enqueue these again, and the job id makes that a no-op.
      this.warn(`enqueued ${batch.length} events but could not mark them queued: ${errorText(err)}`);
    }
  }

  private warn(msg: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(msg);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
