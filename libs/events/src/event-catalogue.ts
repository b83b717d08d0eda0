import { EVENT_TYPES, EventTypeSpec } from './event-types.js';
import { camelName } from './field-codecs.js';
import { UNKNOWN_EVENT_TYPE } from './platform-event.js';
import { PLATFORM_ORIGINATED_TYPES } from './platform-originated-types.js';

/** One catalogue entry per type (a type with two sources, command and data, appears once with both). */
export interface CatalogueEntry {
  type: string;
  description: string;
  sources: string[];
  fields: { name: string; kind: string; description: string }[];
}

export function eventCatalogue(): CatalogueEntry[] {
  const byType = new Map<string, CatalogueEntry>();
  for (const spec of EVENT_TYPES) {
    const entry = byType.get(spec.type) ?? { type: spec.type, description: spec.description, sources: [], fields: fieldsOf(spec) };
    entry.sources.push(describeSource(spec));
    byType.set(spec.type, entry);
  }
  for (const t of PLATFORM_ORIGINATED_TYPES) byType.set(t.type, { type: t.type, description: t.description, sources: [t.origin], fields: t.fields });
  return [...byType.values()];
}

/** Every type a filter can name, for validation and the admin API. */
export function knownEventTypes(): string[] {
  return [...new Set([...EVENT_TYPES.map((t) => t.type), ...PLATFORM_ORIGINATED_TYPES.map((t) => t.type)]), UNKNOWN_EVENT_TYPE];
}

/** The markdown page `docs/events.md`. */
export function renderEventCatalogue(): string {
  const lines = [
    '# Event catalogue',
    '',
    '<!-- generated from libs/events/src/event-types.ts and platform-originated-types.ts by `node dist/scripts/event-catalogue.js`; do not edit -->',
    '',
    'Every event has the envelope `{ id, type, timestamp, receivedAt, suiteId, corpId, data }` (see the README,',
    '"Events and webhooks"). `data` holds WeCom\'s fields in camelCase; the fields below are typed (numbers as numbers,',
    'comma lists as arrays); any other field WeCom sends is carried as a string. Credentials (auth codes, tickets) are',
    'never sent.',
    '',
    '| type | what happened | WeCom source |',
    '|---|---|---|',
    ...eventCatalogue().map((e) => `| [\`${e.type}\`](#${anchor(e.type)}) | ${e.description} | ${e.sources.join('<br>')} |`),
    `| \`${UNKNOWN_EVENT_TYPE}\` | any callback without an entry (or whose fields do not hold what WeCom documents) | anything else |`,
    '',
  ];
  for (const e of eventCatalogue()) {
    lines.push(`## ${e.type}`, '', e.description + '.', '', `Source: ${e.sources.join('; ')}.`, '');
    if (e.fields.length) {
      lines.push('| field | type | meaning |', '|---|---|---|');
      for (const f of e.fields) lines.push(`| \`${f.name}\` | ${f.kind} | ${f.description.replace(/\|/g, '\\|')} |`);
      lines.push('');
    }
  }
  lines.push(`## ${UNKNOWN_EVENT_TYPE}`, '', '`data`: `{ kind: "command" | "data" | "system", fields: { …every field in camelCase… }, reason? }`.', '');
  return lines.join('\n');
}

function fieldsOf(spec: EventTypeSpec): CatalogueEntry['fields'] {
  const kinds: Record<string, string> = { 'string[]': 'string[]', 'integer[]': 'integer[]', items: 'array', object: 'object' };
  return Object.entries(spec.fields).map(([name, f]) => ({ name: camelName(name), kind: kinds[f.kind] ?? f.kind, description: f.description }));
}

function describeSource(spec: EventTypeSpec): string {
  const src = spec.source;
  if (src.kind === 'system') return `system event \`InfoType=${src.infoType}\``;
  if (src.kind === 'command') return `command \`InfoType=${src.infoType}\`${src.changeType ? ` \`ChangeType=${src.changeType}\`` : ''}`;
  const parts = [`data \`MsgType=${src.msgType}\``];
  if (src.event) parts.push(`\`Event=${src.event}\``);
  if (src.changeType) parts.push(`\`ChangeType=${src.changeType}\``);
  return parts.join(' ');
}

function anchor(type: string): string {
  return type.replace(/\./g, '').replace(/_/g, '_');
}
