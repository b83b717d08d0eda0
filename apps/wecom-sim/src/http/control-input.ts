import { InvalidJsonBody, JsonObject } from '../core/params.js';
import { ControlError } from '../core/wecom-error.js';

/** The JSON object body of a control request (absent = `{}`); anything else is a 400. */
export function controlBody(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') return {};
  if (body instanceof InvalidJsonBody) throw new ControlError(400, 'body must be JSON');
  if (typeof body !== 'object' || Array.isArray(body)) throw new ControlError(400, 'body must be a JSON object');
  return body as JsonObject;
}

export function optString(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ControlError(400, `${key} must be a string`);
  return value;
}

export function reqString(obj: JsonObject, key: string): string {
  const value = optString(obj, key);
  if (!value) throw new ControlError(400, `${key} is required`);
  return value;
}

export function optNumber(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ControlError(400, `${key} must be a number`);
  return value;
}

export function optBoolean(obj: JsonObject, key: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ControlError(400, `${key} must be a boolean`);
  return value;
}

/** A non-negative integer from a query string, with a default and a ceiling. */
export function queryInt(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ControlError(400, `expected a non-negative integer, got "${raw}"`);
  return Math.min(Number(raw), max);
}
