import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthConfig } from '@app/config';
import { HttpRateLimits, MinuteLimit } from './http-rate-limits.js';

/** A limit on one kind of anonymous request: which routes, counted per what. */
interface AnonymousLimit {
  /** route patterns as Fastify names them */
  routes: ReadonlySet<string>;
  /** the counter's key for a request: the client address, or the suite */
  key: (request: FastifyRequest) => string;
  budget: MinuteLimit;
  what: string;
}

const INSTALL_ROUTES = new Set(['/install/:suiteId', '/install/:suiteId/start', '/install/:suiteId/complete']);
const INSTALL_START = new Set(['/install/:suiteId/start']);
const OAUTH_ROUTES = new Set(['/oauth/:suiteId/authorize', '/oauth/:suiteId/callback']);

/**
 * Rate limits on the auth app's anonymous (browser) routes, counted in Redis so they hold across every replica
 * (`HttpRateLimits`: fixed one-minute windows, keys `<prefix>:rl:install:<ip>`, `…:rl:oauth:<ip>`,
 * `…:rl:install-start:<suiteId>`). Per client IP on the install and OAuth routes — the IP is the TCP peer unless it
 * is a proxy listed in TRUST_PROXY — and per suite on the install button, whose every press costs two WeCom calls.
 * Over a limit: 429 `rate_limited` with `Retry-After` (seconds).
 */
export function registerRateLimits(app: NestFastifyApplication, config: AuthConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const limits = app.get(HttpRateLimits);
  const byIp = (request: FastifyRequest) => request.ip;
  const anonymous: AnonymousLimit[] = [
    { routes: INSTALL_ROUTES, key: byIp, budget: limits.perMinute('install', config.INSTALL_REQUESTS_PER_IP_PER_MINUTE), what: 'install requests from this address' },
    { routes: OAUTH_ROUTES, key: byIp, budget: limits.perMinute('oauth', config.OAUTH_REQUESTS_PER_IP_PER_MINUTE), what: 'login requests from this address' },
    {
      routes: INSTALL_START,
      key: (request) => (request.params as { suiteId?: string }).suiteId ?? '',
      budget: limits.perMinute('install-start', config.INSTALL_STARTS_PER_SUITE_PER_MINUTE),
      what: 'installs started for this suite',
    },
  ];

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (!route) return;
    for (const limit of anonymous) {
      if (!limit.routes.has(route)) continue;
      const retryAfter = await limit.budget.take(limit.key(request));
      if (retryAfter !== null) {
        await reply
          .code(429)
          .header('retry-after', String(retryAfter))
          .send({ statusCode: 429, error: 'rate_limited', message: `too many ${limit.what}; retry in ${retryAfter} s` });
        return reply;
      }
    }
  });
}
