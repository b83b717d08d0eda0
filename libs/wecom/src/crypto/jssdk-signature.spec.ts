import * as reference from '@wecom/crypto';
import { signJsapi } from './jssdk-signature.js';
import { randomNonce } from './random-nonce.js';

describe('signJsapi', () => {
  it('matches the worked example of the JS-SDK signature documentation', () => {
    expect(
      signJsapi({
        ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
        nonceStr: 'Wm3WZYTPz0wzccnW',
        timestamp: 1414587457,
        url: 'http://mp.weixin.qq.com?params=value',
      }),
    ).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('agrees with @wecom/crypto getJsApiSignature', () => {
    const input = { ticket: 'kgt8ON7yVITDhtdwci0qeZ', nonceStr: 'a1b2c3', timestamp: 1700000000, url: 'https://app.example.com/page?x=1' };
    expect(signJsapi(input)).toBe(reference.getJsApiSignature(input).signature);
  });

  it('signs the URL without its #fragment', () => {
    const base = { ticket: 't', nonceStr: 'n', timestamp: '1700000000' };
    const withFragment = signJsapi({ ...base, url: 'https://app.example.com/spa?x=1#/route/a#b' });
    expect(withFragment).toBe(signJsapi({ ...base, url: 'https://app.example.com/spa?x=1' }));
    expect(withFragment).toBe(reference.getJsApiSignature({ ...base, url: 'https://app.example.com/spa?x=1' }).signature);
  });

  it('treats a numeric and a string timestamp alike', () => {
    const base = { ticket: 't', nonceStr: 'n', url: 'https://a/' };
    expect(signJsapi({ ...base, timestamp: 1700000000 })).toBe(signJsapi({ ...base, timestamp: '1700000000' }));
  });
});

describe('randomNonce', () => {
  it('returns alphanumeric strings of the requested length', () => {
    expect(randomNonce()).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(randomNonce(32)).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(randomNonce(1)).toMatch(/^[A-Za-z0-9]$/);
  });

  it('does not repeat itself', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomNonce()));
    expect(seen.size).toBe(1000);
  });

  it('refuses a nonsensical length', () => {
    expect(() => randomNonce(0)).toThrow(RangeError);
    expect(() => randomNonce(1.5)).toThrow(RangeError);
  });
});
