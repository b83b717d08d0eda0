import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { callbackEventJobId, JobName, JobOf, QueueName } from './queue-names.js';

/** Attempts and backoff for callback processing, in one place. */
export const CALLBACK_EVENT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.3 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueue(name: QueueName, connection: Redis, prefix: string): Queue {
  return new Queue(name, { connection, prefix });
}

/**
 * Hands stored inbox events to the worker. The job id is the event id, so enqueuing the same event twice
 * (intake and sweeper racing) yields one job.
 */
export async function enqueueCallbackEvents(
  queue: Queue,
  events: readonly { id: bigint | string; suiteId: string }[],
): Promise<void> {
  if (!events.length) return;
  const name: JobName = 'process-callback-event';
  await queue.addBulk(
    events.map((e) => {
      const data: JobOf<'process-callback-event'> = { eventId: String(e.id), suiteId: e.suiteId };
      return { name, data, opts: { ...CALLBACK_EVENT_JOB_OPTIONS, jobId: callbackEventJobId(e.id) } };
    }),
  );
}

/**
 * Puts one inbox event back on the queue for an admin replay. The event's own job id may still be held by its
 * completed or failed job, so a replay gets a new id; the worker processes by event id and is idempotent.
 * Returns the job id.
 */
export async function enqueueReplay(queue: Queue, event: { id: bigint | string; suiteId: string }, now = Date.now()): Promise<string> {
  const jobId = `${callbackEventJobId(event.id)}-replay-${now}`;
  const data: JobOf<'process-callback-event'> = { eventId: String(event.id), suiteId: event.suiteId };
  const name: JobName = 'process-callback-event';
  await queue.add(name, data, { ...CALLBACK_EVENT_JOB_OPTIONS, jobId });
  return jobId;
}
