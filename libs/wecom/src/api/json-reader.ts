import { WecomResponseError } from './errors.js';
import type { JsonObject, JsonValue } from './types.js';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed, validating reads of a WeCom JSON response. A missing required field or a wrong type is a
 * `WecomResponseError` naming the field, never the value.
 *
 * A `tolerant()` reader is for informational blocks, where WeCom's answers vary (empty strings, missing or
 * `null` objects, numbers sent as strings and back, unknown fields): its optional reads never throw — a value
 * of the wrong shape reads as absent, a number where a string is expected as its decimal text, a bad array
 * element is skipped. Required reads (`string`, `number`, `object`) still throw: use them only for what the
 * platform must act on.
 */
export class JsonReader {
  constructor(
    readonly json: JsonObject,
    private readonly path: string,
    private readonly prefix = '',
    readonly lenient = false,
  ) {}

  /** The same object read tolerantly (see the class comment). */
  tolerant(): JsonReader {
    return this.lenient ? this : new JsonReader(this.json, this.path, this.prefix, true);
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined || value === '') throw this.error(key, 'is missing');
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (this.lenient) return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
    throw this.error(key, 'is not a string');
  }

  /** A string that may also come as a number (WeCom is not consistent about ids and flags). */
  optionalStringish(key: string): string | undefined {
    const value = this.json[key];
    if (typeof value === 'number') return String(value);
    return this.optionalString(key);
  }

  number(key: string): number {
    const value = this.optionalNumber(key);
    if (value === undefined) throw this.error(key, 'is missing');
    return value;
  }

  optionalNumber(key: string): number | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
    if (this.lenient) return undefined;
    throw this.error(key, 'is not a number');
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 1) return true;
    if (value === 'false' || value === 0) return false;
    if (this.lenient) return value === '1' ? true : value === '0' ? false : undefined;
    throw this.error(key, 'is not a boolean');
  }

  object(key: string): JsonReader {
    const value = this.optionalObject(key);
    if (value === undefined) throw this.error(key, 'is missing');
    return value;
  }

  optionalObject(key: string): JsonReader | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) {
      if (this.lenient) return undefined;
      throw this.error(key, 'is not an object');
    }
    return new JsonReader(value, this.path, `${this.prefix}${key}.`, this.lenient);
  }

  /** The elements of an array field that are objects; a missing field is an empty list. */
  objects(key: string): JsonReader[] {
    const out: JsonReader[] = [];
    this.array(key).forEach((item, i) => {
      if (isJsonObject(item)) out.push(new JsonReader(item, this.path, `${this.prefix}${key}[${i}].`, this.lenient));
      else if (!this.lenient) throw this.error(`${key}[${i}]`, 'is not an object');
    });
    return out;
  }

  numbers(key: string): number[] {
    const out: number[] = [];
    this.array(key).forEach((item, i) => {
      if (typeof item === 'number') out.push(item);
      else if (typeof item === 'string' && /^-?\d{1,15}$/.test(item)) out.push(Number(item));
      else if (!this.lenient) throw this.error(`${key}[${i}]`, 'is not a number');
    });
    return out;
  }

  strings(key: string): string[] {
    const out: string[] = [];
    this.array(key).forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else if (this.lenient && typeof item === 'number') out.push(String(item));
      else if (!this.lenient) throw this.error(`${key}[${i}]`, 'is not a string');
    });
    return out;
  }

  private array(key: string): JsonValue[] {
    const value = this.json[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    if (this.lenient) return [];
    throw this.error(key, 'is not an array');
  }

  private error(key: string, problem: string): WecomResponseError {
    return new WecomResponseError(this.path, `field ${this.prefix}${key} ${problem}`);
  }
}
