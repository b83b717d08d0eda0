import type { AddressInfo } from 'node:net';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from './logger.js';
import { DomainErrorMapper, PlatformErrorFilter } from './error.filter.js';
import { guardOpsSurface } from './ops-surface.js';
import { PlatformValidationPipe } from './validation.pipe.js';

export interface HttpAppOptions {
  name: string;
  port: number;
  /** default 127.0.0.1 */
  host?: string;
  /** proxies (IPs, CIDR ranges) whose X-Forwarded-For is believed; none by default */
  trustProxy?: string[];
  /** second listener for /metrics, /docs and /health details (0 = any free port); unset: those answer loopback only */
  opsPort?: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  bodyLimit?: number;
  mapDomainError?: DomainErrorMapper;
  /** Extra set-up before listening (content-type parsers, OpenAPI). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

/** Creates, configures and starts a Fastify-based Nest app; shuts down cleanly on SIGTERM/SIGINT. */
export async function startHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module as Parameters<typeof NestFactory.create>[0],
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024, trustProxy: options.trustProxy?.length ? options.trustProxy : false }),
    { logger: createLogger(options.logLevel), bufferLogs: true },
  );
  app.useGlobalFilters(new PlatformErrorFilter(options.mapDomainError));
  app.useGlobalPipes(new PlatformValidationPipe());
  app.enableShutdownHooks();
  refuseNulCharacters(app);
  const startOpsListener = guardOpsSurface(app, options.opsPort);
  await options.configure?.(app);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen(options.port, host);
  } catch (err) {
    // A start-up refusal (e.g. RedisEvictionPolicyError in a module's init) leaves connections and BullMQ queues open
    // that would keep retrying in the caller's process: close them before reporting it.
    await app.close().catch(() => undefined);
    throw err;
  }
  new Logger(options.name).log(`listening on ${await app.getUrl()}`);
  const ops = await startOpsListener(host);
  if (ops) new Logger(options.name).log(`operations (/metrics, /docs, /health details) on port ${(ops.address() as AddressInfo).port}`);
  return app;
}

export type { INestApplication };

/**
 * PostgreSQL text cannot hold U+0000, so a NUL anywhere in a request would surface as a database error (a 500).
 * Refuse it up front, for every route, as the client's mistake it is.
 */
function refuseNulCharacters(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().addHook('preHandler', async (request, reply) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      await reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'NUL characters are not accepted' });
      return reply;
    }
  });
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 16 || value === null || typeof value !== 'object') return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) if (containsNul(item, depth + 1)) return true;
  return false;
}
