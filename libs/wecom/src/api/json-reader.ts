import { WecomResponseError } from './errors.js';
import type { JsonObject, JsonValue } from './types.js';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed, validating reads of a WeCom JSON response. A missing required field or a wrong type is a
 * `WecomResponseError` naming the field, never the value.
 */
export class JsonReader {
  constructor(
    readonly json: JsonObject,
    private readonly path: string,
    private readonly prefix = '',
  ) {}

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined || value === '') throw this.error(key, 'is missing');
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.error(key, 'is not a string');
    return value;
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
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
    throw this.error(key, 'is not a number');
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 1) return true;
    if (value === 'false' || value === 0) return false;
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
    if (!isJsonObject(value)) throw this.error(key, 'is not an object');
    return new JsonReader(value, this.path, `${this.prefix}${key}.`);
  }

  /** The elements of an array field that are objects; a missing field is an empty list. */
  objects(key: string): JsonReader[] {
    return this.array(key).map((item, i) => {
      if (!isJsonObject(item)) throw this.error(`${key}[${i}]`, 'is not an object');
      return new JsonReader(item, this.path, `${this.prefix}${key}[${i}].`);
    });
  }

  numbers(key: string): number[] {
    return this.array(key).map((item, i) => {
      if (typeof item === 'number') return item;
      if (typeof item === 'string' && /^-?\d{1,15}$/.test(item)) return Number(item);
      throw this.error(`${key}[${i}]`, 'is not a number');
    });
  }

  strings(key: string): string[] {
    return this.array(key).map((item, i) => {
      if (typeof item === 'string') return item;
      throw this.error(`${key}[${i}]`, 'is not a string');
    });
  }

  private array(key: string): JsonValue[] {
    const value = this.json[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.error(key, 'is not an array');
    return value;
  }

  private error(key: string, problem: string): WecomResponseError {
    return new WecomResponseError(this.path, `field ${this.prefix}${key} ${problem}`);
  }
}
