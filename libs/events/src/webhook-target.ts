import { isIP } from 'node:net';

/**
 * Where the platform may send webhooks. Private, loopback, link-local and other non-unicast addresses are refused
 * (checked again on every connection, after DNS, by the sender's agent), unless listed in `allowPrivate`.
 */
export interface TargetPolicy {
  /** Plain `http:` accepted (development, tests, the demo); production wants `https:` only. */
  allowHttp: boolean;
  /** IPs or CIDRs (`127.0.0.1/32`, `10.0.0.0/8`, `::1/128`) that are allowed although not public. */
  allowPrivate: readonly string[];
}

export class EndpointUrlError extends Error {
  override readonly name = 'EndpointUrlError';
}

/**
 * Checks an endpoint URL when it is registered: absolute http(s), https unless `allowHttp`, no user:password, no
 * fragment, at most 2,048 characters. Returns it normalised. Address checks happen at connect time (DNS can change).
 * Throws `EndpointUrlError` with a message fit for the API caller.
 */
export function checkEndpointUrl(raw: string, policy: TargetPolicy): string {
  if (raw.length > 2048) throw new EndpointUrlError('url must be at most 2048 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EndpointUrlError('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new EndpointUrlError(policy.allowHttp ? 'url must use http or https' : 'url must use https (set WEBHOOK_ALLOW_HTTP=true for development)');
  }
  if (url.username || url.password) throw new EndpointUrlError('url must not contain credentials');
  if (url.hash) throw new EndpointUrlError('url must not contain a fragment');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !policy.allowPrivate.length && isObviouslyPrivate(host)) {
    throw new EndpointUrlError('url points at a private, loopback or link-local address (allow it with WEBHOOK_ALLOW_PRIVATE_TARGETS)');
  }
  if (!isIP(host) && (host === 'localhost' || host.endsWith('.localhost')) && !policy.allowPrivate.length) {
    throw new EndpointUrlError('url points at localhost (allow it with WEBHOOK_ALLOW_PRIVATE_TARGETS)');
  }
  return url.toString();
}

/** A quick refusal at registration for literal addresses; the sender's agent is the real guard. */
function isObviouslyPrivate(ip: string): boolean {
  if (ip.includes(':')) return ip === '::1' || ip === '::' || /^f[cd]/i.test(ip) || /^fe[89ab]/i.test(ip) || /^::ffff:/i.test(ip);
  const [a, b] = ip.split('.').map(Number);
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}
