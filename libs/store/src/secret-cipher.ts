import { createCipheriv, createDecipheriv, createHash, randomFillSync } from 'node:crypto';

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
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    const head = cipher.update(plaintext, 'utf8');
    // GCM is a stream mode: final() returns nothing, so the copy into one buffer is skipped when it is empty.
    const tail = cipher.final();
    const ciphertext = tail.length ? Buffer.concat([head, tail]) : head;
    return `v1.${this.currentKeyId}.${b64(iv)}.${b64(ciphertext)}.${b64(cipher.getAuthTag())}`;
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

const IV_BYTES = 12;
/**
 * Random IVs drawn from one buffer filled 512 at a time: a randomBytes(12) per seal was ~3 % of the callback app's busy
 * CPU under bench/callback-ingest (two seals per callback), and a 900-byte seal takes 5.5 µs instead of 7.9. Each IV is
 * still 12 fresh bytes from the CSPRNG, used once; IVs are not secret (every sealed value carries its own in clear).
 */
const ivPool = Buffer.alloc(IV_BYTES * 512);
let ivOffset = ivPool.length;

/** The next unused IV; valid until the next call (seal uses it at once). */
function nextIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  // A view, not a copy: seal uses it synchronously, before any refill can overwrite it.
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}
