import { retryDelayMs, WecomServiceApi } from './service-api.js';

describe('retryDelayMs', () => {
  it('doubles per retry and jitters within the upper half of each step', () => {
    expect(retryDelayMs(0, 200, () => 0)).toBe(100);
    expect(retryDelayMs(0, 200, () => 1)).toBe(200);
    expect(retryDelayMs(1, 200, () => 0)).toBe(200);
    expect(retryDelayMs(2, 200, () => 1)).toBe(800);
    expect(retryDelayMs(2, 200, () => 0.5)).toBe(600);
  });

  it('never waits more than 10 seconds', () => {
    expect(retryDelayMs(20, 200, () => 1)).toBe(10_000);
  });

  it('waits nothing when the base delay is 0', () => {
    expect(retryDelayMs(3, 0)).toBe(0);
  });
});

describe('WecomServiceApi options', () => {
  it('accepts any http(s) base URL, such as the simulator’s', () => {
    expect(() => new WecomServiceApi({ baseUrl: 'http://127.0.0.1:3999/' })).not.toThrow();
    expect(() => new WecomServiceApi({ baseUrl: 'https://qyapi.weixin.qq.com' })).not.toThrow();
  });

  it.each([
    ['a base URL that is not a URL', { baseUrl: 'qyapi.weixin.qq.com' }, TypeError],
    ['a non-http base URL', { baseUrl: 'ftp://example.com' }, TypeError],
    ['a zero timeout', { baseUrl: 'http://x', timeoutMs: 0 }, RangeError],
    ['negative retries', { baseUrl: 'http://x', maxRetries: -1 }, RangeError],
    ['a fractional base delay', { baseUrl: 'http://x', retryBaseDelayMs: 1.5 }, RangeError],
  ])('refuses %s', (_label, options, errorClass) => {
    expect(() => new WecomServiceApi(options)).toThrow(errorClass);
  });
});
