import { isIP } from 'node:net';

/**
 * A tiny, dependency-free environment schema: each variable has a parser that either returns a typed value
 * or throws a message; `readEnv` collects every problem and names each bad variable in one error.
 */
export type EnvParser<T> = (raw: string | undefined) => T;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

class EnvValueError extends Error {}

function required<T>(parse: (raw: string) => T, fallback?: T): EnvParser<T> {
  return (raw) => {
    if (raw === undefined || raw === '') {
      if (fallback !== undefined) return fallback;
      throw new EnvValueError('is required');
    }
    return parse(raw);
  };
}

export function str(fallback?: string): EnvParser<string> {
  return required((raw) => raw, fallback);
}

export function optionalStr(): EnvParser<string | undefined> {
  return (raw) => (raw === undefined || raw === '' ? undefined : raw);
}

export function int(fallback: number | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): EnvParser<number> {
  return required((raw) => {
    if (!/^-?\d+$/.test(raw)) throw new EnvValueError(`must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new EnvValueError(`must be between ${min} and ${max}, got ${n}`);
    return n;
  }, fallback);
}

export function num(fallback: number | undefined, min = 0, max = Number.POSITIVE_INFINITY): EnvParser<number> {
  return required((raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new EnvValueError(`must be a number >= ${min}, got "${raw}"`);
    if (n > max) throw new EnvValueError(`must be a number <= ${max}, got ${n}`);
    return n;
  }, fallback);
}

export function url(fallback: string | undefined, protocols: string[]): EnvParser<string> {
  return required((raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new EnvValueError(`must be a URL, got "${redact(raw)}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new EnvValueError(`must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return raw.replace(/\/+$/, '');
  }, fallback);
}

/** An optional WeCom id (corpid, suite id): 1-64 characters [A-Za-z0-9_-], as WeCom issues them; unset is `undefined`. */
export function optionalWecomId(): EnvParser<string | undefined> {
  return (raw) => {
    if (raw === undefined || raw === '') return undefined;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw new EnvValueError(`must be a WeCom corpid (1-64 characters [A-Za-z0-9_-]), got "${raw.slice(0, 80)}"`);
    return raw;
  };
}

/** An optional integer: empty or unset is `undefined`. */
export function optionalInt(min = 0, max = Number.MAX_SAFE_INTEGER): EnvParser<number | undefined> {
  const parse = int(undefined, min, max);
  return (raw) => (raw === undefined || raw === '' ? undefined : parse(raw));
}

/** Like `url`, but empty or unset is `undefined` (the caller falls back to another setting). */
export function optionalUrl(protocols: string[]): EnvParser<string | undefined> {
  const parse = url(undefined, protocols);
  return (raw) => (raw === undefined || raw === '' ? undefined : parse(raw));
}

/**
 * Comma-separated IP addresses or CIDR ranges (`10.0.0.0/8, 2001:db8::/32, 127.0.0.1`); empty by default. Used for
 * the proxies whose `X-Forwarded-For` is believed and the private webhook targets allowed.
 */
/** The non-empty, trimmed items of a comma-separated variable (none when unset). */
function commaItems(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function cidrList(): EnvParser<string[]> {
  return (raw) =>
    commaItems(raw).map((item) => {
        const [address, bits, extra] = item.split('/');
        const family = isIP(address);
        const maxBits = family === 6 ? 128 : 32;
        const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
        if (!family || !bitsOk || extra !== undefined) throw new EnvValueError(`must list IP addresses or CIDR ranges like 10.0.0.0/8, got "${item}"`);
        return item;
      });
}

export function oneOf<T extends string>(fallback: T, values: readonly T[]): EnvParser<T> {
  return required((raw) => {
    if (!values.includes(raw as T)) throw new EnvValueError(`must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  }, fallback);
}

/** Comma-separated http(s) origins (`https://app.example.com`), normalised; empty by default. */
export function originList(): EnvParser<string[]> {
  return (raw) =>
    commaItems(raw).map((item) => {
        let parsed: URL;
        try {
          parsed = new URL(item);
        } catch {
          throw new EnvValueError(`must list origins like https://app.example.com, got "${redact(item)}"`);
        }
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
          throw new EnvValueError(`must list http or https origins, got "${parsed.protocol}"`);
        }
        return parsed.origin;
      });
}

/** A 32-byte key given as base64 (the value itself is never echoed in errors). */
export function key32(): EnvParser<Buffer> {
  return required((raw) => parseKey32(raw));
}

/** A 32-byte base64 key that only some uses need (the CLI: commands that seal or open secrets); undefined if unset. */
export function optionalKey32(): EnvParser<Buffer | undefined> {
  return (raw) => (raw === undefined || raw === '' ? undefined : parseKey32(raw));
}

/** Comma-separated list of 32-byte base64 keys; empty by default. */
export function key32List(): EnvParser<Buffer[]> {
  return (raw) =>
    commaItems(raw).map(parseKey32);
}

function parseKey32(raw: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) throw new EnvValueError('must be base64');
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new EnvValueError(`must decode to 32 bytes, got ${key.length}`);
  return key;
}

/** Hides a password inside a URL so it can appear in an error message. */
function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export type EnvSchema = Record<string, EnvParser<unknown>>;
export type EnvOf<S extends EnvSchema> = { [K in keyof S]: ReturnType<S[K]> };

export function readEnv<S extends EnvSchema>(schema: S, env: NodeJS.ProcessEnv): EnvOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, parse] of Object.entries(schema)) {
    try {
      out[name] = parse(env[name]);
    } catch (err) {
      if (!(err instanceof EnvValueError)) throw err;
      problems.push(`${name} ${err.message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as EnvOf<S>;
}

/** `true`/`false` (also 1/0, yes/no). */
export function bool(fallback: boolean): EnvParser<boolean> {
  return required((raw) => {
    const v = raw.toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    throw new EnvValueError(`must be true or false, got "${raw}"`);
  }, fallback);
}

/** Comma-separated non-negative numbers (seconds), at least one. */
export function numList(fallback: readonly number[]): EnvParser<number[]> {
  return required((raw) => {
    const items = raw.split(',').map((s) => s.trim());
    const out = items.map(Number);
    if (!items.length || items.some((s) => s === '') || out.some((n) => !Number.isFinite(n) || n < 0)) {
      throw new EnvValueError(`must be comma-separated non-negative numbers, got "${raw}"`);
    }
    return out;
  }, [...fallback]);
}

/** Comma-separated `host:port` pairs (Redis Sentinels, Cluster seed nodes); none when unset. */
export function hostPortList(): EnvParser<{ host: string; port: number }[]> {
  return (raw) =>
    commaItems(raw).map((item) => {
      const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(item);
      const port = match ? Number(match[2]) : 0;
      if (!match || port < 1 || port > 65535) throw new EnvValueError(`must list host:port pairs like 10.0.0.5:26379, got "${item}"`);
      return { host: match[1].replace(/^\[|\]$/g, ''), port };
    });
}
