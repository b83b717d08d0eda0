import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { EVENT_TYPE_PATTERN, parsePlatformEventId, platformEventId, unknownEventTypes } from '@app/events';
import { PlatformEventRepository, PlatformEventRow, SuiteRepository, TypeFilter } from '@app/store';
import { AuthAppError, suiteNotFound } from '../auth-errors.js';
import { EventStreamPageDto, PlatformEventDto, PullQueryDto } from './webhook.dto.js';

const DEFAULT_LIMIT = 100;
/** How often a long-poll looks for new events, ms: one indexed query per waiting consumer. */
const POLL_MS = 250;

/**
 * The pull API: a suite's events after a cursor, oldest first, the same envelope as webhooks. With `wait`, an
 * empty answer is held until an event arrives or the wait ends (long-poll), so a consumer that cannot expose a
 * URL still sees events within a fraction of a second. A suite that is not registered is `suite_not_found`.
 */
@Injectable()
export class EventStreamService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
    private readonly events: PlatformEventRepository,
    private readonly suites: SuiteRepository,
  ) {}

  async pull(suiteId: string, query: PullQueryDto, signal?: AbortSignal): Promise<EventStreamPageDto> {
    const after = query.after === undefined ? 0n : (parsePlatformEventId(query.after) ?? BigInt(query.after));
    const types = typeFilter(query.types);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const deadline = Date.now() + Math.min(query.wait ?? 0, this.config.EVENTS_MAX_WAIT_SECONDS) * 1000;
    for (let first = true; ; first = false) {
      const rows = await this.events.listAfter(suiteId, after, types, limit);
      // An empty page for a suite that does not exist would look like "no events yet" forever; a page with events
      // proves the suite, so only an empty first page costs the lookup.
      if (first && !rows.length && !(await this.suites.find(suiteId))) throw suiteNotFound(suiteId);
      if (rows.length || Date.now() >= deadline || signal?.aborted) {
        return { events: rows.map(present), nextCursor: platformEventId(rows.length ? rows[rows.length - 1].id : after) };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }
}

/** "types: unknown event types bogus, x.* (GET /api/v1/admin/event-types lists them)" */
export function unknownTypesMessage(field: string, unknown: readonly string[]): string {
  return `${field}: unknown event types ${unknown.slice(0, 20).map((t) => t.slice(0, 100)).join(', ')} (GET /api/v1/admin/event-types lists them)`;
}

function typeFilter(raw: string | undefined): TypeFilter {
  const filter: TypeFilter = { exact: [], prefixes: [] };
  const items = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!EVENT_TYPE_PATTERN.test(item)) throw new AuthAppError('invalid_event_types', `types: "${item.slice(0, 100)}" is not a type, a prefix.* or *`);
  }
  // A type no event can have would make the pull silently empty forever.
  const unknown = unknownEventTypes(items);
  if (unknown.length) throw new AuthAppError('invalid_event_types', unknownTypesMessage('types', unknown));
  for (const item of items) {
    if (item === '*') return { exact: [], prefixes: [] };
    if (item.endsWith('.*')) filter.prefixes.push(item.slice(0, -1));
    else filter.exact.push(item);
  }
  return filter;
}

function present(row: PlatformEventRow): PlatformEventDto {
  return { id: platformEventId(row.id), ...(JSON.parse(row.envelope) as Omit<PlatformEventDto, 'id'>) };
}
