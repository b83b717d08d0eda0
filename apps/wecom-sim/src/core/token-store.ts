import { Lengths, randomToken } from './ids.js';

/** Token kinds: what each credential authorises. */
export type TokenKind = 'suite' | 'corp' | 'provider' | 'jsapi' | 'agent';
export const TOKEN_KINDS: readonly TokenKind[] = ['suite', 'corp', 'provider', 'jsapi', 'agent'];

export interface TokenRecord {
  readonly token: string;
  readonly kind: TokenKind;
  /** suite: suiteId; provider: provider corpid; corp / jsapi / agent: `${suiteId}|${corpId}`. */
  readonly subject: string;
  readonly issuedAt: number;
  expiresAt: number;
}

export type TokenLookup = { status: 'valid'; record: TokenRecord } | { status: 'expired'; record: TokenRecord } | { status: 'unknown' };

export interface IssuedToken {
  token: string;
  expiresAt: number;
  /** True when a new token was minted, false when the still-valid one was handed out again. */
  fresh: boolean;
}

/**
 * Asked again while a token has more than this left, WeCom hands back the same token; inside this window it
 * mints a new one and the old stays valid until its own expiry. WeCom documents only "the same result while
 * valid"; this window is the behaviour providers observe (and the only one under which refreshing early can
 * ever yield a token with time to spare).
 */
export const RENEW_WINDOW_SECONDS = 20 * 60;

export function corpSubject(suiteId: string, corpId: string): string {
  return `${suiteId}|${corpId}`;
}

/**
 * Tokens and tickets with WeCom's semantics: while one is valid, asking again returns the same one; after
 * expiry (or early invalidation), or inside the renew window, the next request mints a new one. Per subject the current and the previous
 * token are remembered, so an old token answers "expired" rather than "invalid" — memory stays bounded by
 * the number of subjects however often tokens rotate.
 */
export class TokenStore {
  private readonly byToken = new Map<string, TokenRecord>();
  private readonly current = new Map<string, TokenRecord>();
  private readonly previous = new Map<string, TokenRecord>();

  issueOrReuse(kind: TokenKind, subject: string, lifetimeSeconds: number, now: number): IssuedToken {
    const key = `${kind}:${subject}`;
    const live = this.current.get(key);
    const renewAfter = Math.min(RENEW_WINDOW_SECONDS, lifetimeSeconds / 2) * 1000;
    if (live && live.expiresAt - now > renewAfter) return { token: live.token, expiresAt: live.expiresAt, fresh: false };
    if (live) {
      const older = this.previous.get(key);
      if (older) this.byToken.delete(older.token);
      this.previous.set(key, live);
    }
    const record: TokenRecord = { token: randomToken(Lengths.token), kind, subject, issuedAt: now, expiresAt: now + lifetimeSeconds * 1000 };
    this.current.set(key, record);
    this.byToken.set(record.token, record);
    return { token: record.token, expiresAt: record.expiresAt, fresh: true };
  }

  lookup(kind: TokenKind, token: string, now: number): TokenLookup {
    const record = this.byToken.get(token);
    if (!record || record.kind !== kind) return { status: 'unknown' };
    return record.expiresAt > now ? { status: 'valid', record } : { status: 'expired', record };
  }

  /** The live token of a subject, if any. */
  currentFor(kind: TokenKind, subject: string, now: number): TokenRecord | undefined {
    const live = this.current.get(`${kind}:${subject}`);
    return live && live.expiresAt > now ? live : undefined;
  }

  /** Ends the life of one subject's current token now; returns whether a live one was ended. */
  invalidate(kind: TokenKind, subject: string, now: number): boolean {
    const live = this.current.get(`${kind}:${subject}`);
    if (!live || live.expiresAt <= now) return false;
    live.expiresAt = now;
    return true;
  }

  /** Ends every live token matching the filter; O(live subjects). */
  invalidateWhere(match: (kind: TokenKind, subject: string) => boolean, now: number): number {
    let count = 0;
    for (const record of this.current.values()) {
      if (record.expiresAt > now && match(record.kind, record.subject)) {
        record.expiresAt = now;
        count++;
      }
    }
    return count;
  }

  clear(): void {
    this.byToken.clear();
    this.current.clear();
    this.previous.clear();
  }
}
