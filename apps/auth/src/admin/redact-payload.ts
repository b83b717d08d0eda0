/** Elements of a decrypted callback that carry one-time codes or tickets. */
const SECRET_ELEMENTS = ['AuthCode', 'SuiteTicket', 'PermanentCode', 'UserTicket'];
const SECRET_PATTERN = new RegExp(`<(${SECRET_ELEMENTS.join('|')})>[\\s\\S]*?</\\1\\s*>`, 'g');

/**
 * A stored payload as the admin API shows it: an auth_code is single-use and short-lived, but it is still a
 * credential until exchanged, and a console has no use for its value.
 */
export function redactPayload(payload: string): string {
  return payload.replace(SECRET_PATTERN, (_match, name: string) => `<${name}>[redacted]</${name}>`);
}

/** Typed-event fields that carry one-time codes (the suite_ticket is never stored in the typed event). */
const SECRET_FIELDS = ['authCode', 'permanentCode', 'userTicket'];

/** A stored typed event as the admin API shows it: one-time codes replaced by [redacted]. */
export function redactEvent(event: unknown): Record<string, unknown> | null {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return null;
  return Object.fromEntries(Object.entries(event).map(([k, v]) => [k, SECRET_FIELDS.includes(k) ? '[redacted]' : v]));
}
