import { Errcode, WecomError } from './wecom-error.js';

/** A request body that was not valid JSON; WeCom answers 47001 for it. */
export class InvalidJsonBody {
  constructor(readonly raw: string) {}
}

export type JsonObject = Record<string, unknown>;
export type QueryParams = Record<string, string | string[] | undefined>;

/** The JSON object of a WeCom API request body (an absent body counts as `{}`). */
export function bodyObject(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') return {};
  if (body instanceof InvalidJsonBody || typeof body !== 'object' || Array.isArray(body)) throw new WecomError(Errcode.INVALID_JSON);
  return body as JsonObject;
}

/** A string field; numbers are accepted as WeCom does for ids. Empty means absent. */
export function field(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A string field that must be present, else `errcode`. */
export function required(obj: JsonObject, key: string, errcode: number): string {
  const value = field(obj, key);
  if (value === undefined) throw new WecomError(errcode, `${key} missing`);
  return value;
}

/** First value of a query parameter; empty means absent. */
export function queryParam(query: QueryParams | undefined, key: string): string | undefined {
  const value = query?.[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
