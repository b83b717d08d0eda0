import type { XmlElement, XmlNode } from '@app/wecom';

/** A JSON value as it appears in an event's `data`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How a WeCom field becomes a JSON value:
 * - `string`: as sent (ids stay strings: MsgId exceeds 2^53);
 * - `integer` / `number`: a decimal number (an empty field is left out);
 * - `string[]` / `integer[]`: WeCom's comma-separated lists (`<Department><![CDATA[1,2]]></Department>`);
 * - `items`: a wrapper of repeated `<Item>` children (`<MemChangeList><Item>u1</Item>…`) → an array;
 * - `object`: nested elements, keys in camelCase, repeated names as arrays.
 */
export type FieldKind = 'string' | 'integer' | 'number' | 'string[]' | 'integer[]' | 'items' | 'object';

export interface FieldSpec {
  kind: FieldKind;
  /** One line for the catalogue. */
  description: string;
}

/** WeCom's names with an acronym or an underscore, spelled the way a JSON user expects. */
const NAME_OVERRIDES: Readonly<Record<string, string>> = {
  UserID: 'userId',
  OpenUserID: 'openUserId',
  NewUserID: 'newUserId',
  ExternalUserID: 'externalUserId',
  AgentID: 'agentId',
  MsgId: 'msgId',
  Location_X: 'latitude',
  Location_Y: 'longitude',
  ChatId: 'chatId',
};

/** `AuthCorpId` → `authCorpId`, `UserID` → `userId`, `Location_X` → `latitude` (WeCom's X is the latitude). */
export function camelName(wecomName: string): string {
  const override = NAME_OVERRIDES[wecomName];
  if (override) return override;
  const parts = wecomName.split('_').filter(Boolean);
  return parts
    .map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1)))
    .join('');
}

/** Thrown when a field does not hold what WeCom documents; the event then goes out as `wecom.unknown`. */
export class FieldFormatError extends Error {
  override readonly name = 'FieldFormatError';
  constructor(field: string, expected: string) {
    super(`<${field}> is not ${expected}`);
  }
}

/** Converts one field by its declared kind; `undefined` means "leave it out" (an empty optional field). */
export function convertField(name: string, node: XmlNode | readonly XmlNode[], kind: FieldKind): JsonValue | undefined {
  switch (kind) {
    case 'string':
      return textOf(name, node);
    case 'integer':
    case 'number': {
      const text = textOf(name, node);
      if (text === '') return undefined;
      const value = Number(text);
      const ok = kind === 'integer' ? /^-?\d{1,15}$/.test(text) : text !== '' && Number.isFinite(value);
      if (!ok) throw new FieldFormatError(name, `a${kind === 'integer' ? 'n integer' : ' number'}`);
      return value;
    }
    case 'string[]':
    case 'integer[]': {
      const text = textOf(name, node);
      const parts = text === '' ? [] : text.split(',').map((p) => p.trim());
      if (kind === 'string[]') return parts;
      return parts.map((p) => {
        if (!/^-?\d{1,15}$/.test(p)) throw new FieldFormatError(name, 'a list of integers');
        return Number(p);
      });
    }
    case 'items': {
      if (typeof node === 'string') return node === '' ? [] : [node];
      if (Array.isArray(node)) throw new FieldFormatError(name, 'a single list element');
      const items = (node as XmlElement)['Item'];
      if (items === undefined) return [];
      const list = Array.isArray(items) ? items : [items as XmlNode];
      return list.map((item) => genericValue(item));
    }
    case 'object':
      return genericValue(node);
  }
}

/** Any field not in the table: text stays text, elements become camelCase objects; nothing is dropped. */
export function genericValue(node: XmlNode | readonly XmlNode[]): JsonValue {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map((n: XmlNode) => genericValue(n));
  const out: { [key: string]: JsonValue } = {};
  for (const [key, child] of Object.entries(node as XmlElement)) out[camelName(key)] = genericValue(child);
  return out;
}

function textOf(name: string, node: XmlNode | readonly XmlNode[]): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) throw new FieldFormatError(name, 'a single value (it appears more than once)');
  if (Object.keys(node as XmlElement).length === 0) return '';
  throw new FieldFormatError(name, 'text');
}
