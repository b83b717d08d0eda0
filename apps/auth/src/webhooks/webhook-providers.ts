import type { Provider } from '@nestjs/common';
import { EventPublisher, TenantSuspendedListener } from '@app/events';
import { AdminWebhooksController } from './admin-webhooks.controller.js';
import { EventStreamController } from './event-stream.controller.js';
import { EventStreamService } from './event-stream.service.js';
import { WebhooksAdminService } from './webhooks-admin.service.js';

export const webhookControllers = [AdminWebhooksController, EventStreamController];

/** Endpoints admin, the pull API, the publisher the install flow uses for `tenant.installed`, `tenant.suspended` from the broker. */
export const webhookProviders: Provider[] = [EventPublisher, TenantSuspendedListener, WebhooksAdminService, EventStreamService];
