import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '@app/config';
import { EventPublisher, TenantSuspendedListener, WebhookSender } from '@app/events';
import { REDIS } from '@app/queues';
import { DeliverWebhookJob } from './deliver-webhook.job.js';
import { EndpointSlots } from './endpoint-slots.js';
import { SweepWebhooksJob } from './sweep-webhooks.job.js';
import { WebhookMetrics } from './webhook-metrics.js';

/** Event publishing and webhook delivery, wired for the worker (the queue comes from QueuesModule). */
export function webhookProviders(config: WorkerConfig): Provider[] {
  return [
    {
      provide: WebhookSender,
      useFactory: () => new WebhookSender({ allowHttp: config.WEBHOOK_ALLOW_HTTP, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS, timeoutMs: config.WEBHOOK_TIMEOUT_MS }),
    },
    { provide: EndpointSlots, inject: [REDIS], useFactory: (redis: Redis) => new EndpointSlots(redis, config.REDIS_PREFIX) },
    WebhookMetrics,
    EventPublisher,
    TenantSuspendedListener,
    DeliverWebhookJob,
    SweepWebhooksJob,
  ];
}
