import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { platformEventId, retryDelayMs, signWebhook, verdictOf, WebhookSender } from '@app/events';
import { enqueueWebhookDeliveries, QueueName } from '@app/queues';
import { AttemptOutcome, WebhookDelivery, WebhookDeliveryRepository, WebhookEndpoint, WebhookEndpointRepository } from '@app/store';
import { EndpointSlots } from './endpoint-slots.js';
import { WebhookMetrics } from './webhook-metrics.js';

export type DeliverOutcome = 'delivered' | 'retry' | 'failed' | 'endpoint_gone' | 'not_due' | 'endpoint_busy' | 'ordering' | 'endpoint_disabled';

/**
 * A delivery finding its endpoint at its concurrency cap waits 100 ms, then twice as long each time, up to 5 s
 * (jittered up to twice): a slow or hanging receiver is not polled by every waiting delivery at once.
 */
const BUSY_RETRY_MS = 100;
const BUSY_RETRY_MAX_MS = 5000;
/** How long a delivery waiting for an earlier event of its corp waits before looking again, ms. */
const ORDERING_RECHECK_MS = 5000;

/**
 * `deliver-webhook`: one attempt of one delivery. Claims the row (so one worker at a time attempts it, and a
 * stale or duplicate job does nothing), takes a slot of the endpoint's concurrency cap, signs the stored body
 * with the endpoint's secrets (Standard Webhooks; `webhook-id` = the event id, the same on every attempt) and
 * POSTs it. 2xx: delivered. 410: the endpoint is disabled, the delivery stays owed. A target the sender refuses
 * (`blocked_target`: an address outside WEBHOOK_ALLOW_PRIVATE_TARGETS, or http without WEBHOOK_ALLOW_HTTP) fails
 * the delivery at once, its reason in `lastError`. Anything else: the next attempt is scheduled by WEBHOOK_RETRY_SCHEDULE_SECONDS, or the delivery is `failed` after the last; an
 * endpoint with no 2xx for WEBHOOK_DISABLE_AFTER_HOURS is disabled.
 */
@Injectable()
export class DeliverWebhookJob {
  private readonly logger = new Logger('Webhooks');
  private readonly claimMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly sender: WebhookSender,
    private readonly slots: EndpointSlots,
    private readonly metrics: WebhookMetrics,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly queue: Queue,
  ) {
    // The claim outlives the attempt's timeout; a worker killed mid-attempt leaves a claim that expires.
    this.claimMs = config.WEBHOOK_TIMEOUT_MS + 5_000;
  }

  async handle(job: { data: { deliveryId: string; deferrals?: number } }): Promise<DeliverOutcome> {
    const claimed = await this.deliveries.claimForAttempt(BigInt(job.data.deliveryId), this.claimMs);
    if (!claimed) return this.deferred('not_due');
    const { delivery, endpoint, envelope } = claimed;
    if (!endpoint || !endpoint.enabled) {
      // Stays owed: re-enabling the endpoint (or a replay) sends it. Deleting the endpoint deletes its deliveries.
      await this.deliveries.release(delivery.id, new Date());
      return this.deferred('endpoint_disabled');
    }
    if (endpoint.orderedByCorp && delivery.corpId && (await this.deliveries.hasEarlierOpen(delivery))) {
      return this.defer(delivery, ORDERING_RECHECK_MS, 'ordering');
    }
    const deliveryKey = String(delivery.id);
    if (!(await this.slots.acquire(endpoint.id, deliveryKey, endpoint.maxConcurrency, this.claimMs))) {
      const deferrals = job.data.deferrals ?? 0;
      const wait = Math.min(BUSY_RETRY_MAX_MS, BUSY_RETRY_MS * 2 ** deferrals) * (1 + Math.random());
      return this.defer(delivery, wait, 'endpoint_busy', deferrals + 1);
    }
    try {
      return await this.attempt(delivery, endpoint, envelope);
    } finally {
      await this.slots.release(endpoint.id, deliveryKey).catch(() => undefined);
    }
  }

  private async attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, envelope: string): Promise<DeliverOutcome> {
    const msgId = platformEventId(delivery.eventId);
    const body = `{"id":${JSON.stringify(msgId)},${envelope.slice(1)}`;
    const headers = signWebhook(this.endpoints.signingSecrets(endpoint), msgId, body, new Date());
    const result = await this.sender.send(endpoint.url, body, headers);
    const verdict = verdictOf(result.status);
    const attemptNo = delivery.attempts + 1;
    const lastError = result.error === 'blocked_target' ? blockedReason(result.excerpt) : result.error ? `${result.error}: ${result.excerpt}` : `HTTP ${result.status}`;
    let outcome: AttemptOutcome;
    let label: DeliverOutcome;
    let nextDelay: number | null = null;
    if (verdict === 'delivered') {
      outcome = { status: 'delivered' };
      label = 'delivered';
    } else if (result.error === 'blocked_target') {
      // The target policy refuses this address: no later attempt can succeed under it, so none is scheduled.
      outcome = { status: 'failed', lastError };
      label = 'failed';
    } else if (verdict === 'endpoint_gone') {
      outcome = { status: 'pending', nextAttemptAt: new Date(), lastError };
      label = 'endpoint_gone';
    } else {
      nextDelay = retryDelayMs(this.config.WEBHOOK_RETRY_SCHEDULE_SECONDS, attemptNo);
      outcome = nextDelay === null ? { status: 'failed', lastError } : { status: 'pending', nextAttemptAt: new Date(Date.now() + nextDelay), lastError };
      label = nextDelay === null ? 'failed' : 'retry';
    }
    await this.deliveries.recordAttempt(delivery, { status: result.status, durationMs: result.durationMs, error: result.error ?? null, excerpt: result.excerpt }, outcome);
    this.metrics.attempts.inc({ outcome: label });
    this.metrics.attemptDuration.observe({ outcome: label }, result.durationMs / 1000);
    const line = { deliveryId: String(delivery.id), eventId: msgId, endpointId: endpoint.id, suiteId: delivery.suiteId, corpId: delivery.corpId, attempt: attemptNo, status: result.status, outcome: label };

    if (label === 'delivered') {
      this.metrics.deliveryLatency.observe((Date.now() - Date.parse((JSON.parse(envelope) as { receivedAt: string }).receivedAt)) / 1000);
      if (endpoint.failingSince) await this.endpoints.markHealthy(endpoint.id);
      this.logger.debug({ msg: 'webhook delivered', ...line });
    } else if (label === 'endpoint_gone') {
      await this.disable(endpoint, 'gone', 'the receiver answered 410 Gone');
    } else {
      const since = await this.endpoints.markFailing(endpoint.id, new Date());
      if (Date.now() - since.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000) {
        await this.disable(endpoint, 'failing', `no 2xx since ${since.toISOString()}`);
      }
      if (label === 'retry') {
        await enqueueWebhookDeliveries(this.queue, [{ id: delivery.id, attempts: attemptNo, delayMs: nextDelay ?? 0 }]);
        this.logger.log({ msg: 'webhook attempt failed; will retry', nextInMs: nextDelay, error: lastError.slice(0, 200), ...line });
      } else {
        this.logger.warn({ msg: 'webhook delivery failed for good; resendable from the admin API', error: lastError.slice(0, 200), ...line });
      }
    }
    if (endpoint.orderedByCorp && delivery.corpId && (label === 'delivered' || label === 'failed')) {
      const next = await this.deliveries.promoteNextForCorp(delivery);
      if (next) await enqueueWebhookDeliveries(this.queue, [next], `o${Date.now()}`);
    }
    return label;
  }

  /** Gives the claim back and asks again later (job ids carry a tag: this job's own id is still active). */
  private async defer(delivery: WebhookDelivery, delayMs: number, reason: 'endpoint_busy' | 'ordering', deferrals = 0): Promise<DeliverOutcome> {
    const at = new Date(Date.now() + delayMs);
    await this.deliveries.release(delivery.id, at);
    await enqueueWebhookDeliveries(this.queue, [{ id: delivery.id, attempts: delivery.attempts, delayMs: Math.round(delayMs), deferrals }], `w${at.getTime()}`);
    return this.deferred(reason);
  }

  private deferred(reason: DeliverOutcome): DeliverOutcome {
    this.metrics.deferred.inc({ reason });
    return reason;
  }

  private async disable(endpoint: WebhookEndpoint, reason: 'gone' | 'failing', detail: string): Promise<void> {
    if (!(await this.endpoints.disable(endpoint.id, detail))) return;
    this.metrics.endpointsDisabled.inc({ reason });
    this.logger.error({ msg: 'webhook endpoint disabled; enable it again from the admin API', endpointId: endpoint.id, suiteId: endpoint.suiteId, reason: detail });
  }
}

/** The deliveries list's `lastError` for a refused target: what happened, why it is final, what would change it. */
function blockedReason(excerpt: string): string {
  return `blocked_target: the platform does not send to this address (not public, or not allowed by WEBHOOK_ALLOW_PRIVATE_TARGETS / WEBHOOK_ALLOW_HTTP); failed without retries, resend after fixing the URL or the policy (${excerpt})`;
}
