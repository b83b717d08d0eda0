import { SimClock } from './sim-clock.js';

function fakeRealTime(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, tick: (ms: number) => (now += ms) };
}

describe('SimClock', () => {
  it('starts at real time and runs at real speed with factor 1', () => {
    const real = fakeRealTime();
    const clock = new SimClock(1, real.now);
    expect(clock.now()).toBe(1_700_000_000_000);
    real.tick(1500);
    expect(clock.now()).toBe(1_700_000_001_500);
    expect(clock.nowSeconds()).toBe(1_700_000_001);
  });

  it('scales elapsed real time by the factor', () => {
    const real = fakeRealTime();
    const clock = new SimClock(60, real.now);
    real.tick(2 * 60_000);
    expect(clock.now() - 1_700_000_000_000).toBe(7200 * 1000);
  });

  it('keeps simulated time continuous when the factor changes', () => {
    const real = fakeRealTime();
    const clock = new SimClock(10, real.now);
    real.tick(1000);
    const before = clock.now();
    clock.setTimeFactor(1000);
    expect(clock.now()).toBe(before);
    real.tick(10);
    expect(clock.now()).toBe(before + 10_000);
    expect(clock.timeFactor).toBe(1000);
  });

  it('reports expires_in in real seconds: simulated seconds left ÷ factor, rounded down, at least 1', () => {
    const real = fakeRealTime();
    const clock = new SimClock(1, real.now);
    const expiresAt = clock.now() + 7200 * 1000;
    expect(clock.realSecondsLeft(expiresAt)).toBe(7200);
    clock.advance(7199.5);
    expect(clock.realSecondsLeft(expiresAt)).toBe(1);
    clock.advance(1);
    expect(clock.realSecondsLeft(expiresAt)).toBe(1);
    const fast = new SimClock(60, real.now);
    const issuedAt = fast.now();
    const fastExpiry = issuedAt + 7200 * 1000;
    expect(fast.realSecondsLeft(fastExpiry, issuedAt)).toBe(120);
    real.tick(30_500);
    expect(fast.realSecondsLeft(fastExpiry)).toBe(89);
    expect(fast.realSeconds(1200)).toBe(20);
    expect(fast.realSeconds(30)).toBe(1);
  });

  it('converts a simulated instant to the real delay until it', () => {
    const real = fakeRealTime();
    const clock = new SimClock(100, real.now);
    expect(clock.realDelayUntil(clock.now() + 600_000)).toBe(6000);
    expect(clock.realDelayUntil(clock.now() - 1)).toBe(0);
  });

  it('goes back to real time on reset', () => {
    const real = fakeRealTime();
    const clock = new SimClock(5, real.now);
    clock.advance(3600);
    real.tick(1000);
    clock.reset(1);
    expect(clock.now()).toBe(real.now());
    expect(clock.timeFactor).toBe(1);
  });

  it('rejects a non-positive factor and going backwards', () => {
    expect(() => new SimClock(0)).toThrow(RangeError);
    const clock = new SimClock(1);
    expect(() => clock.setTimeFactor(-1)).toThrow(RangeError);
    expect(() => clock.advance(-5)).toThrow(RangeError);
  });
});
