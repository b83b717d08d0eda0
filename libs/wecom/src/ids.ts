/**
 * WeCom ids as they appear in paths, callbacks and the CLI — suite_id, corpid (plain or open), provider corpid:
 * letters, digits, `_` and `-`, at most 64 characters. The one definition; DTOs, the callback intake and the CLI
 * use it.
 */
export const WECOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What a valid WeCom id looks like, for error messages. */
export const WECOM_ID_RULE = '1-64 characters [A-Za-z0-9_-]';

/** True when `value` is a string shaped like a WeCom id (see WECOM_ID). */
export function isWecomId(value: unknown): value is string {
  return typeof value === 'string' && WECOM_ID.test(value);
}
