import { FaultInjector, FaultInputError } from './fault-injector.js';

/** A random source returning the given values in turn. */
function sequence(...values: number[]) {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('FaultInjector', () => {
  it('injects an errcode into the next N calls only', () => {
    const faults = new FaultInjector();
    faults.add({ errcode: -1, count: 2 });
    const decisions = [1, 2, 3].map(() => faults.decide('/cgi-bin/service/get_corp_token', 0));
    expect(decisions.map((d) => d?.action)).toEqual(['errcode', 'errcode', undefined]);
    expect(decisions[0]).toMatchObject({ errcode: -1, httpStatus: 200 });
    expect(faults.list(0)).toEqual([]);
    expect(faults.injected).toBe(2);
  });

  it('injects into the given share of calls', () => {
    const faults = new FaultInjector(sequence(0.1, 0.6, 0.29, 0.9));
    faults.add({ errcode: 45009, ratio: 0.3 });
    const hits = [1, 2, 3, 4].map(() => faults.decide('/cgi-bin/x', 0) !== undefined);
    expect(hits).toEqual([true, false, true, false]);
  });

  it('matches path prefixes and leaves other paths alone', () => {
    const faults = new FaultInjector();
    faults.add({ http_status: 502, paths: ['/cgi-bin/service/get_suite_token'] });
    expect(faults.decide('/cgi-bin/service/get_corp_token', 0)).toBeUndefined();
    expect(faults.decide('/cgi-bin/service/get_suite_token', 0)).toMatchObject({ action: 'http', httpStatus: 502 });
  });

  it('stops at until_ms on the simulated clock', () => {
    const faults = new FaultInjector();
    faults.add({ drop: true, until_ms: 1000 });
    expect(faults.decide('/cgi-bin/a', 999)?.action).toBe('drop');
    expect(faults.decide('/cgi-bin/a', 1000)).toBeUndefined();
    expect(faults.list(1000)).toEqual([]);
  });

  it('delays without failing when only latency is given', () => {
    const faults = new FaultInjector();
    faults.add({ latency_ms: 250, count: 1 });
    expect(faults.decide('/cgi-bin/a', 0)).toEqual({ action: 'delay', latencyMs: 250, ruleId: 1 });
  });

  it('uses the first rule that fires', () => {
    const faults = new FaultInjector(sequence(0.99));
    faults.add({ errcode: 1, ratio: 0.5 });
    faults.add({ errcode: 2 });
    expect(faults.decide('/cgi-bin/a', 0)).toMatchObject({ errcode: 2 });
  });

  it('rejects meaningless or malformed rules', () => {
    const faults = new FaultInjector();
    expect(() => faults.add({ count: 1 })).toThrow(FaultInputError);
    expect(() => faults.add({ errcode: 1, ratio: 0 })).toThrow('ratio must be in (0, 1]');
    expect(() => faults.add({ errcode: 1, count: 1.5 })).toThrow('count must be a positive integer');
    expect(() => faults.add({ http_status: 99 })).toThrow(FaultInputError);
    expect(() => faults.add({ errcode: 1, paths: ['cgi-bin'] })).toThrow(FaultInputError);
  });
});
