import type { Provider } from '@nestjs/common';
import { EventPublisher } from '@app/events';
import { AdminWebhooksController } from './admin-webhooks.controller.js';
import { EventStreamController } from './event-stream.controller.js';
import { EventStreamService } from './event-stream.service.js';
import { WebhooksAdminService } from './webhooks-admin.service.js';

export const webhookControllers = [AdminWebhooksController, EventStreamController];

/** Endpoints admin, the pull API, and the publisher the install flow uses for `tenant.installed`. */
export const webhookProviders: Provider[] = [EventPublisher, WebhooksAdminService, EventStreamService];
