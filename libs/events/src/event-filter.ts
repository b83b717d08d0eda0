import { knownEventTypes } from './event-catalogue.js';

/**
 * An endpoint's event-type filter: exact types (`message.text`), prefix wildcards (`contact.*` matches
 * `contact.user.created` and `contact.tag.updated`) and `*` for everything. An empty filter means everything.
 */
export function matchesEventType(filter: readonly string[], type: string): boolean {
  if (!filter.length) return true;
  return filter.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  });
}

/** A valid filter entry: `*`, a dotted type, or a dotted prefix ending in `.*`. */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

/**
 * The filter entries that can never match: an exact type not in the catalogue (the mapping table, the platform's own
 * types and `wecom.unknown`), or a `prefix.*` no catalogue type starts with. `*` always matches. Entries are assumed to
 * pass EVENT_TYPE_PATTERN already. Returns them in the order given (empty when every entry names something real).
 */
export function unknownEventTypes(filter: readonly string[]): string[] {
  const known = knownEventTypes();
  return filter.filter((pattern) => pattern !== '*' && !known.some((type) => matchesEventType([pattern], type)));
}

/** Does an endpoint (its type and corp filters) want this event? An empty corp filter means every corp. */
export function endpointWants(endpoint: { eventTypes: readonly string[]; corpIds: readonly string[] }, event: { type: string; corpId: string | null }): boolean {
  return matchesEventType(endpoint.eventTypes, event.type) && (!endpoint.corpIds.length || (event.corpId !== null && endpoint.corpIds.includes(event.corpId)));
}
