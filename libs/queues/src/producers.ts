import { randomBytes } from 'node:crypto';
import { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { callbackEventJobId, JobName, JobOf, QueueName, webhookJobId } from './queue-names.js';

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

/** The tenant lifecycle: an install's auth_code expires in 600 s, so these never wait behind chat traffic. */
export const LIFECYCLE_EVENT_TYPES: ReadonlySet<string> = new Set(['create_auth', 'change_auth', 'cancel_auth', 'reset_permanent_code']);

/**
 * BullMQ takes unprioritised jobs before prioritised ones: lifecycle events go unprioritised, every other
 * callback event (messages, contact changes: no WeCom call, no deadline) with this priority, so an install
 * is processed next however many data events are queued.
 */
export const BULK_EVENT_PRIORITY = 10;

/** The job options of one inbox event: its id as job id, and its place in line by type (undefined: lifecycle). */
export function callbackEventJobOptions(event: { id: bigint | string; type?: string }, jobId = callbackEventJobId(event.id)): JobsOptions {
  const lifecycle = event.type === undefined || LIFECYCLE_EVENT_TYPES.has(event.type);
  return { ...CALLBACK_EVENT_JOB_OPTIONS, jobId, ...(lifecycle ? {} : { priority: BULK_EVENT_PRIORITY }) };
}

/**
 * Hands stored inbox events to the worker. The job id is the event id, so enqueuing the same event twice
 * (intake and sweeper racing) yields one job. `type` (the inbox row's) puts lifecycle events ahead.
 */
export async function enqueueCallbackEvents(
  queue: Queue,
  events: readonly { id: bigint | string; suiteId: string; type?: string }[],
): Promise<void> {
  if (!events.length) return;
  const name: JobName = 'process-callback-event';
  await queue.addBulk(
    events.map((e) => {
      const data: JobOf<'process-callback-event'> = { eventId: String(e.id), suiteId: e.suiteId };
      return { name, data, opts: callbackEventJobOptions(e) };
    }),
  );
}

/**
 * Puts one inbox event back on the queue for an admin replay. The event's own job id may still be held by its
 * completed or failed job, so a replay gets a new id; the worker processes by event id and is idempotent.
 * Returns the job id.
 */
export async function enqueueReplay(queue: Queue, event: { id: bigint | string; suiteId: string }, now = Date.now()): Promise<string> {
  // Two replays in one millisecond must not share an id: BullMQ would silently drop the second.
  const jobId = `${callbackEventJobId(event.id)}-replay-${now}-${randomBytes(3).toString('hex')}`;
  const data: JobOf<'process-callback-event'> = { eventId: String(event.id), suiteId: event.suiteId };
  const name: JobName = 'process-callback-event';
  await queue.add(name, data, { ...CALLBACK_EVENT_JOB_OPTIONS, jobId });
  return jobId;
}

export type RefreshJobName =
  | 'refresh-suite-token'
  | 'refresh-provider-token'
  | 'refresh-corp-token'
  | 'refresh-jsapi-ticket'
  | 'refresh-agent-ticket';

export type RefreshJob = { [N in RefreshJobName]: { name: N; data: JobOf<N> } }[RefreshJobName];

/**
 * Attempts and backoff for token refreshes, in one place. Jobs are removed once finished, failed ones too:
 * the job id names the token, and BullMQ ignores an add whose id still exists in any state, so a kept job
 * would block that token's next refresh. The due-time index, not the job, is the record of what is owed.
 */
export const REFRESH_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: true,
};

/**
 * BullMQ takes unprioritised jobs first, so the scheduler's sweep ticks (no priority) never wait behind a
 * backlog of refreshes; among refreshes, suite tokens go first because corp tokens are fetched with them.
 */
export const REFRESH_JOB_PRIORITY: { readonly [N in RefreshJobName]: number } = {
  'refresh-suite-token': 1,
  'refresh-provider-token': 2,
  'refresh-corp-token': 3,
  'refresh-jsapi-ticket': 4,
  'refresh-agent-ticket': 4,
};

/**
 * One id per token (`refresh-corp-token|suite|corp`), so a token already waiting, retrying or running is not
 * queued twice. BullMQ refuses purely numeric ids and ids with ':'; '|' is neither.
 */
export function refreshJobId(job: RefreshJob): string {
  const corpId = 'corpId' in job.data ? job.data.corpId : '';
  return `${job.name}|${job.data.suiteId}|${corpId}`;
}

/** Queues refresh jobs for due tokens; a token whose job already exists is skipped by BullMQ. */
export async function enqueueTokenRefreshes(queue: Queue, jobs: readonly RefreshJob[]): Promise<void> {
  if (!jobs.length) return;
  await queue.addBulk(
    jobs.map((job) => ({
      name: job.name,
      data: job.data,
      opts: { ...REFRESH_JOB_OPTIONS, jobId: refreshJobId(job), priority: REFRESH_JOB_PRIORITY[job.name] },
    })),
  );
}

/**
 * Webhook delivery jobs are prompts: the `WebhookDelivery` row is the record of what is owed, and the sweeper
 * re-queues a due row whose job was lost. Finished jobs are removed so that an id never blocks a later add.
 * A job fails only when our side does (database down); BullMQ retries it a few times, then the sweeper.
 */
export const WEBHOOK_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.3 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** Queues attempts of webhook deliveries, each after `delayMs` (0 = now). `tag` marks a resend or replay. */
export async function enqueueWebhookDeliveries(
  queue: Queue,
  deliveries: readonly { id: bigint | string; attempts: number; delayMs?: number; deferrals?: number }[],
  tag = '',
): Promise<void> {
  if (!deliveries.length) return;
  const name: JobName = 'deliver-webhook';
  await queue.addBulk(
    deliveries.map((d) => {
      const data: JobOf<'deliver-webhook'> = d.deferrals ? { deliveryId: String(d.id), deferrals: d.deferrals } : { deliveryId: String(d.id) };
      return { name, data, opts: { ...WEBHOOK_JOB_OPTIONS, jobId: webhookJobId(d.id, d.attempts, tag), delay: d.delayMs && d.delayMs > 0 ? d.delayMs : undefined } };
    }),
  );
}
