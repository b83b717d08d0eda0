/**
 * Tokens not tied to a corp: suite_access_token (owner: the suite id) and provider_access_token (owner: the provider
 * corpid, held in the key's `suiteId` field — one provider token per provider, however many suites it owns).
 */
export type SuiteTokenKind = 'suite' | 'provider';
/** Tokens that belong to a (suite, corp): the corp access_token and the JS-SDK jsapi and agent tickets. */
export type CorpTokenKind = 'corp' | 'jsapi' | 'agent';
/** Every token the broker keeps. The store's TokenKind enum holds the same names. */
export type TokenKind = SuiteTokenKind | CorpTokenKind;

/** Names one token; a corp-level kind requires its corp id at compile time. */
export type TokenKey =
  | { kind: SuiteTokenKind; suiteId: string; corpId?: undefined }
  | { kind: CorpTokenKind; suiteId: string; corpId: string };

/**
 * `expires_in` is whole seconds, rounded down, and counted from when the request was sent: WeCom's real expiry lies
 * within a second (plus the time the request took) after the recorded one. Asking before that may earn the same
 * token again, so a token is fetched again this long after its recorded expiry.
 */
export const EXPIRES_IN_GRANULARITY_MS = 1500;

export interface Token {
  value: string;
  expiresAt: Date;
}

const CORP_LEVEL: ReadonlySet<TokenKind> = new Set<CorpTokenKind>(['corp', 'jsapi', 'agent']);

export function isCorpLevel(kind: TokenKind): kind is CorpTokenKind {
  return CORP_LEVEL.has(kind);
}

/** The key of a token of `kind`; throws when a corp-level kind comes without a corp id (or a suite-level one with). */
export function tokenKey(kind: TokenKind, suiteId: string, corpId?: string): TokenKey {
  if (isCorpLevel(kind)) {
    if (!corpId) throw new Error(`a ${kind} token needs a corp id`);
    return { kind, suiteId, corpId };
  }
  if (corpId) throw new Error(`a ${kind} token belongs to a suite, not to corp ${corpId}`);
  return { kind, suiteId };
}

/** The key of a provider's provider_access_token: `suiteId` holds the provider corpid (see SuiteTokenKind). */
export function providerTokenKey(providerCorpId: string): TokenKey {
  return { kind: 'provider', suiteId: providerCorpId };
}

/** `kind|suiteId|corpId` — stable, used as Redis member, job id suffix and map key. */
export function tokenKeyId(key: TokenKey): string {
  return `${key.kind}|${key.suiteId}|${key.corpId ?? ''}`;
}

const TOKEN_KINDS: ReadonlySet<string> = new Set<TokenKind>(['suite', 'provider', 'corp', 'jsapi', 'agent']);

/**
 * The inverse of tokenKeyId, or null for a malformed id (unknown kind, no suite id, a corp id missing on a
 * corp-level kind or present on a suite-level one).
 */
export function parseTokenKeyId(id: string): TokenKey | null {
  const [kind, suiteId, corpId, ...rest] = id.split('|');
  if (rest.length || !TOKEN_KINDS.has(kind) || !suiteId) return null;
  if (isCorpLevel(kind as TokenKind) !== Boolean(corpId)) return null;
  return tokenKey(kind as TokenKind, suiteId, corpId || undefined);
}

export type TokenUnavailableReason =
  | 'suite_not_found'
  | 'no_suite_ticket'
  | 'corp_not_found'
  | 'corp_cancelled'
  | 'corp_suspended'
  /** kept for callers that branch on it; the broker says cancelled or suspended instead */
  | 'corp_inactive'
  | 'no_provider_credentials'
  | 'provider_not_found'
  | 'wecom_error'
  | 'busy';

/** Reasons another attempt cannot change: the tenant, suite or credentials are gone until a person acts. */
const PERMANENT_REASONS: ReadonlySet<TokenUnavailableReason> = new Set<TokenUnavailableReason>([
  'suite_not_found',
  'corp_not_found',
  'corp_cancelled',
  'corp_suspended',
  'corp_inactive',
  'no_provider_credentials',
  'provider_not_found',
]);

/**
 * A token cannot be had; `reason` tells the caller whether to 404, 409 or retry later, and `permanent` whether
 * retrying can help (false for no_suite_ticket, wecom_error, busy). The one place that decides it for tokens.
 */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';
  readonly permanent: boolean;

  constructor(
    readonly reason: TokenUnavailableReason,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.permanent = PERMANENT_REASONS.has(reason);
  }
}
