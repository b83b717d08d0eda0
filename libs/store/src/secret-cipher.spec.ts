import { randomBytes } from 'node:crypto';
import { SecretCipher, SecretFormatError } from './secret-cipher.js';

describe('SecretCipher', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it('round-trips and never contains the plaintext', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = cipher.seal('permanent-code-123');
    expect(sealed).not.toContain('permanent-code-123');
    expect(sealed.startsWith(`v1.${SecretCipher.keyId(keyA)}.`)).toBe(true);
    expect(cipher.open(sealed)).toBe('permanent-code-123');
    expect(cipher.seal('x')).not.toBe(cipher.seal('x'));
  });

  it('draws a fresh IV for every seal, across refills of the IV pool', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = Array.from({ length: 1500 }, (_, i) => cipher.seal(`secret-${i}`));
    expect(new Set(sealed.map((s) => s.split('.')[2])).size).toBe(1500);
    sealed.forEach((s, i) => expect(cipher.open(s)).toBe(`secret-${i}`));
  });

  it('opens values sealed under an old key and reseals them under the current one', () => {
    const sealedOld = new SecretCipher(keyA).seal('secret');
    const rotated = new SecretCipher(keyB, [keyA]);
    expect(rotated.isCurrent(sealedOld)).toBe(false);
    const resealed = rotated.reseal(sealedOld)!;
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(new SecretCipher(keyB).open(resealed)).toBe('secret');
    expect(rotated.reseal(resealed)).toBeNull();
  });

  it('refuses unknown keys, tampering and garbage with a clear error', () => {
    const sealed = new SecretCipher(keyA).seal('secret');
    expect(() => new SecretCipher(keyB).open(sealed)).toThrow(/unknown key .* SECRET_KEYS_OLD/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered!').toString('base64url');
    expect(() => new SecretCipher(keyA).open(parts.join('.'))).toThrow(SecretFormatError);
    expect(() => new SecretCipher(keyA).open('plain-text')).toThrow('not a sealed secret');
  });
});
