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

export function corpSubject(suiteId: string, corpId: string): string {
  return `${suiteId}|${corpId}`;
}

/**
 * Tokens and tickets with WeCom's documented semantics (获取服务商凭证, 获取企业凭证: "有效期内重复获取返回相同结果"):
 * while one is valid, asking again returns the same one, however close to its expiry; only after expiry (or an
 * early invalidation) does the next request mint a new one. Per subject the current and the previous token are
 * remembered, so an old token answers "expired" rather than "invalid" — memory stays bounded by the number of
 * subjects however often tokens rotate.
 */
export class TokenStore {
  private readonly byToken = new Map<string, TokenRecord>();
  private readonly current = new Map<string, TokenRecord>();
  private readonly previous = new Map<string, TokenRecord>();

  issueOrReuse(kind: TokenKind, subject: string, lifetimeSeconds: number, now: number): IssuedToken {
    const key = `${kind}:${subject}`;
    const live = this.current.get(key);
    if (live && live.expiresAt > now) return { token: live.token, expiresAt: live.expiresAt, fresh: false };
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
