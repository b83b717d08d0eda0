import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export type OAuthScope = 'snsapi_base' | 'snsapi_privateinfo';

/** Who logged in, as the signed result of a third-party OAuth login says. */
export interface LoginClaims {
  suiteId: string;
  scope: OAuthScope;
  /** false: a WeChat user outside any corp that installed the suite (only `openId` is known) */
  member: boolean;
  corpId?: string;
  userId?: string;
  openUserId?: string;
  openId?: string;
  name?: string;
  gender?: string;
  avatar?: string;
  /** origin of the site the token was handed to: the redirect's, or PUBLIC_BASE_URL's for a JSON answer */
  aud: string;
  /** unix seconds */
  iat: number;
  exp: number;
  /** unique per token, for single use */
  jti: string;
}

/**
 * Who logged in to the vendor's site through WeCom's provider web login (3rd_qrConnect → get_login_info). Told apart
 * from a member OAuth login by `kind`; never accepted where a suite's login token is expected, nor the reverse.
 */
export interface ProviderLoginClaims {
  kind: 'provider_login';
  providerCorpId: string;
  /** `admin` for WeCom's usertype 1-4 (creator, internal, external, branch admin), `member` for 5 */
  userType: 'admin' | 'member';
  /** WeCom's own usertype (1 creator, 2 internal admin, 3 external admin, 4 branch admin, 5 member) */
  wecomUserType: number;
  corpId?: string;
  userId?: string;
  openUserId?: string;
  name?: string;
  avatar?: string;
  /** the provider's apps this admin administers in the corp: `[{ agentId, authType }]` (auth_type 1 = may manage) */
  agents: { agentId: number; authType: number }[];
  aud: string;
  iat: number;
  exp: number;
  jti: string;
}

export type LoginTokenProblem = 'malformed' | 'signature' | 'expired';

export class LoginTokenError extends Error {
  override readonly name = 'LoginTokenError';

  constructor(readonly problem: LoginTokenProblem) {
    super(`login token ${problem === 'expired' ? 'has expired' : problem === 'signature' ? 'has a bad signature' : 'is malformed'}`);
  }
}

/** HKDF `info`: this key signs login tokens and nothing else, though it comes from SECRET_KEY. */
const PURPOSE = 'wecom-isv/oauth-login-token/v1';
const VERSION = 'v1';

function deriveKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), PURPOSE, 32));
}

/**
 * `v1.<base64url JSON claims>.<base64url HMAC-SHA256>`: short-lived, readable by whoever holds it, trusted only
 * once the platform has checked the MAC. Keys listed in SECRET_KEYS_OLD still verify, so a key rotation does not
 * break logins in flight.
 */
export class LoginTokenSigner {
  private readonly current: Buffer;
  private readonly all: Buffer[];

  constructor(secretKey: Buffer, oldKeys: readonly Buffer[] = []) {
    this.current = deriveKey(secretKey);
    this.all = [this.current, ...oldKeys.map(deriveKey)];
  }

  sign(claims: LoginClaims | ProviderLoginClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${VERSION}.${payload}.${mac(this.current, payload)}`;
  }

  /** The claims of a member-login token this platform signed and that has not expired at `nowSeconds`. */
  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): LoginClaims {
    const claims = parseClaims(this.open(token));
    if (claims.exp <= nowSeconds) throw new LoginTokenError('expired');
    return claims;
  }

  /** The claims of a provider-login token (ProviderLoginClaims) this platform signed and that has not expired. */
  verifyProviderLogin(token: string, nowSeconds = Math.floor(Date.now() / 1000)): ProviderLoginClaims {
    const payload = this.open(token);
    let c: Partial<ProviderLoginClaims> | null;
    try {
      c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<ProviderLoginClaims> | null;
    } catch {
      throw new LoginTokenError('malformed');
    }
    if (!c || c.kind !== 'provider_login' || typeof c.providerCorpId !== 'string' || typeof c.exp !== 'number' || typeof c.jti !== 'string' || typeof c.aud !== 'string') {
      throw new LoginTokenError('malformed');
    }
    if (c.exp <= nowSeconds) throw new LoginTokenError('expired');
    return c as ProviderLoginClaims;
  }

  /** The payload of a token whose MAC checks under one of the keys. */
  private open(token: string): string {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) throw new LoginTokenError('malformed');
    const [, payload, signature] = parts;
    const given = Buffer.from(signature, 'base64url');
    const valid = this.all.some((key) => {
      const expected = Buffer.from(mac(key, payload), 'base64url');
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!valid) throw new LoginTokenError('signature');
    return payload;
  }
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest('base64url');
}

function parseClaims(payload: string): LoginClaims {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new LoginTokenError('malformed');
  }
  const c = parsed as (Partial<LoginClaims> & { kind?: string }) | null;
  if (
    !c ||
    c.kind !== undefined ||
    typeof c.suiteId !== 'string' ||
    typeof c.exp !== 'number' ||
    typeof c.iat !== 'number' ||
    typeof c.jti !== 'string' ||
    typeof c.aud !== 'string' ||
    typeof c.member !== 'boolean'
  ) {
    throw new LoginTokenError('malformed');
  }
  return c as LoginClaims;
}
