import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '@app/platform';

/** Webhook delivery metrics; the gauges that need a query (deliveries by status, disabled endpoints) are read at scrape time. */
@Injectable()
export class WebhookMetrics {
  /** One per attempt: delivered, retry, failed (schedule exhausted), endpoint_gone (410). */
  readonly attempts: Counter<'outcome'>;
  readonly attemptDuration: Histogram<'outcome'>;
  /** From the callback's receipt to the receiver's 2xx, for first-attempt and retried deliveries alike. */
  readonly deliveryLatency: Histogram;
  /** The alert: endpoints the platform disabled (`gone` = 410, `failing` = no 2xx for WEBHOOK_DISABLE_AFTER_HOURS). */
  readonly endpointsDisabled: Counter<'reason'>;
  /** Jobs that found their delivery held elsewhere or not due, or deferred it (endpoint busy, ordering). */
  readonly deferred: Counter<'reason'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.attempts = new Counter({ name: 'wecom_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (delivered, retry, failed, endpoint_gone)', labelNames: ['outcome'], registers });
    this.attemptDuration = new Histogram({ name: 'wecom_webhook_attempt_seconds', help: 'Duration of one webhook POST, by outcome', labelNames: ['outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30], registers });
    this.deliveryLatency = new Histogram({ name: 'wecom_webhook_delivery_latency_seconds', help: 'From callback receipt to a 2xx from the receiver', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300, 3600, 86400], registers });
    this.endpointsDisabled = new Counter({ name: 'wecom_webhook_endpoints_disabled_total', help: 'Endpoints disabled by the platform, by reason (gone, failing)', labelNames: ['reason'], registers });
    this.deferred = new Counter({ name: 'wecom_webhook_deferred_total', help: 'Delivery jobs that did not attempt: not_due, endpoint_busy, ordering, endpoint_disabled', labelNames: ['reason'], registers });
  }
}
