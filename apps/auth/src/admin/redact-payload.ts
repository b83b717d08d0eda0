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
