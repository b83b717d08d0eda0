import { optionalInteger, optionalText, requiredInteger, requiredText } from './xml-access.js';
import { parseXml, XmlElement, XmlLimits } from './xml-parser.js';
import type { SystemEvent } from './system-events.js';
import type { XmlErrorCode } from './xml-error.js';

/** Fields every command callback carries. `raw` keeps the whole payload for storage and later handlers. */
interface CommandEventBase {
  suiteId: string;
  /** Unix seconds, as sent by WeCom. */
  timeStamp: number;
  raw: XmlElement;
}

export interface SuiteTicketEvent extends CommandEventBase {
  infoType: 'suite_ticket';
  suiteTicket: string;
}

export interface CreateAuthEvent extends CommandEventBase {
  infoType: 'create_auth';
  authCode: string;
  /** The `state` of the install link, when the install started from one. */
  state?: string;
}

export interface ChangeAuthEvent extends CommandEventBase {
  infoType: 'change_auth';
  authCorpId: string;
  state?: string;
}

export interface CancelAuthEvent extends CommandEventBase {
  infoType: 'cancel_auth';
  authCorpId: string;
}

export interface ResetPermanentCodeEvent extends CommandEventBase {
  infoType: 'reset_permanent_code';
  authCode: string;
}

export interface ChangeContactEvent extends CommandEventBase {
  infoType: 'change_contact';
  authCorpId: string;
  /** create_user, update_user, delete_user, create_party, update_party, delete_party, update_tag, … */
  changeType: string;
}

/** Any other InfoType (change_external_contact, license events, …): kept whole, typed only by its name. */
export interface OtherCommandEvent {
  infoType: 'other';
  rawInfoType: string;
  suiteId?: string;
  timeStamp?: number;
  authCorpId?: string;
  /** The paying corp of app-order and edition events (open_order, change_order, pay_for_app_success, change_editon, …). */
  paidCorpId?: string;
  raw: XmlElement;
}

export type CommandEvent =
  | SuiteTicketEvent
  | CreateAuthEvent
  | ChangeAuthEvent
  | CancelAuthEvent
  | ResetPermanentCodeEvent
  | ChangeContactEvent
  | OtherCommandEvent;

export type KnownInfoType = Exclude<CommandEvent['infoType'], 'other'>;

/**
 * Parses a decrypted command callback (receiver = suite id) into its typed variant. The payload is authentic, so
 * control characters XML forbids are kept, not refused (`keepControlChars`).
 */
export function parseCommandEvent(xml: string, limits?: XmlLimits): CommandEvent {
  return toCommandEvent(parseXml(xml, { keepControlChars: true, ...limits }));
}

export function toCommandEvent(raw: XmlElement): CommandEvent {
  const infoType = requiredText(raw, 'InfoType', 'command callback');
  const context = `${infoType} event`;
  const base = (): CommandEventBase => ({
    suiteId: requiredText(raw, 'SuiteId', context),
    timeStamp: requiredInteger(raw, 'TimeStamp', context),
    raw,
  });
  switch (infoType) {
    case 'suite_ticket':
      return { infoType, ...base(), suiteTicket: requiredText(raw, 'SuiteTicket', context) };
    case 'create_auth': {
      const event: CreateAuthEvent = { infoType, ...base(), authCode: requiredText(raw, 'AuthCode', context) };
      const state = optionalText(raw, 'State', context);
      if (state) event.state = state;
      return event;
    }
    case 'change_auth': {
      const event: ChangeAuthEvent = { infoType, ...base(), authCorpId: requiredText(raw, 'AuthCorpId', context) };
      const state = optionalText(raw, 'State', context);
      if (state) event.state = state;
      return event;
    }
    case 'cancel_auth':
      return { infoType, ...base(), authCorpId: requiredText(raw, 'AuthCorpId', context) };
    case 'reset_permanent_code':
      return { infoType, ...base(), authCode: requiredText(raw, 'AuthCode', context) };
    case 'change_contact':
      return {
        infoType,
        ...base(),
        authCorpId: requiredText(raw, 'AuthCorpId', context),
        changeType: requiredText(raw, 'ChangeType', context),
      };
    default: {
      const event: OtherCommandEvent = { infoType: 'other', rawInfoType: infoType, raw };
      const suiteId = optionalText(raw, 'SuiteId', context);
      if (suiteId) event.suiteId = suiteId;
      const timeStamp = optionalInteger(raw, 'TimeStamp', context);
      if (timeStamp !== undefined) event.timeStamp = timeStamp;
      const authCorpId = optionalText(raw, 'AuthCorpId', context);
      if (authCorpId) event.authCorpId = authCorpId;
      const paidCorpId = optionalText(raw, 'PaidCorpId', context);
      if (paidCorpId) event.paidCorpId = paidCorpId;
      return event;
    }
  }
}

/** A decrypted data callback (receiver = the corp): a message or an app event. */
export interface DataEvent {
  /** The corp the message was sent to. */
  toUserName: string;
  fromUserName?: string;
  createTime?: number;
  /** text, image, voice, video, location, link, event, … */
  msgType: string;
  /** Kept as a string: message ids exceed 2^53. */
  msgId?: string;
  /** For `msgType` event: subscribe, enter_agent, change_external_contact, … */
  event?: string;
  agentId?: string;
  raw: XmlElement;
}

/** Parses a decrypted data callback; like `parseCommandEvent`, keeps control characters members pasted. */
export function parseDataEvent(xml: string, limits?: XmlLimits): DataEvent {
  return toDataEvent(parseXml(xml, { keepControlChars: true, ...limits }));
}

export function toDataEvent(raw: XmlElement): DataEvent {
  const context = 'data callback';
  const event: DataEvent = {
    toUserName: requiredText(raw, 'ToUserName', context),
    msgType: requiredText(raw, 'MsgType', context),
    raw,
  };
  const fromUserName = optionalText(raw, 'FromUserName', context);
  if (fromUserName) event.fromUserName = fromUserName;
  const createTime = optionalInteger(raw, 'CreateTime', context);
  if (createTime !== undefined) event.createTime = createTime;
  const msgId = optionalText(raw, 'MsgId', context);
  if (msgId) event.msgId = msgId;
  const eventName = optionalText(raw, 'Event', context);
  if (eventName) event.event = eventName;
  const agentId = optionalText(raw, 'AgentID', context);
  if (agentId) event.agentId = agentId;
  return event;
}


/** `Omit` that keeps a union a union (one member at a time). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A callback as the inbox stores it (jsonb, beside the raw XML): parsed once at the edge, read by every later
 * step. The XML tree (`raw`) is left out, and so is the suite_ticket itself, which is kept sealed in its own
 * table. `kind` says which callback URL it came to (`system`: the provider's system-event URL).
 */
export type InboxEvent =
  | ({ kind: 'command' } & OmitEach<Exclude<CommandEvent, SuiteTicketEvent>, 'raw'>)
  | ({ kind: 'command' } & Omit<SuiteTicketEvent, 'raw' | 'suiteTicket'>)
  | ({ kind: 'data' } & Omit<DataEvent, 'raw'>)
  | ({ kind: 'system' } & OmitEach<SystemEvent, 'raw'>);

/** The inbox `type` of an authentic callback whose decrypted content could not be parsed (see UnparsableInboxEvent). */
export const UNPARSABLE_EVENT_TYPE = 'unparsable';

/**
 * What the inbox stores as the typed event of an authentic callback (signature and decryption held) whose decrypted
 * content is not a readable WeCom event: not XML, a required field missing, a field of the wrong shape. It is stored
 * and acknowledged all the same (an authentic callback is never lost); the worker fails it for good with `error`, and
 * it stays replayable from the admin API. `error.code` is the XmlError code, `error.message` its text.
 */
export interface UnparsableInboxEvent {
  kind: 'command' | 'data' | 'system';
  unparsable: { code: XmlErrorCode; message: string };
}

/** True when a stored typed event (jsonb) is an UnparsableInboxEvent. */
export function isUnparsableInboxEvent(event: unknown): event is UnparsableInboxEvent {
  return typeof event === 'object' && event !== null && 'unparsable' in event;
}

/** The stored form of a parsed callback event: see InboxEvent. */
export function inboxEventOf(kind: 'command', event: CommandEvent): InboxEvent;
export function inboxEventOf(kind: 'data', event: DataEvent): InboxEvent;
export function inboxEventOf(kind: 'system', event: SystemEvent): InboxEvent;
export function inboxEventOf(kind: 'command' | 'data' | 'system', event: CommandEvent | DataEvent | SystemEvent): InboxEvent {
  // A rest copy, not `delete`: deleting puts the object in V8's slow dictionary mode, which the JSON.stringify
  // that seals it for the inbox then pays for (1.3 % of the callback app's CPU in the callback-ingest profile).
  const { raw: _raw, suiteTicket: _suiteTicket, ...fields } = event as typeof event & { raw?: unknown; suiteTicket?: unknown };
  return { kind, ...fields } as InboxEvent;
}
