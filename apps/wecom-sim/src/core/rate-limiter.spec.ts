import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('admits everything without rules', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 1000; i++) expect(limiter.admit('global', {}, i)).toBe(true);
    expect(limiter.hasRules).toBe(false);
  });

  it('refuses the call over the per-minute limit and locks out for 60 s', () => {
    const limiter = new RateLimiter();
    limiter.set({ scope: 'global', perMinute: 3 });
    const t0 = 1_000_000;
    expect([1, 2, 3].map((i) => limiter.admit('global', {}, t0 + i))).toEqual([true, true, true]);
    expect(limiter.admit('global', {}, t0 + 4)).toBe(false);
    // Still locked out 59 s after the breach, even though a new minute started.
    expect(limiter.admit('global', {}, t0 + 4 + 59_000)).toBe(false);
    expect(limiter.admit('global', {}, t0 + 4 + 60_000)).toBe(true);
    expect(limiter.limited).toBe(2);
  });

  it('starts a fresh window each minute when under the limit', () => {
    const limiter = new RateLimiter();
    limiter.set({ scope: 'global', perMinute: 2 });
    expect(limiter.admit('global', {}, 0)).toBe(true);
    expect(limiter.admit('global', {}, 1)).toBe(true);
    expect(limiter.admit('global', {}, 60_000)).toBe(true);
    expect(limiter.admit('global', {}, 60_001)).toBe(true);
    expect(limiter.admit('global', {}, 60_002)).toBe(false);
  });

  it('counts corp and suite scopes per id and ignores calls without that id', () => {
    const limiter = new RateLimiter();
    limiter.set({ scope: 'corp', perMinute: 1 });
    expect(limiter.admit('corp', { corpId: 'a' }, 0)).toBe(true);
    expect(limiter.admit('corp', { corpId: 'b' }, 0)).toBe(true);
    expect(limiter.admit('corp', { corpId: 'a' }, 1)).toBe(false);
    expect(limiter.admit('corp', { suiteId: 's' }, 1)).toBe(true);
    expect(limiter.admit('suite', { suiteId: 's' }, 1)).toBe(true);
  });

  it('validates rules and forgets them on clear', () => {
    const limiter = new RateLimiter();
    expect(() => limiter.set({ scope: 'global', perMinute: 0 })).toThrow(RangeError);
    limiter.set({ scope: 'suite', perMinute: 5 });
    expect(limiter.list()).toEqual([{ scope: 'suite', perMinute: 5 }]);
    limiter.clear();
    expect(limiter.list()).toEqual([]);
  });
});
