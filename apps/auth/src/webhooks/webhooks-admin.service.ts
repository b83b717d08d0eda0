import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { checkEndpointTarget, EndpointUrlError, endpointWants, newSigningSecret, parsePlatformEventId, platformEventId, unknownEventTypes } from '@app/events';
import { enqueueWebhookDeliveries, QueueName } from '@app/queues';
import {
  endpointInfo,
  PlatformEventRepository,
  SuiteRepository,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryRepository,
  WebhookEndpoint,
  WebhookEndpointRepository,
} from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, Page, pageOf } from '../common/page.js';
import { unknownTypesMessage } from './event-stream.service.js';
import {
  AttemptDto,
  CreateEndpointDto,
  DeliveryDetailDto,
  DeliveryDto,
  DeliveryListQueryDto,
  EndpointDto,
  EndpointWithSecretDto,
  WebhookReplayResultDto,
  ResendResultDto,
  UpdateEndpointDto,
} from './webhook.dto.js';

const DEFAULT_OVERLAP_SECONDS = 86_400;
const REPLAY_PAGE = 1000;

/** Webhook endpoints and their deliveries, for the admin API (and the console on top of it). */
@Injectable()
export class WebhooksAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    private readonly suites: SuiteRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: PlatformEventRepository,
    @InjectQueue(QueueName.WebhookDeliveries) private readonly queue: Queue,
  ) {}

  async create(suiteId: string, dto: CreateEndpointDto): Promise<EndpointWithSecretDto> {
    if (!(await this.suites.find(suiteId))) throw new AuthAppError('suite_not_found', `no suite ${suiteId}`);
    checkEventTypes(dto.eventTypes);
    const url = await this.checkUrl(dto.url);
    const secret = newSigningSecret();
    const row = await this.endpoints.create(
      suiteId,
      {
        url,
        description: dto.description ?? '',
        eventTypes: dto.eventTypes ?? [],
        corpIds: dto.corpIds ?? [],
        enabled: dto.enabled ?? true,
        orderedByCorp: dto.orderedByCorp ?? false,
        maxConcurrency: dto.maxConcurrency ?? 10,
      },
      secret,
    );
    this.logger.log({ msg: 'webhook endpoint created', endpointId: row.id, suiteId });
    return { ...present(row), secret };
  }

  async list(suiteId: string): Promise<EndpointDto[]> {
    return (await this.endpoints.listBySuite(suiteId)).map(present);
  }

  async show(id: string): Promise<EndpointDto> {
    return present(await this.endpoint(id));
  }

  /** Enabling an endpoint makes its owed deliveries due at once. */
  async update(id: string, dto: UpdateEndpointDto): Promise<EndpointDto> {
    checkEventTypes(dto.eventTypes);
    const before = await this.endpoint(id);
    const row = await this.endpoints.update(id, { ...dto, url: dto.url === undefined ? undefined : await this.checkUrl(dto.url) });
    if (!row) throw notFound(id);
    if (!before.enabled && row.enabled) await this.kickOwed(row);
    this.logger.log({ msg: 'webhook endpoint updated', endpointId: id, suiteId: row.suiteId, enabled: row.enabled });
    return present(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.endpoints.delete(id))) throw notFound(id);
    this.logger.log({ msg: 'webhook endpoint deleted', endpointId: id });
  }

  async rotateSecret(id: string, overlapSeconds = DEFAULT_OVERLAP_SECONDS): Promise<EndpointWithSecretDto> {
    const secret = newSigningSecret();
    const row = await this.endpoints.rotateSecret(id, secret, overlapSeconds);
    if (!row) throw notFound(id);
    this.logger.log({ msg: 'webhook secret rotated', endpointId: id, overlapSeconds });
    return { ...present(row), secret };
  }

  async listDeliveries(endpointId: string, query: DeliveryListQueryDto): Promise<Page<DeliveryDto>> {
    await this.endpoint(endpointId);
    const before = query.cursor === undefined ? undefined : BigInt(decodeCursor(query.cursor, ['id']).id);
    const eventId = query.eventId ? parsePlatformEventId(query.eventId) ?? undefined : undefined;
    return pageOf(query.limit, (take) => this.deliveries.listByEndpoint(endpointId, { status: query.status, eventId }, take, before), presentDelivery, (d) => ({ id: String(d.id) }));
  }

  async showDelivery(id: string): Promise<DeliveryDetailDto> {
    const delivery = await this.deliveries.findById(BigInt(id));
    if (!delivery) throw new AuthAppError('delivery_not_found', `no delivery ${id}`);
    return { ...presentDelivery(delivery), attemptLog: (await this.deliveries.attemptsOf(delivery.id)).map(presentAttempt) };
  }

  /** Starts the delivery over (a fresh retry schedule), due now. */
  async resend(id: string): Promise<ResendResultDto> {
    const delivery = await this.deliveries.resend(BigInt(id));
    if (!delivery) throw new AuthAppError('delivery_not_found', `no delivery ${id}`);
    await this.enqueue([delivery], 'resend');
    this.logger.log({ msg: 'webhook delivery resent', deliveryId: id, endpointId: delivery.endpointId });
    return { id, status: 'pending' };
  }

  /** Sends every event of the suite since `since` that the endpoint's filters match again (or for the first time). */
  async replay(endpointId: string, since: Date): Promise<WebhookReplayResultDto> {
    const endpoint = await this.endpoint(endpointId);
    let count = 0;
    for (let after = 0n; ; ) {
      const page = await this.events.listSince(endpoint.suiteId, since, after, REPLAY_PAGE);
      if (!page.length) break;
      after = page[page.length - 1].id;
      const wanted = page.filter((e) => endpointWants(endpoint, e));
      const rows = await this.deliveries.replay(endpoint.id, endpoint.suiteId, wanted);
      await this.enqueue(rows, 'replay');
      count += rows.length;
    }
    this.logger.log({ msg: 'webhook endpoint replayed', endpointId, since: since.toISOString(), deliveries: count });
    return { deliveries: count };
  }

  private async kickOwed(endpoint: WebhookEndpoint): Promise<void> {
    for (let before: bigint | undefined; ; ) {
      const owed = await this.deliveries.listByEndpoint(endpoint.id, { status: 'pending' }, REPLAY_PAGE, before);
      if (!owed.length) break;
      before = owed[owed.length - 1].id;
      await this.enqueue(owed, 'enable');
    }
  }

  /** The rows are the promise; if Redis is down the worker's sweeper queues them later, so this never fails the call. */
  private async enqueue(rows: readonly Pick<WebhookDelivery, 'id' | 'attempts'>[], why: string): Promise<void> {
    await enqueueWebhookDeliveries(this.queue, rows, `${why[0]}${Date.now()}`).catch((err: unknown) => {
      this.logger.warn({ msg: 'could not queue webhook deliveries; the worker sweeper will', count: rows.length, error: String(err) });
    });
  }

  private async endpoint(id: string): Promise<WebhookEndpoint> {
    const row = await this.endpoints.findById(id);
    if (!row) throw notFound(id);
    return row;
  }

  /** The sender's own target policy (allow-list honoured exactly): an endpoint it would refuse is refused here. */
  private async checkUrl(url: string): Promise<string> {
    try {
      return await checkEndpointTarget(url, { allowHttp: this.config.WEBHOOK_ALLOW_HTTP, allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE_TARGETS });
    } catch (err) {
      if (err instanceof EndpointUrlError) throw new AuthAppError('invalid_endpoint_url', err.message);
      throw err;
    }
  }
}

function notFound(id: string): AuthAppError {
  return new AuthAppError('endpoint_not_found', `no webhook endpoint ${id}`);
}

function present(row: WebhookEndpoint): EndpointDto {
  const info = endpointInfo(row);
  return {
    id: info.id,
    suiteId: info.suiteId,
    url: info.url,
    description: info.description,
    eventTypes: info.eventTypes,
    corpIds: info.corpIds,
    enabled: info.enabled,
    disabledReason: info.disabledReason,
    disabledAt: info.disabledAt,
    orderedByCorp: info.orderedByCorp,
    maxConcurrency: info.maxConcurrency,
    rotating: info.rotating,
    previousSecretExpiresAt: info.rotating ? info.previousSecretExpiresAt : null,
    failingSince: info.failingSince,
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
  };
}

function presentDelivery(d: WebhookDelivery): DeliveryDto {
  return {
    id: String(d.id),
    endpointId: d.endpointId,
    eventId: platformEventId(d.eventId),
    suiteId: d.suiteId,
    corpId: d.corpId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  };
}

function presentAttempt(a: WebhookAttempt): AttemptDto {
  return { attemptedAt: a.attemptedAt, status: a.status, durationMs: a.durationMs, error: a.error, excerpt: a.excerpt };
}

/** An endpoint filtering on a type no event has would silently never receive anything: 400 `invalid_event_types`. */
function checkEventTypes(eventTypes: readonly string[] | undefined): void {
  const unknown = unknownEventTypes(eventTypes ?? []);
  if (unknown.length) throw new AuthAppError('invalid_event_types', unknownTypesMessage('eventTypes', unknown));
}
