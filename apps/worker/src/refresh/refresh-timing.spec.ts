import { refreshJobId } from '@app/queues';
import { tokenKeyId } from '@app/tokens';
import { refreshJobFor, refreshLimiter, refreshTiming, tokenKeyOfJob } from '../refresh/refresh-timing.js';

const production = {
  REFRESH_MARGIN_SECONDS: 900,
  REFRESH_JITTER_SECONDS: 120,
  TOKEN_SERVE_MARGIN_SECONDS: 300,
  REFRESH_SWEEP_INTERVAL_MS: 5000,
  WECOM_CALLS_PER_MINUTE: 18000,
};

describe('refreshTiming', () => {
  it('derives lease and per-sweep take limit from the configuration', () => {
    expect(refreshTiming(production)).toEqual({
      marginMs: 900_000,
      jitterMs: 120_000,
      serveMarginMs: 300_000,
      sweepIntervalMs: 5000,
      leaseMs: 60_000,
      takeLimit: 2700,
    });
  });

  it('scales with a fast simulated clock: fractions of seconds, a lease of at least two sweeps', () => {
    const timing = refreshTiming({ ...production, REFRESH_MARGIN_SECONDS: 2.5, REFRESH_JITTER_SECONDS: 0.33, TOKEN_SERVE_MARGIN_SECONDS: 0.83, REFRESH_SWEEP_INTERVAL_MS: 250 });
    expect(timing).toMatchObject({ marginMs: 2500, jitterMs: 330, serveMarginMs: 830, leaseMs: 625 });
    expect(refreshTiming({ ...production, REFRESH_MARGIN_SECONDS: 1, REFRESH_SWEEP_INTERVAL_MS: 1000 }).leaseMs).toBe(2000);
  });

  it('keeps the limiter at one window per second and at least one job', () => {
    expect(refreshLimiter(18000)).toEqual({ max: 270, duration: 1000 });
    expect(refreshLimiter(1)).toEqual({ max: 1, duration: 1000 });
  });
});

describe('refresh jobs and the due-time index', () => {
  it('maps index members to refresh jobs and back', () => {
    for (const key of [
      { kind: 'suite', suiteId: 'wws1' },
      { kind: 'provider', suiteId: 'wws1' },
      { kind: 'corp', suiteId: 'wws1', corpId: 'wwc1' },
      { kind: 'jsapi', suiteId: 'wws1', corpId: 'wwc1' },
      { kind: 'agent', suiteId: 'wws1', corpId: 'wwc1' },
    ] as const) {
      const job = refreshJobFor(tokenKeyId(key))!;
      expect(tokenKeyOfJob(job.name, job.data)).toEqual(key);
    }
    expect(refreshJobFor('corp|wws1|wwc1')).toEqual({ name: 'refresh-corp-token', data: { suiteId: 'wws1', corpId: 'wwc1' } });
  });

  it('rejects malformed members instead of queueing nonsense', () => {
    expect(refreshJobFor('bogus|wws1|')).toBeNull();
    expect(refreshJobFor('corp|wws1|')).toBeNull();
    expect(refreshJobFor('suite|wws1|wwc1')).toBeNull();
    expect(refreshJobFor('suite||')).toBeNull();
  });

  it('gives each token one job id that BullMQ accepts (not numeric, no colon)', () => {
    const id = refreshJobId({ name: 'refresh-corp-token', data: { suiteId: 'wws1', corpId: 'wwc1' } });
    expect(id).toBe('refresh-corp-token|wws1|wwc1');
    expect(id).not.toContain(':');
    expect(refreshJobId({ name: 'refresh-suite-token', data: { suiteId: '123' } })).toBe('refresh-suite-token|123|');
  });
});
