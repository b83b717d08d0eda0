/**
 * The delivery schedule: seconds to wait before each attempt, the first normally 0. The default is the common
 * webhook schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) continued every 10 h: 12 attempts spread
 * over about 2.8 days, after which the delivery is `failed` (visible, resendable).
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000];

/**
 * Delay before attempt number `attempt + 1` after `attempt` attempts failed (attempt ≥ 1), ms, with ±`jitter`
 * (fraction, default 0.2) so that a receiver coming back is not hit by every delivery at once. Null when the
 * schedule is exhausted: the delivery has failed for good.
 */
export function retryDelayMs(schedule: readonly number[], attempt: number, jitter = 0.2, random: () => number = Math.random): number | null {
  if (attempt >= schedule.length) return null;
  const base = schedule[attempt] * 1000;
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

/** What the receiver's answer means for the delivery. */
export type AttemptVerdict = 'delivered' | 'endpoint_gone' | 'retry';

/** 2xx delivered; 410 Gone disables the endpoint; everything else (3xx, 4xx, 5xx, timeouts, network) retries. */
export function verdictOf(status: number | null): AttemptVerdict {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'endpoint_gone';
  return 'retry';
}
