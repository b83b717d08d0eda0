/**
 * Why the gateway answered instead of WeCom. Codes are part of the API (never renamed): vendors branch on them.
 * - `corp_api_rate_limited`: this corp's budget for this WeCom API (per minute / per hour) is spent.
 * - `ip_rate_limited`: the platform's budget of WeCom calls (one server IP) is spent.
 * - `corp_slowed_down`: WeCom answered 45009/45033 for this corp; its calls wait out WeCom's lockout here.
 * - `message_member_rate_limited`: a member already got the most app messages WeCom delivers per minute / hour.
 * - `message_daily_quota_exceeded`: the app's person-times for today (corp_user_max × 200) are spent.
 * - `media_invalid`, `media_too_large`: the upload breaks WeCom's media rules (checked on content, not file name).
 * - `invalid_wecom_path`, `invalid_body`: the request cannot be a WeCom API call.
 */
export type GatewayRefusalCode =
  | 'corp_api_rate_limited'
  | 'ip_rate_limited'
  | 'corp_slowed_down'
  | 'message_member_rate_limited'
  | 'message_daily_quota_exceeded'
  | 'media_invalid'
  | 'media_too_large'
  | 'invalid_wecom_path'
  | 'invalid_body';

/** The statuses of the refusals (also in AUTH_ERROR_STATUS, which lists every code the auth app answers with). */
export const GATEWAY_REFUSAL_STATUS = {
  corp_api_rate_limited: 429,
  ip_rate_limited: 429,
  corp_slowed_down: 429,
  message_member_rate_limited: 429,
  message_daily_quota_exceeded: 429,
  media_invalid: 400,
  media_too_large: 413,
  invalid_wecom_path: 400,
  invalid_body: 400,
} as const satisfies Record<GatewayRefusalCode, number>;

/** The gateway refused a call before WeCom saw it; 429s carry `retryAfterSeconds` (the `Retry-After` header). */
export class GatewayRefusal extends Error {
  override readonly name = 'GatewayRefusal';

  constructor(
    readonly code: GatewayRefusalCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get status(): number {
    return GATEWAY_REFUSAL_STATUS[this.code];
  }
}
