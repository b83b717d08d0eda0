import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random token of `length` characters from [A-Za-z0-9], the character set WeCom's opaque strings use. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A numeric string of `digits` digits (callback nonces are numeric). */
export function randomDigits(digits: number): string {
  const bytes = randomBytes(digits);
  let out = '';
  for (let i = 0; i < digits; i++) out += String(bytes[i] % 10);
  return out;
}

/**
 * The open_userid WeCom gives a third party for a member: stable per (corp, user) and unlike the userid,
 * derived instead of stored so that 100,000 seeded corps cost no extra memory.
 */
export function openUserIdFor(corpId: string, userId: string): string {
  return `wo${createHash('sha1').update(`${corpId}\u0000${userId}`).digest('base64url').slice(0, 30)}`;
}

/** Lengths close to WeCom's: tokens and codes are long opaque strings, clients must not assume a format. */
export const Lengths = {
  token: 96,
  ticket: 64,
  preAuthCode: 64,
  authCode: 96,
  permanentCode: 43,
  oauthCode: 64,
  userTicket: 96,
} as const;
