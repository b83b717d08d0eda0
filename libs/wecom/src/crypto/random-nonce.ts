import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Largest multiple of 62 below 256: bytes at or above it are skipped so every character is equally likely. */
const UNBIASED_LIMIT = 248;

/** A random alphanumeric string (default 16 characters) for JS-SDK `nonceStr` and reply `Nonce`. */
export function randomNonce(length = 16): string {
  if (!Number.isInteger(length) || length < 1 || length > 1024) {
    throw new RangeError(`nonce length must be an integer between 1 and 1024, got ${length}`);
  }
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}
