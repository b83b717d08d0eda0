import { isLicenseErrcode, LicenseApiError } from './license-api.js';
import { WecomApiError } from './errors.js';

describe('license errcodes', () => {
  it('takes the 701xxx range as license errors and nothing else', () => {
    expect(isLicenseErrcode(701_001)).toBe(true);
    expect(isLicenseErrcode(701_999)).toBe(true);
    expect(isLicenseErrcode(700_999)).toBe(false);
    expect(isLicenseErrcode(702_000)).toBe(false);
    expect(isLicenseErrcode(40_014)).toBe(false);
  });

  it('keeps the facts of a WeCom API error', () => {
    const err = new LicenseApiError('/cgi-bin/license/active_account', 701_003, 'active code already used');
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err.errcode).toBe(701_003);
    expect(err.kind).toBe('other');
    expect(err.message).not.toContain('provider_access_token');
  });
});
