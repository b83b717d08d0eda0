import { createHmac } from 'node:crypto';
import { LoginClaims, LoginTokenError, LoginTokenSigner } from './login-token.js';

const KEY = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);
const NOW = 1_800_000_000;

const claims: LoginClaims = {
  suiteId: 'wwsuite',
  scope: 'snsapi_base',
  member: true,
  corpId: 'wwcorp',
  userId: 'zhangsan',
  aud: 'https://app.example.com',
  iat: NOW,
  exp: NOW + 300,
  jti: 'j1',
};

function problemOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof LoginTokenError) return err.problem;
    throw err;
  }
  return undefined;
}

describe('LoginTokenSigner', () => {
  const signer = new LoginTokenSigner(KEY);

  it('round-trips the claims before expiry', () => {
    expect(signer.verify(signer.sign(claims), NOW + 299)).toEqual(claims);
  });

  it('refuses an expired token', () => {
    expect(problemOf(() => signer.verify(signer.sign(claims), NOW + 300))).toBe('expired');
  });

  it('refuses a token whose claims were edited', () => {
    const [v, payload, sig] = signer.sign(claims).split('.');
    const edited = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('zhangsan', 'lisi')).toString('base64url');
    expect(problemOf(() => signer.verify([v, edited, sig].join('.'), NOW))).toBe('signature');
  });

  it('refuses a token signed under another key, and accepts one signed under a listed old key', () => {
    const foreign = new LoginTokenSigner(OTHER).sign(claims);
    expect(problemOf(() => signer.verify(foreign, NOW))).toBe('signature');
    expect(new LoginTokenSigner(KEY, [OTHER]).verify(foreign, NOW)).toEqual(claims);
  });

  it('uses a key of its own, not SECRET_KEY itself', () => {
    const [, payload, sig] = signer.sign(claims).split('.');
    expect(createHmac('sha256', KEY).update(`v1.${payload}`).digest('base64url')).not.toBe(sig);
  });

  it('calls anything else malformed', () => {
    for (const token of ['', 'v1.abc', 'v2.a.b', 'v1..x', 'a.b.c.d']) {
      expect(problemOf(() => signer.verify(token, NOW))).toBe('malformed');
    }
  });
});
