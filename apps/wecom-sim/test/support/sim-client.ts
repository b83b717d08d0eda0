import type { Simulator } from '../../src/simulator.js';

export type Json = Record<string, unknown>;

export interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  /** Send this exact text as the body (e.g. malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Talks to a running simulator over real HTTP, as the platform's WeCom client would. */
export class SimClient {
  constructor(private readonly sim: Simulator) {}

  get url(): string {
    return this.sim.url;
  }

  async get(path: string, query: Record<string, string> = {}): Promise<Json> {
    return this.call('GET', path, { query });
  }

  async post(path: string, body?: unknown, query: Record<string, string> = {}): Promise<Json> {
    return this.call('POST', path, { query, body });
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Json> {
    const res = await this.fetch(method, path, options);
    return (await res.json()) as Json;
  }

  async fetch(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const url = new URL(path, this.sim.url);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
    return fetch(url, { method, body, headers, redirect: 'manual' });
  }

  /** Control API call that must succeed (2xx); returns the JSON body. */
  async control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Json> {
    const res = await this.fetch(method, path, { body });
    const json = (await res.json()) as Json;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
}
