import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hash.js';

describe('password hashes (scrypt)', () => {
  it('writes its parameters and a fresh salt into every hash, and verifies only the same password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('treats NFC and NFD spellings of a password as the same password', async () => {
    const hash = await hashPassword('caf\u00e9-password');
    expect(await verifyPassword('cafe\u0301-password', hash)).toBe(true);
  });

  it('refuses hashes it cannot read or whose cost is out of bounds, and the dummy hash matches nothing', async () => {
    for (const bad of ['', 'plain', 'bcrypt$10$x$y$z$w', 'scrypt$30$8$1$AAAA$AAAA', 'scrypt$x$8$1$AAAA$AAAA']) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
