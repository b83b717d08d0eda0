import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from '@nestjs/common';

/** Where `npm run build` puts the console's Vite build (dist/console), from this file's place in dist/. */
export const CONSOLE_DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Files Vite names by content hash may be cached for good; index.html must be revalidated to pick up a release. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
}

/**
 * Serves the console's static build under /console from memory (a few hundred kB), with the gzip Vite's build
 * wrote beside each file; any other /console/* path is the single-page app's index.html (client-side routes).
 * The same content-security policy applies to every page: only our own scripts, styles and API.
 */
export function serveConsole(app: NestFastifyApplication, dir = CONSOLE_DIST): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (!existsSync(join(dir, 'index.html'))) {
    new Logger('console').warn({ msg: `no console build at ${dir}; /console answers 404 (run npm run build)` });
    return;
  }
  const assets = new Map<string, Asset>();
  for (const file of walk(dir)) {
    if (file.endsWith('.gz')) continue;
    const gz = `${file}.gz`;
    assets.set(`/console/${relative(dir, file).split('\\').join('/')}`, {
      type: TYPES[extname(file)] ?? 'application/octet-stream',
      body: readFileSync(file),
      gzip: existsSync(gz) ? readFileSync(gz) : null,
    });
  }
  const index = assets.get('/console/index.html')!;
  const headers = {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
  fastify.get('/console', async (_request, reply) => reply.redirect('/console/', 302));
  fastify.get('/console/*', async (request, reply) => {
    const path = request.url.split('?')[0];
    const asset = assets.get(path);
    const chosen = asset ?? (path.startsWith('/console/assets/') ? undefined : index);
    if (!chosen) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no console file ${path}` });
    void reply.headers(headers).type(chosen.type).header('cache-control', chosen === index ? 'no-cache' : IMMUTABLE).header('vary', 'accept-encoding');
    const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (chosen.gzip && acceptsGzip) return reply.header('content-encoding', 'gzip').send(chosen.gzip);
    return reply.send(chosen.body);
  });
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
