import fastifyRateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createRedis, redisSettingsFrom } from '@app/queues';
import type { AuthConfig } from '@app/config';

const MINUTE_MS = 60_000;

/** A limit on one kind of anonymous request: which routes, counted per what. */
interface AnonymousLimit {
  /** route patterns as Fastify names them */
  routes: ReadonlySet<string>;
  /** the counter's key for a request: the client address, or the suite */
  key: (request: FastifyRequest) => string;
  perMinute: number;
  what: string;
}

type LimitCheck = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded: boolean; ttlInSeconds: number }>;

const INSTALL_ROUTES = new Set(['/install/:suiteId', '/install/:suiteId/start', '/install/:suiteId/complete']);
const INSTALL_START = new Set(['/install/:suiteId/start']);
const OAUTH_ROUTES = new Set(['/oauth/:suiteId/authorize', '/oauth/:suiteId/callback']);

/**
 * Rate limits on the auth app's anonymous (browser) routes, counted in Redis so they hold across every replica
 * (`@fastify/rate-limit`'s Redis store; fixed one-minute windows). Per client IP on the install and OAuth routes —
 * the IP is the TCP peer unless it is a proxy listed in TRUST_PROXY — and per suite on the install button, whose
 * every press costs two WeCom calls. Over a limit: 429 `rate_limited` with `Retry-After`. If the counter Redis is
 * unreachable the requests pass (the routes stay usable; the WeCom-call limiter still bounds the damage).
 */
export async function registerRateLimits(app: NestFastifyApplication, config: AuthConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Without a Redis of their own, the counters live in the platform's Redis (single node, Sentinel or Cluster alike).
  const redis = createRedis(config.RATE_LIMIT_REDIS_URL ?? redisSettingsFrom(config), 'producer', { commandTimeout: undefined });
  redis.on('error', () => undefined);
  fastify.addHook('onClose', async () => {
    redis.disconnect();
  });
  await app.register(fastifyRateLimit, {
    global: false,
    redis,
    nameSpace: `${config.REDIS_PREFIX}:rate-limit:`,
    skipOnError: true,
  });

  const byIp = (purpose: string) => (request: FastifyRequest) => `${purpose}:ip:${request.ip}`;
  const limits: AnonymousLimit[] = [
    { routes: INSTALL_ROUTES, key: byIp('install'), perMinute: config.INSTALL_REQUESTS_PER_IP_PER_MINUTE, what: 'install requests from this address' },
    { routes: OAUTH_ROUTES, key: byIp('oauth'), perMinute: config.OAUTH_REQUESTS_PER_IP_PER_MINUTE, what: 'login requests from this address' },
    {
      routes: INSTALL_START,
      key: (request) => `install-start:suite:${(request.params as { suiteId?: string }).suiteId ?? ''}`,
      perMinute: config.INSTALL_STARTS_PER_SUITE_PER_MINUTE,
      what: 'installs started for this suite',
    },
  ];
  const checks = limits.map((limit) => ({
    limit,
    check: fastify.createRateLimit({ max: limit.perMinute, timeWindow: MINUTE_MS, keyGenerator: limit.key }) as LimitCheck,
  }));

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (!route) return;
    for (const { limit, check } of checks) {
      if (!limit.routes.has(route)) continue;
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) {
        await reply
          .code(429)
          .header('retry-after', String(result.ttlInSeconds))
          .send({ statusCode: 429, error: 'rate_limited', message: `too many ${limit.what}; retry in ${result.ttlInSeconds} s` });
        return reply;
      }
    }
  });
}
