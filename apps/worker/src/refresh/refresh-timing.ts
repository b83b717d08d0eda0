import type { WorkerConfig } from '@app/config';
import type { RefreshJob, RefreshJobName } from '@app/queues';
import { parseTokenKeyId, tokenKey, TokenKey, TokenKind } from '@app/tokens';

/** Injection token of the worker's `RefreshTiming`. */
export const REFRESH_TIMING = Symbol('REFRESH_TIMING');

/** Everything about when tokens are refreshed, derived once from the configuration. */
export interface RefreshTiming {
  /** refresh once a token has less than this left */
  marginMs: number;
  /** up to this much earlier, at random */
  jitterMs: number;
  serveMarginMs: number;
  sweepIntervalMs: number;
  /**
   * A sweep pushes each token it takes this far ahead, so that a token whose job is lost, fails for good or
   * cannot run yet (no suite_ticket) comes due again instead of being forgotten.
   */
  leaseMs: number;
  /** Most tokens one sweep takes: about two sweep intervals of what the global limiter lets through. */
  takeLimit: number;
}

const MAX_LEASE_MS = 60_000;

export function refreshTiming(
  config: Pick<
    WorkerConfig,
    'REFRESH_MARGIN_SECONDS' | 'REFRESH_JITTER_SECONDS' | 'TOKEN_SERVE_MARGIN_SECONDS' | 'REFRESH_SWEEP_INTERVAL_MS' | 'WECOM_CALLS_PER_MINUTE'
  >,
): RefreshTiming {
  const marginMs = Math.round(config.REFRESH_MARGIN_SECONDS * 1000);
  const jitterMs = Math.round(config.REFRESH_JITTER_SECONDS * 1000);
  const sweepIntervalMs = config.REFRESH_SWEEP_INTERVAL_MS;
  const refreshesPerSecond = refreshLimiter(config.WECOM_CALLS_PER_MINUTE).max;
  return {
    marginMs,
    jitterMs,
    serveMarginMs: Math.round(config.TOKEN_SERVE_MARGIN_SECONDS * 1000),
    sweepIntervalMs,
    leaseMs: Math.round(Math.min(MAX_LEASE_MS, Math.max(2 * sweepIntervalMs, marginMs / 4))),
    takeLimit: clamp(Math.ceil(((refreshesPerSecond * sweepIntervalMs) / 1000) * 2), 100, 20_000),
  };
}

/**
 * The refresh queue's job limiter, in one-second windows so the budget is spent smoothly rather than in a burst
 * at the top of each minute: 90 % of WECOM_CALLS_PER_MINUTE, so a refresh backlog always leaves room in the shared
 * WeCom call limiter (`RedisWecomCallLimiter`) for installs, cancels and the token API.
 */
export function refreshLimiter(callsPerMinute: number): { max: number; duration: number } {
  return { max: Math.max(1, Math.floor((callsPerMinute * 0.9) / 60)), duration: 1000 };
}

const JOB_OF_KIND: { readonly [K in TokenKind]: RefreshJobName } = {
  suite: 'refresh-suite-token',
  provider: 'refresh-provider-token',
  corp: 'refresh-corp-token',
  jsapi: 'refresh-jsapi-ticket',
  agent: 'refresh-agent-ticket',
};

const KIND_OF_JOB: { readonly [N in RefreshJobName]: TokenKind } = {
  'refresh-suite-token': 'suite',
  'refresh-provider-token': 'provider',
  'refresh-corp-token': 'corp',
  'refresh-jsapi-ticket': 'jsapi',
  'refresh-agent-ticket': 'agent',
};

export function isRefreshJobName(name: string): name is RefreshJobName {
  return Object.hasOwn(KIND_OF_JOB, name);
}

/** The refresh job for a member of the due-time index (`kind|suiteId|corpId`), or null for a malformed one. */
export function refreshJobFor(member: string): RefreshJob | null {
  const key = parseTokenKeyId(member);
  if (!key) return null;
  const name = JOB_OF_KIND[key.kind];
  return (key.corpId === undefined ? { name, data: { suiteId: key.suiteId } } : { name, data: { suiteId: key.suiteId, corpId: key.corpId } }) as RefreshJob;
}

/** The token a refresh job is about; throws when a corp-level job's payload has no corp id. */
export function tokenKeyOfJob(name: RefreshJobName, data: { suiteId: string; corpId?: string }): TokenKey {
  return tokenKey(KIND_OF_JOB[name], data.suiteId, data.corpId);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
