import type { HttpErrorBody } from '@app/platform';
import { AuthCodeInProgressError, AuthCodeUnusableError, LicenseOperationError } from '@app/tenants';
import { TokenUnavailableError, TokenUnavailableReason } from '@app/tokens';
import { LicenseApiError, RateLimitedError, WecomApiError, WecomError } from '@app/wecom';
import { isUnsupportedMediaType } from './common/json-bodies.js';
import { GATEWAY_REFUSAL_STATUS, GatewayRefusal } from './gateway/gateway-refusal.js';

/**
 * Every `error` code the auth app answers with, and its status. Callers branch on the code, so codes are
 * never renamed, only added (README lists them).
 */
export const AUTH_ERROR_STATUS = {
  suite_not_found: 404,
  provider_not_found: 404,
  corp_not_found: 404,
  corp_cancelled: 404,
  corp_suspended: 404,
  corp_inactive: 404,
  event_not_found: 404,
  api_key_not_found: 404,
  console_user_not_found: 404,
  console_user_exists: 409,
  csrf_token_invalid: 403,
  too_many_login_attempts: 429,
  wecom_login_disabled: 404,
  wecom_corp_not_allowed: 403,
  wecom_user_without_userid: 403,
  wecom_user_not_linked: 403,
  console_user_disabled: 403,
  wecom_identity_linked: 409,
  endpoint_not_found: 404,
  delivery_not_found: 404,
  invalid_endpoint_url: 400,
  invalid_event_types: 400,
  corp_has_no_agent: 409,
  invalid_install_state: 400,
  invalid_auth_code: 400,
  install_in_progress: 503,
  invalid_oauth_state: 400,
  invalid_oauth_code: 400,
  redirect_not_allowed: 400,
  invalid_login_token: 400,
  login_token_expired: 400,
  login_token_used: 409,
  invalid_cursor: 400,
  unsupported_media_type: 415,
  invalid_id_list: 400,
  id_conversion_failed: 502,
  ...GATEWAY_REFUSAL_STATUS,
  cross_site_request: 403,
  no_suite_ticket: 503,
  no_provider_credentials: 409,
  token_busy: 503,
  wecom_rate_limited: 503,
  wecom_unavailable: 502,
  wecom_error: 502,
  install_outcome_unknown: 502,
  queue_unavailable: 503,
  redis_unavailable: 503,
  rate_limited: 429,
  license_no_provider: 409,
  license_no_free_code: 409,
  license_unknown_code: 404,
  license_transfer_refused: 409,
  license_activation_refused: 409,
  license_error: 409,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_STATUS;

/** A failure the auth app names: its code decides the status. Messages carry ids, never codes or secrets. */
export class AuthAppError extends Error {
  override readonly name = 'AuthAppError';

  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return AUTH_ERROR_STATUS[this.code];
  }
}

/** 404 `suite_not_found`: no suite with this id is registered. */
export function suiteNotFound(suiteId: string): AuthAppError {
  return new AuthAppError('suite_not_found', `suite ${suiteId} is not registered`);
}

const TOKEN_REASON_CODE: Record<TokenUnavailableReason, AuthErrorCode> = {
  suite_not_found: 'suite_not_found',
  corp_not_found: 'corp_not_found',
  corp_cancelled: 'corp_cancelled',
  corp_suspended: 'corp_suspended',
  corp_inactive: 'corp_inactive',
  no_suite_ticket: 'no_suite_ticket',
  no_provider_credentials: 'no_provider_credentials',
  provider_not_found: 'provider_not_found',
  wecom_error: 'wecom_error',
  busy: 'token_busy',
};

/** The auth app's domain errors → `{ statusCode, error, message }`; anything else falls through to the platform. */
export function mapAuthError(err: unknown): HttpErrorBody | null {
  const named = toAuthAppError(err);
  return named ? { statusCode: named.status, error: named.code, message: named.message } : null;
}

export function toAuthAppError(err: unknown): AuthAppError | null {
  if (err instanceof AuthAppError) return err;
  if (err instanceof GatewayRefusal) return new AuthAppError(err.code, err.message);
  if (isUnsupportedMediaType(err)) return new AuthAppError('unsupported_media_type', 'this Content-Type is not accepted here: send application/json');
  if (err instanceof TokenUnavailableError) return new AuthAppError(TOKEN_REASON_CODE[err.reason], err.message);
  if (err instanceof AuthCodeInProgressError) {
    return new AuthAppError('install_in_progress', 'this install is being completed by another request; retry in a moment');
  }
  if (err instanceof AuthCodeUnusableError) {
    return new AuthAppError('install_outcome_unknown', 'WeCom may have spent this install code without answering; it is not sent again: reinstall the app, or contact support');
  }
  if (err instanceof LicenseOperationError) return new AuthAppError(`license_${err.code}`, err.message);
  if (err instanceof LicenseApiError) return new AuthAppError('license_error', `WeCom ${err.path} refused: errcode ${err.errcode}`);
  // A license call WeCom refused for the request's own content (e.g. 60111: the member does not exist) is the
  // caller's to fix, like a 701xxx — not a WeCom outage (502), which monitoring would page on.
  if (err instanceof WecomApiError && err.kind === 'other' && err.path.startsWith('/cgi-bin/license/')) {
    return new AuthAppError('license_error', `WeCom ${err.path} refused: errcode ${err.errcode}`);
  }
  if (err instanceof RateLimitedError) return new AuthAppError('wecom_rate_limited', `WeCom rate-limited ${err.path} (errcode ${err.errcode})`);
  if (err instanceof WecomApiError) return new AuthAppError('wecom_error', `WeCom ${err.path} answered errcode ${err.errcode}`);
  if (err instanceof WecomError) return new AuthAppError('wecom_unavailable', err.message);
  return null;
}
