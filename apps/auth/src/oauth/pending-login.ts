import { decodeCookieJson } from '../common/browser-cookies.js';
import type { OAuthScope } from './login-token.js';

/** A login between our authorize route and WeCom's redirect back, kept in the browser's signed cookie. */
export interface PendingLogin {
  /** WeCom's `state`: 32 random [A-Za-z0-9]; the callback must bring back the same one */
  state: string;
  suiteId: string;
  scope: OAuthScope;
  redirect: string | null;
  /** 代开发 templates: the corp whose own OAuth the login goes through */
  corpId?: string;
}

/** Lifetime of the cookie: longer than the OAuth code's 5 minutes, for a member lingering on the consent page. */
export const PENDING_LOGIN_TTL_SECONDS = 600;

/** The pending login a (signature-checked) cookie value holds; null when it holds none. */
export function decodePendingLogin(value: string | null): PendingLogin | null {
  return decodeCookieJson<PendingLogin>(
    value,
    (p) =>
      typeof p.state === 'string' &&
      typeof p.suiteId === 'string' &&
      (p.scope === 'snsapi_base' || p.scope === 'snsapi_privateinfo') &&
      (p.redirect === null || typeof p.redirect === 'string') &&
      (p.corpId === undefined || typeof p.corpId === 'string'),
  );
}
