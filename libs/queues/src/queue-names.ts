/**
 * Queue and job names are stored in Redis with every job: NEVER rename one, only add.
 * Payloads are keyed by job name; producers and processors share these types.
 */
export enum QueueName {
  CallbackEvents = 'callback-events',
  TokenRefresh = 'token-refresh',
  WebhookDeliveries = 'webhook-deliveries',
}

export interface JobPayloads {
  /** One stored inbox event; the job id is `callbackEventJobId(eventId)`. */
  'process-callback-event': { eventId: string; suiteId: string };
  'refresh-suite-token': { suiteId: string };
  'refresh-provider-token': { suiteId: string };
  'refresh-corp-token': { suiteId: string; corpId: string };
  'refresh-jsapi-ticket': { suiteId: string; corpId: string };
  'refresh-agent-ticket': { suiteId: string; corpId: string };
  /** Scheduler tick: moves due tokens from the due-time index into refresh jobs. */
  'sweep-due-tokens': Record<string, never>;
  /** The once-per-cluster walk that refills the due-time index; job id `RECONCILE_SCHEDULE_JOB_ID`, cursor in its progress. */
  'reconcile-schedule': Record<string, never>;
  /** Scheduler tick: enqueues stored callback events that never reached the queue. */
  'sweep-inbox': Record<string, never>;
  /** Scheduler tick: deletes finished inbox events, install sessions and auth_code claims past their retention. */
  'purge-retention': Record<string, never>;
  /** One attempt of one webhook delivery (a `WebhookDelivery` row); the job id is `webhookJobId(...)`. */
  /** `deferrals`: how often this attempt already waited for a busy endpoint (its back-off grows with it). */
  'deliver-webhook': { deliveryId: string; deferrals?: number };
  /** Scheduler tick: queues deliveries that are due but whose job was lost. */
  'sweep-webhooks': Record<string, never>;
  /** Scheduler tick: reconciles the next batch of tenants' account licenses with WeCom (resumable pass). */
  'reconcile-licenses': Record<string, never>;
  /** Scheduler tick: publishes `license.expiring` for accounts entering an expiry window; refreshes the license gauges. */
  'notify-license-expiry': Record<string, never>;
}

export type JobName = keyof JobPayloads;
export type JobOf<N extends JobName> = JobPayloads[N];

export const QUEUE_OF_JOB: { readonly [N in JobName]: QueueName } = {
  'process-callback-event': QueueName.CallbackEvents,
  'refresh-suite-token': QueueName.TokenRefresh,
  'refresh-provider-token': QueueName.TokenRefresh,
  'refresh-corp-token': QueueName.TokenRefresh,
  'refresh-jsapi-ticket': QueueName.TokenRefresh,
  'refresh-agent-ticket': QueueName.TokenRefresh,
  'sweep-due-tokens': QueueName.TokenRefresh,
  'reconcile-schedule': QueueName.TokenRefresh,
  'sweep-inbox': QueueName.CallbackEvents,
  'purge-retention': QueueName.CallbackEvents,
  'deliver-webhook': QueueName.WebhookDeliveries,
  'sweep-webhooks': QueueName.WebhookDeliveries,
  'reconcile-licenses': QueueName.CallbackEvents,
  'notify-license-expiry': QueueName.CallbackEvents,
};

/** One reconciliation job per cluster: adding a job whose id exists (waiting, active, delayed) is a no-op in BullMQ. */
export const RECONCILE_SCHEDULE_JOB_ID = 'reconcile-schedule';

/** BullMQ refuses purely numeric custom ids, so inbox ids get a prefix. */
export function callbackEventJobId(eventId: bigint | string): string {
  return `evt-${eventId}`;
}

/**
 * One job per attempt of a delivery: adding the same attempt twice (publisher and sweeper racing) yields one job.
 * `tag` distinguishes a resend, which starts the attempt count over.
 */
export function webhookJobId(deliveryId: bigint | string, attempts: number, tag = ''): string {
  return `dlv-${deliveryId}-${attempts}${tag ? `-${tag}` : ''}`;
}
