import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Seals secrets at rest with AES-256-GCM. The sealed form names the key that sealed it
 * (`v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts), so keys listed in SECRET_KEYS_OLD
 * still open old values while everything new is sealed under SECRET_KEY.
 */
export class SecretCipher {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(currentKey: Buffer, oldKeys: readonly Buffer[] = []) {
    if (currentKey.length !== 32) throw new Error('SecretCipher needs a 32-byte key');
    this.currentKeyId = SecretCipher.keyId(currentKey);
    this.keys.set(this.currentKeyId, currentKey);
    for (const key of oldKeys) {
      if (key.length !== 32) throw new Error('SecretCipher needs 32-byte old keys');
      const id = SecretCipher.keyId(key);
      if (!this.keys.has(id)) this.keys.set(id, key);
    }
  }

  /** Whether a value sealed under this key id can be opened (SECRET_KEY or one of SECRET_KEYS_OLD). */
  knowsKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** The ids of SECRET_KEYS_OLD, for errors that name which keys are configured. */
  get oldKeyIds(): string[] {
    return [...this.keys.keys()].filter((id) => id !== this.currentKeyId);
  }

  /** A key's id: the first 8 hex digits of its SHA-256, as written in the sealed form. */
  static keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join('.');
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretFormatError('not a sealed secret');
    const key = this.keys.get(parts[1]);
    if (!key) throw new SecretFormatError(`sealed under unknown key ${parts[1]}: add it to SECRET_KEYS_OLD`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2], 'base64url'));
      decipher.setAuthTag(Buffer.from(parts[4], 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretFormatError(`sealed value under key ${parts[1]} failed authentication`);
    }
  }

  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v1.${this.currentKeyId}.`);
  }

  /** Re-seals under the current key; returns null when it already is. */
  reseal(sealed: string): string | null {
    return this.isCurrent(sealed) ? null : this.seal(this.open(sealed));
  }
}

export class SecretFormatError extends Error {
  override readonly name = 'SecretFormatError';
}

const b64 = (buf: Buffer): string => buf.toString('base64url');
