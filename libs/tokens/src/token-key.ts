import type { TokenKind } from '@app/store';

export type { TokenKind };

/** Names one token: suite and provider tokens belong to a suite; corp tokens and tickets to a (suite, corp). */
export interface TokenKey {
  kind: TokenKind;
  suiteId: string;
  corpId?: string;
}

export interface Token {
  value: string;
  expiresAt: Date;
}

const CORP_LEVEL: ReadonlySet<TokenKind> = new Set(['corp', 'jsapi', 'agent']);

export function isCorpLevel(kind: TokenKind): boolean {
  return CORP_LEVEL.has(kind);
}

/** `kind|suiteId|corpId` — stable, used as Redis member, job id suffix and map key. */
export function tokenKeyId(key: TokenKey): string {
  return `${key.kind}|${key.suiteId}|${key.corpId ?? ''}`;
}

export function parseTokenKeyId(id: string): TokenKey {
  const [kind, suiteId, corpId] = id.split('|');
  return corpId ? { kind: kind as TokenKind, suiteId, corpId } : { kind: kind as TokenKind, suiteId };
}

export type TokenUnavailableReason =
  | 'suite_not_found'
  | 'no_suite_ticket'
  | 'corp_not_found'
  | 'corp_inactive'
  | 'no_provider_credentials'
  | 'wecom_error'
  | 'busy';

/** A token cannot be had; `reason` tells the caller whether to 404, 409 or retry later. */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';

  constructor(
    readonly reason: TokenUnavailableReason,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}
