import {
  ApiForbiddenError,
  InvalidCredentialError,
  PermanentCodeInvalidError,
  RateLimitedError,
  SystemBusyError,
  TokenInvalidError,
  toWecomError,
  WecomApiError,
  WecomError,
  WecomErrorKind,
  WecomHttpError,
  WecomNetworkError,
  WecomResponseError,
  WecomTimeoutError,
} from './errors.js';

type ErrorClass = abstract new (...args: never[]) => WecomApiError;

describe('toWecomError', () => {
  it.each<[number, ErrorClass, WecomErrorKind, boolean]>([
    [-1, SystemBusyError, 'busy', true],
    [40014, TokenInvalidError, 'token', false],
    [42001, TokenInvalidError, 'token', false],
    [41001, TokenInvalidError, 'token', false],
    [40082, TokenInvalidError, 'token', false],
    [42009, TokenInvalidError, 'token', false],
    [45009, RateLimitedError, 'rate-limit', false],
    [45011, RateLimitedError, 'rate-limit', false],
    [45033, RateLimitedError, 'rate-limit', false],
    [40001, InvalidCredentialError, 'credential', false],
    [40013, InvalidCredentialError, 'credential', false],
    [40080, InvalidCredentialError, 'credential', false],
    [40083, InvalidCredentialError, 'credential', false],
    [40085, InvalidCredentialError, 'credential', false],
    [40077, InvalidCredentialError, 'credential', false],
    [42007, InvalidCredentialError, 'credential', false],
    [40078, InvalidCredentialError, 'credential', false],
    [40084, PermanentCodeInvalidError, 'permanent-code', false],
    [48002, ApiForbiddenError, 'forbidden', false],
    [60020, ApiForbiddenError, 'forbidden', false],
    [60011, ApiForbiddenError, 'forbidden', false],
    [40029, WecomApiError, 'other', false],
    [42012, WecomApiError, 'other', false],
    [301002, WecomApiError, 'other', false],
  ])('maps errcode %i to %p', (errcode, errorClass, kind, retryable) => {
    const err = toWecomError('/cgi-bin/service/get_corp_token', errcode, 'some message');
    expect(err.constructor).toBe(errorClass);
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toBeInstanceOf(WecomError);
    expect(err).toBeInstanceOf(Error);
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(retryable);
    expect(err.errcode).toBe(errcode);
    expect(err.errmsg).toBe('some message');
    expect(err.path).toBe('/cgi-bin/service/get_corp_token');
    expect(err.name).toBe(errorClass.name);
  });

  it('keeps PermanentCodeInvalidError a kind of InvalidCredentialError', () => {
    expect(toWecomError('/p', 40084, 'invalid permanent_code')).toBeInstanceOf(InvalidCredentialError);
  });

  it('puts path, errcode and errmsg in the message', () => {
    expect(toWecomError('/cgi-bin/service/get_suite_token', 40085, 'invalid suite_ticket').message).toBe(
      'WeCom /cgi-bin/service/get_suite_token failed with errcode 40085: invalid suite_ticket',
    );
  });
});

describe('transport errors', () => {
  it('retries HTTP 5xx but not 4xx', () => {
    expect(new WecomHttpError('/p', 502).retryable).toBe(true);
    expect(new WecomHttpError('/p', 500).retryable).toBe(true);
    expect(new WecomHttpError('/p', 404).retryable).toBe(false);
    expect(new WecomHttpError('/p', 429).retryable).toBe(false);
  });

  it('retries timeouts and network failures, not unexpected responses', () => {
    expect(new WecomTimeoutError('/p', 5000).retryable).toBe(true);
    expect(new WecomNetworkError('/p', 'ECONNRESET').retryable).toBe(true);
    expect(new WecomResponseError('/p', 'body is not JSON').retryable).toBe(false);
  });

  it('names the failure without any query string', () => {
    expect(new WecomTimeoutError('/cgi-bin/gettoken', 5000).message).toBe('WeCom /cgi-bin/gettoken did not answer within 5000 ms');
    expect(new WecomNetworkError('/cgi-bin/gettoken', 'ECONNREFUSED').message).toBe(
      'WeCom /cgi-bin/gettoken could not be reached (ECONNREFUSED)',
    );
    expect(new WecomHttpError('/cgi-bin/gettoken', 503).name).toBe('WecomHttpError');
  });
});
