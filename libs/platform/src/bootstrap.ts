import { INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from './logger.js';
import { DomainErrorMapper, PlatformErrorFilter } from './error.filter.js';

export interface HttpAppOptions {
  name: string;
  port: number;
  host?: string;
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
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024, trustProxy: true }),
    { logger: createLogger(options.logLevel), bufferLogs: true },
  );
  app.useGlobalFilters(new PlatformErrorFilter(options.mapDomainError));
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
  );
  app.enableShutdownHooks();
  refuseNulCharacters(app);
  await options.configure?.(app);
  await app.listen(options.port, options.host ?? '0.0.0.0');
  new Logger(options.name).log(`listening on ${await app.getUrl()}`);
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
