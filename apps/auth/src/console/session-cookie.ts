import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from '../access/console-session.strategy.js';

/**
 * The console's session cookie, the same whichever way the person signed in: HttpOnly (scripts never see the
 * token), SameSite=Strict (no cross-site request carries it), Secure when PUBLIC_BASE_URL is https, until the
 * session's expiry.
 */
export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}
