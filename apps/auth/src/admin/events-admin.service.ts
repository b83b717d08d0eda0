import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { enqueueReplay, QueueName } from '@app/queues';
import { CallbackEvent, CallbackEventRepository } from '@app/store';
import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, Page, pageOf } from '../common/page.js';
import { redactEvent, redactPayload } from './redact-payload.js';
import { BatchReplayDto, BatchReplayResultDto, EventDetailDto, EventListQueryDto, EventSummaryDto, ReplayResultDto } from './event.dto.js';

/** The callback inbox for the console: browse, look, replay. */
@Injectable()
export class EventsAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly events: CallbackEventRepository,
    @InjectQueue(QueueName.CallbackEvents) private readonly queue: Queue,
  ) {}

  list(query: EventListQueryDto): Promise<Page<EventSummaryDto>> {
    const before = query.cursor === undefined ? undefined : cursorId(query.cursor);
    const filter = filterOf(query);
    return pageOf(query.limit, (take) => this.events.list(filter, take, before), summary, (e) => ({ id: String(e.id) }));
  }

  /** Replays the newest `max` events matching the filter (default: failed ones), one job each. */
  async replayMany(query: BatchReplayDto): Promise<BatchReplayResultDto> {
    const max = query.max ?? 100;
    const matched = await this.events.list(filterOf({ ...query, status: query.status ?? 'failed' }), max + 1);
    const ids: string[] = [];
    for (const event of matched.slice(0, max)) ids.push((await this.replay(String(event.id))).id);
    this.logger.log({ msg: 'events replayed in a batch', count: ids.length, suiteId: query.suiteId, corpId: query.corpId, type: query.type });
    return { ids, truncated: matched.length > max };
  }

  async show(id: string): Promise<EventDetailDto> {
    const event = await this.events.findById(BigInt(id));
    if (!event) throw new AuthAppError('event_not_found', `no inbox event ${id}`);
    return { ...summary(event), payload: redactPayload(event.payload), event: redactEvent(event.event) };
  }

  /** Back to `queued` and onto the queue under a new job id; the worker handles it by event id, idempotently. */
  async replay(id: string): Promise<ReplayResultDto> {
    const event = await this.events.findById(BigInt(id));
    if (!event) throw new AuthAppError('event_not_found', `no inbox event ${id}`);
    await this.events.resetForReplay(event.id);
    let jobId: string;
    try {
      jobId = await enqueueReplay(this.queue, event);
    } catch {
      // The row is queued in PostgreSQL already; the worker's inbox sweep only picks up `received` rows, so say so.
      throw new AuthAppError('queue_unavailable', `event ${id} is marked queued but could not reach the queue; replay again later`);
    }
    this.logger.log({ msg: 'event replayed', eventId: id, suiteId: event.suiteId, type: event.type, jobId });
    return { id, status: 'queued', jobId };
  }
}

function filterOf(query: Omit<EventListQueryDto, 'limit' | 'cursor'>) {
  return {
    suiteId: query.suiteId,
    corpId: query.corpId,
    type: query.type?.includes(',') ? query.type.split(',') : query.type,
    status: query.status,
    kind: query.kind,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

function summary(e: CallbackEvent): EventSummaryDto {
  return {
    id: String(e.id),
    suiteId: e.suiteId,
    kind: e.kind,
    type: e.type,
    corpId: e.corpId,
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    receivedAt: e.receivedAt,
    queuedAt: e.queuedAt,
    processedAt: e.processedAt,
  };
}

function cursorId(cursor: string): bigint {
  const { id } = decodeCursor(cursor, ['id']);
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new AuthAppError('invalid_cursor', 'cursor is not a nextCursor this API returned');
  return BigInt(id);
}
