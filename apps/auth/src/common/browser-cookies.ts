import { hkdfSync } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** HKDF `info`: this key signs browser cookies and nothing else, though it comes from SECRET_KEY. */
const PURPOSE = 'wecom-isv/browser-cookie/v1';

function deriveKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), PURPOSE, 32));
}

/**
 * Cookie parsing and signing (`@fastify/cookie`, HMAC-SHA256) for the browser routes. The key is derived from
 * SECRET_KEY; cookies signed under a key listed in SECRET_KEYS_OLD still verify, so a rotation does not break an
 * install or login in flight.
 */
export async function registerBrowserCookies(app: NestFastifyApplication, secretKey: Buffer, oldKeys: readonly Buffer[]): Promise<void> {
  await app.register(fastifyCookie, { secret: [deriveKey(secretKey), ...oldKeys.map(deriveKey)] });
}

export interface BrowserCookie {
  name: string;
  /** the narrowest path that covers the routes reading the cookie */
  path: string;
}

/**
 * Sets a signed, HttpOnly, SameSite=Lax cookie. Lax: WeCom sends the browser back with a top-level GET from its own
 * site, which carries Lax cookies, while a cross-site form POST or an embedded request does not. `Secure` whenever the
 * platform is served over https (PUBLIC_BASE_URL).
 */
export function setBrowserCookie(reply: FastifyReply, cookie: BrowserCookie, value: string, maxAgeSeconds: number, secure: boolean): void {
  reply.setCookie(cookie.name, value, { path: cookie.path, httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: maxAgeSeconds });
}

/** The value of a signed cookie this platform set, or null when absent or its signature does not hold. */
export function readBrowserCookie(request: FastifyRequest, cookie: BrowserCookie): string | null {
  const raw = request.cookies[cookie.name];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid ? unsigned.value : null;
}

export function clearBrowserCookie(reply: FastifyReply, cookie: BrowserCookie, secure: boolean): void {
  reply.clearCookie(cookie.name, { path: cookie.path, httpOnly: true, sameSite: 'lax', secure });
}

/** A JSON value as a cookie value (base64url: nothing a cookie must escape), e.g. a login in progress. */
export function encodeCookieJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The object `encodeCookieJson` made of a (signature-checked) cookie value, when `accept` says it has the expected
 * shape; null when there is no value, it is not such JSON, or `accept` refuses it.
 */
export function decodeCookieJson<T extends object>(value: string | null, accept: (parsed: Partial<T>) => boolean): T | null {
  if (!value) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return parsed !== null && typeof parsed === 'object' && accept(parsed as Partial<T>) ? (parsed as T) : null;
}
