import { AuthCodeInProgressError, AuthCodeUnusableError } from '@app/tenants';
import { TokenUnavailableError } from '@app/tokens';
import { InvalidCredentialError, RateLimitedError, SystemBusyError, TokenInvalidError, WecomApiError, WecomNetworkError } from '@app/wecom';
import { AuthAppError, mapAuthError } from './auth-errors.js';

describe('mapAuthError', () => {
  it('maps each token reason to a status and a stable code', () => {
    const cases: [TokenUnavailableError['reason'], number, string][] = [
      ['suite_not_found', 404, 'suite_not_found'],
      ['corp_not_found', 404, 'corp_not_found'],
      ['corp_inactive', 404, 'corp_inactive'],
      ['no_suite_ticket', 503, 'no_suite_ticket'],
      ['busy', 503, 'token_busy'],
      ['wecom_error', 502, 'wecom_error'],
    ];
    for (const [reason, statusCode, error] of cases) {
      expect(mapAuthError(new TokenUnavailableError(reason, `because ${reason}`))).toEqual({ statusCode, error, message: `because ${reason}` });
    }
  });

  it('maps WeCom failures by kind, naming the path and errcode only', () => {
    expect(mapAuthError(new RateLimitedError('/cgi-bin/x', 45009, 'freq'))).toMatchObject({ statusCode: 503, error: 'wecom_rate_limited' });
    expect(mapAuthError(new InvalidCredentialError('/cgi-bin/x', 40078, 'bad code'))).toEqual({
      statusCode: 502,
      error: 'wecom_error',
      message: 'WeCom /cgi-bin/x answered errcode 40078',
    });
    expect(mapAuthError(new SystemBusyError('/cgi-bin/x', -1, 'busy'))).toMatchObject({ statusCode: 502, error: 'wecom_error' });
    expect(mapAuthError(new WecomNetworkError('/cgi-bin/x', 'ECONNREFUSED'))).toMatchObject({ statusCode: 502, error: 'wecom_unavailable' });
  });

  it('maps a license call WeCom refused for its content to license_error (409), not a WeCom outage', () => {
    // 60111: active_account for a member the corp does not have — the caller's mistake.
    expect(mapAuthError(new WecomApiError('/cgi-bin/license/active_account', 60111, 'userid not found'))).toEqual({
      statusCode: 409,
      error: 'license_error',
      message: 'WeCom /cgi-bin/license/active_account refused: errcode 60111',
    });
    expect(mapAuthError(new WecomApiError('/cgi-bin/user/get', 60111, 'userid not found'))).toMatchObject({ statusCode: 502, error: 'wecom_error' });
    expect(mapAuthError(new TokenInvalidError('/cgi-bin/license/active_account', 42009, 'expired'))).toMatchObject({ statusCode: 502, error: 'wecom_error' });
    expect(mapAuthError(new SystemBusyError('/cgi-bin/license/active_account', -1, 'busy'))).toMatchObject({ statusCode: 502, error: 'wecom_error' });
  });

  it('maps its own errors and a concurrent install, and leaves anything else to the platform', () => {
    expect(mapAuthError(new AuthAppError('corp_cancelled', 'gone'))).toEqual({ statusCode: 404, error: 'corp_cancelled', message: 'gone' });
    expect(mapAuthError(new AuthCodeInProgressError('x'))).toMatchObject({ statusCode: 503, error: 'install_in_progress' });
    expect(mapAuthError(new AuthCodeUnusableError('sent, no answer'))).toMatchObject({ statusCode: 502, error: 'install_outcome_unknown' });
    expect(mapAuthError(new Error('boom'))).toBeNull();
  });
});
