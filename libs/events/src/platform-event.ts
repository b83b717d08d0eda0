import type { XmlElement, XmlNode } from '@app/wecom';
import { ENVELOPE_FIELDS, EVENT_TYPES, EventTypeSpec, INTERNAL_INFO_TYPES, SECRET_FIELDS } from './event-types.js';
import { camelName, convertField, FieldFormatError, genericValue, JsonValue } from './field-codecs.js';
import type { InstalledCorp } from './installed-corp.js';

/**
 * What the vendor's services receive (webhook body and pull API item). Field names are a public contract.
 *
 * ```json
 * { "id": "evt_42", "type": "contact.user.created", "timestamp": "2026-11-30T10:00:00.000Z",
 *   "receivedAt": "2026-11-30T10:00:00.120Z", "suiteId": "ww…", "corpId": "wx…", "data": { "userId": "zhangsan", … } }
 * ```
 */
export interface PlatformEvent {
  /** `evt_<n>`: stable across retries, resends and replays; use it as your idempotency key (= `webhook-id`). */
  id: string;
  /** Dotted type from the catalogue, or `wecom.unknown`. */
  type: string;
  /** WeCom's own time of the event (`TimeStamp` / `CreateTime`), ISO 8601; the receive time when WeCom sent none. */
  timestamp: string;
  /** When the platform received the callback, ISO 8601. */
  receivedAt: string;
  suiteId: string;
  /** The corp the event concerns, when known. */
  corpId: string | null;
  data: { [key: string]: JsonValue };
}

/** The event without its id: what the mapping produces before the event is stored and numbered. */
export type PlatformEventDraft = Omit<PlatformEvent, 'id'>;

export const UNKNOWN_EVENT_TYPE = 'wecom.unknown';

/** The stored callback the mapping reads: the inbox row's facts and its parsed XML. */
export interface InboxEventInput {
  suiteId: string;
  kind: 'command' | 'data' | 'system';
  /** The corp as the intake saw it (data callbacks: the receiver; command: AuthCorpId), if any. */
  corpId: string | null;
  receivedAt: Date;
  /** The decrypted callback, parsed (`parseXml(payload)`, or the typed event's `raw`). */
  xml: XmlElement;
}

/** Facts the worker learns while processing, which the callback itself lacks (create_auth names no corp). */
export interface MappingContext {
  corpId?: string;
  /** create_auth's code, for the install's dedupe key only (hashed; never put in an event). */
  authCode?: string;
  /** create_auth's tenant as the exchange stored it: `tenant.installed` names the corp (`installedCorpData`). */
  installedCorp?: InstalledCorp;
}

const BY_SOURCE = indexTable(EVENT_TYPES);

/**
 * Maps one inbox event to its platform event, or null for callbacks that are the platform's own business
 * (`suite_ticket`). Never throws on WeCom's content: a callback with no entry in the table, or whose fields do not
 * hold what WeCom documents, becomes `wecom.unknown` with every field (minus secrets) in `data.fields`.
 */
export function toPlatformEvent(input: InboxEventInput, context: MappingContext = {}): PlatformEventDraft | null {
  const text = (name: string): string | undefined => {
    const node = input.xml[name];
    return typeof node === 'string' && node !== '' ? node : undefined;
  };
  const infoType = text('InfoType');
  if (input.kind === 'command' && infoType && INTERNAL_INFO_TYPES.has(infoType)) return null;
  const key = input.kind === 'system'
    ? sourceKey('system', infoType)
    : input.kind === 'command'
    ? sourceKey('command', infoType, text('ChangeType'))
    : sourceKey('data', text('MsgType'), text('MsgType') === 'event' ? text('Event') : undefined, text('ChangeType'));
  const spec = BY_SOURCE.get(key) ?? BY_SOURCE.get(withoutChangeType(key));
  const wecomSeconds = Number(text('TimeStamp') ?? text('CreateTime'));
  const base = {
    timestamp: Number.isFinite(wecomSeconds) && wecomSeconds > 0 ? new Date(wecomSeconds * 1000).toISOString() : input.receivedAt.toISOString(),
    receivedAt: input.receivedAt.toISOString(),
    suiteId: input.suiteId,
    corpId: context.corpId ?? text('AuthCorpId') ?? text('PaidCorpId') ?? input.corpId ?? (input.kind === 'data' ? text('ToUserName') ?? null : null),
  };
  if (spec) {
    try {
      return { type: spec.type, ...base, data: typedData(input.xml, spec) };
    } catch (err) {
      if (!(err instanceof FieldFormatError)) throw err;
      return { type: UNKNOWN_EVENT_TYPE, ...base, data: unknownData(input, `${spec.type}: ${err.message}`) };
    }
  }
  return { type: UNKNOWN_EVENT_TYPE, ...base, data: unknownData(input) };
}

function typedData(xml: XmlElement, spec: EventTypeSpec): { [key: string]: JsonValue } {
  const data: { [key: string]: JsonValue } = {};
  const omit = new Set(spec.omit ?? []);
  for (const [name, node] of Object.entries(xml)) {
    if (ENVELOPE_FIELDS.has(name) || SECRET_FIELDS.has(name) || omit.has(name)) continue;
    const field = spec.fields[name];
    const value = field ? convertField(name, node, field.kind) : genericValue(node as XmlNode);
    if (value !== undefined) data[camelName(name)] = value;
  }
  return data;
}

/** `wecom.unknown`: the callback's names (to route on) and every field, camelCased, secrets removed. */
function unknownData(input: InboxEventInput, reason?: string): { [key: string]: JsonValue } {
  const fields: { [key: string]: JsonValue } = {};
  for (const [name, node] of Object.entries(input.xml)) {
    if (SECRET_FIELDS.has(name)) continue;
    fields[camelName(name)] = genericValue(node as XmlNode);
  }
  const data: { [key: string]: JsonValue } = { kind: input.kind, fields };
  if (reason) data.reason = reason;
  return data;
}

function sourceKey(kind: string, ...names: (string | undefined)[]): string {
  return [kind, ...names.map((n) => n ?? '')].join('|');
}

function withoutChangeType(key: string): string {
  const parts = key.split('|');
  parts[parts.length - 1] = '';
  return parts.join('|');
}

function indexTable(table: readonly EventTypeSpec[]): Map<string, EventTypeSpec> {
  const map = new Map<string, EventTypeSpec>();
  for (const spec of table) {
    const src = spec.source;
    const key = src.kind === 'system'
      ? sourceKey('system', src.infoType)
      : src.kind === 'command'
      ? sourceKey('command', src.infoType, src.changeType)
      : sourceKey('data', src.msgType, src.event, src.changeType);
    if (map.has(key)) throw new Error(`event table: two entries for ${key}`);
    map.set(key, spec);
  }
  return map;
}

/** The event id for a stored platform event number. */
export function platformEventId(n: bigint | number | string): string {
  return `evt_${n}`;
}

/** The number inside an event id, or null when it is not one. */
export function parsePlatformEventId(id: string): bigint | null {
  const match = /^evt_(\d{1,19})$/.exec(id);
  return match ? BigInt(match[1]) : null;
}
