import { isCorpLevel, parseTokenKeyId, tokenKey, tokenKeyId, TokenUnavailableError } from './token-key.js';

describe('token keys', () => {
  it('round-trips every kind through its id', () => {
    for (const key of [
      tokenKey('suite', 'wws1'),
      tokenKey('provider', 'wws1'),
      tokenKey('corp', 'wws1', 'wwc1'),
      tokenKey('jsapi', 'wws1', 'wwc1'),
      tokenKey('agent', 'wws1', 'wwc1'),
    ]) {
      expect(parseTokenKeyId(tokenKeyId(key))).toEqual(key);
    }
    expect(tokenKeyId(tokenKey('suite', 'wws1'))).toBe('suite|wws1|');
    expect(tokenKeyId(tokenKey('corp', 'wws1', 'wwc1'))).toBe('corp|wws1|wwc1');
  });

  it('refuses a corp-level kind without a corp id and a suite-level kind with one', () => {
    expect(() => tokenKey('corp', 'wws1')).toThrow('a corp token needs a corp id');
    expect(() => tokenKey('suite', 'wws1', 'wwc1')).toThrow('a suite token belongs to a suite, not to corp wwc1');
  });

  it('parses malformed ids to null instead of a key', () => {
    for (const id of ['bogus|wws1|', 'corp|wws1|', 'suite|wws1|wwc1', 'suite||', 'corp|wws1|wwc1|extra', '']) {
      expect(parseTokenKeyId(id)).toBeNull();
    }
  });

  it('tells corp-level kinds from suite-level ones', () => {
    expect(['suite', 'provider', 'corp', 'jsapi', 'agent'].filter((k) => isCorpLevel(k as never))).toEqual(['corp', 'jsapi', 'agent']);
  });
});

describe('TokenUnavailableError', () => {
  it('is permanent only for reasons another attempt cannot change', () => {
    const permanent = (['suite_not_found', 'corp_not_found', 'corp_cancelled', 'corp_suspended', 'corp_inactive', 'no_provider_credentials'] as const).map(
      (r) => new TokenUnavailableError(r, r).permanent,
    );
    const transient = (['no_suite_ticket', 'wecom_error', 'busy'] as const).map((r) => new TokenUnavailableError(r, r).permanent);
    expect(permanent).toEqual([true, true, true, true, true, true]);
    expect(transient).toEqual([false, false, false]);
  });
});
