import { ControlError } from './wecom-error.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** `POST /sim/response-patches` body. */
export interface ResponsePatchInput {
  /** Path prefixes of the WeCom API whose successful answers are changed. */
  paths: string[];
  /** Merged into the answer, objects deeply (a value replaces; `null` stays null, as WeCom sends it). */
  set?: JsonObject;
  /** Top-level fields removed from the answer. */
  remove?: string[];
  /** Applies to this many answers, then goes; default every answer until cleared. */
  count?: number;
}

interface Rule {
  paths: string[];
  set: JsonObject;
  remove: string[];
  remaining: number;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isObject(value) && isObject(current) ? merge(current, value) : value;
  }
  return out;
}

/**
 * WeCom's answers differ from its documented samples in informational fields (a direct install answered with
 * `"dealer_corp_info": {"corpid": "", "corp_name": ""}`, numbers sent as strings, extra fields, missing blocks).
 * These rules change successful answers that way, so a client's tolerance can be tried against real HTTP.
 * Error answers are never changed.
 */
export class ResponsePatches {
  private rules: Rule[] = [];

  add(input: ResponsePatchInput): void {
    if (!Array.isArray(input.paths) || !input.paths.length || input.paths.some((p) => typeof p !== 'string' || !p.startsWith('/cgi-bin/'))) {
      throw new ControlError(400, 'paths must be a non-empty list of /cgi-bin/ path prefixes');
    }
    if (input.set !== undefined && !isObject(input.set)) throw new ControlError(400, 'set must be an object');
    if (input.remove !== undefined && (!Array.isArray(input.remove) || input.remove.some((k) => typeof k !== 'string'))) {
      throw new ControlError(400, 'remove must be a list of field names');
    }
    if (input.count !== undefined && (!Number.isInteger(input.count) || input.count < 1)) throw new ControlError(400, 'count must be a positive integer');
    this.rules.push({ paths: input.paths, set: input.set ?? {}, remove: input.remove ?? [], remaining: input.count ?? Infinity });
  }

  clear(): void {
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  /** The answer as sent: changed by the first matching rule when it is a success (errcode absent or 0). */
  apply(path: string, answer: unknown): unknown {
    if (!this.rules.length || !isObject(answer) || (answer.errcode !== undefined && answer.errcode !== 0)) return answer;
    const rule = this.rules.find((r) => r.paths.some((p) => path.startsWith(p)));
    if (!rule) return answer;
    if (--rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    const patched = merge(answer, rule.set);
    for (const key of rule.remove) delete patched[key];
    return patched;
  }
}
