import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where the platform may send webhooks. Private, loopback, link-local and other non-unicast addresses are refused
 * at registration (`checkEndpointTarget`) and again on every connection, after DNS, by the sender's agent, unless
 * listed in `allowPrivate`: one rule (`blockedAddress`) for both.
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
 * fragment, at most 2,048 characters, and a literal IP address the sender would connect to (`blockedAddress`, the
 * rule it applies) and no `localhost` while loopback is refused. Returns it normalised. Host names are resolved
 * by `checkEndpointTarget`. Throws `EndpointUrlError` with a message fit for the API caller.
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
  const host = hostOf(url);
  if (isIP(host)) refuseBlocked(host, [host], policy);
  // RFC 6761: `localhost` names are loopback wherever they resolve; with neither loopback address allowed the
  // sender refuses them whatever the resolver says (which addresses exactly: `checkEndpointTarget` asks it).
  else if ((host === 'localhost' || host.endsWith('.localhost')) && blockedAddress('127.0.0.1', policy.allowPrivate) && blockedAddress('::1', policy.allowPrivate)) {
    refuseBlocked(host, ['127.0.0.1'], policy);
  }
  return url.toString();
}

/** How a registration resolves a host name: every address (the sender checks them all), or throws. */
export type HostLookup = (host: string) => Promise<string[]>;

const RESOLVE_TIMEOUT_MS = 2000;

async function systemLookup(host: string): Promise<string[]> {
  const addresses = await lookup(host, { all: true, verbatim: true });
  return addresses.map((a) => a.address);
}

/**
 * `checkEndpointUrl`, then a host name is resolved and refused if any of its addresses is blocked (the sender would
 * refuse to connect: `request-filtering-agent` checks every address of a lookup). A name that does not resolve (yet)
 * within 2 s is accepted: DNS changes, and the sender checks again at every connection. Returns the normalised URL;
 * throws `EndpointUrlError`.
 */
export async function checkEndpointTarget(raw: string, policy: TargetPolicy, resolve: HostLookup = systemLookup): Promise<string> {
  const normalised = checkEndpointUrl(raw, policy);
  const url = new URL(normalised);
  const host = hostOf(url);
  if (isIP(host)) return normalised;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    resolve(host).catch(() => [] as string[]),
    new Promise<string[]>((done) => (timer = setTimeout(() => done([]), RESOLVE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
  refuseBlocked(host, addresses, policy);
  return normalised;
}

/**
 * Why the sender refuses to connect to `ip`, or null when it may: the rule `request-filtering-agent` applies at
 * connect time, reproduced so that registration and delivery agree. An address listed in `allowPrivate` (the same
 * IP string, or inside a CIDR) is allowed; otherwise anything but public unicast is refused (loopback, private,
 * link-local, carrier-grade NAT, multicast, unspecified, IPv4-mapped, …). Returns the range's name, e.g. `loopback`.
 */
export function blockedAddress(ip: string, allowPrivate: readonly string[]): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(ip);
  } catch {
    return 'not an IP address';
  }
  for (const entry of allowPrivate) {
    if (isIP(entry)) {
      if (entry === ip) return null;
      continue;
    }
    try {
      if (parsed.match(ipaddr.parseCIDR(entry))) return null;
    } catch {
      // an IPv4 range never matches an IPv6 address (and the other way round): not this entry
    }
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

function refuseBlocked(host: string, addresses: readonly string[], policy: TargetPolicy): void {
  for (const address of addresses) {
    const range = blockedAddress(address, policy.allowPrivate);
    if (range === null) continue;
    const where = address === host ? address : `${host} (${address})`;
    throw new EndpointUrlError(`url points at ${where}, a ${range} address: private, loopback or link-local addresses are refused (allow it with WEBHOOK_ALLOW_PRIVATE_TARGETS)`);
  }
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}
