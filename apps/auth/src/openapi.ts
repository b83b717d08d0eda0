import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

const TITLE = 'WeCom ISV platform — auth app';

/**
 * OpenAPI from the controllers and DTOs: the document at /docs-json (and /docs-yaml), the UI at /docs.
 * SwaggerModule's own UI needs @fastify/static, whose current release loads an ESM-only dependency through
 * require() — fine on Node 20.19+, fatal under Jest's module loader — so the few UI files are served here.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { ui: false, raw: true, jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  serveSwaggerUi(app);
}

/** The OpenAPI document of an auth app instance (also exported for the console's generated client types). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(TITLE)
      .setDescription(
        'Install flow, third-party member login, token API, JS-SDK signatures and the admin API. ' +
          "Every /api/v1 route needs `Authorization: Bearer <api key>` (scope `admin`, or `suite:<suiteId>` for that suite's token, JS-SDK and login-token routes). " +
          'Admin routes also accept the web console\'s session cookie (people, with a role: admin, operator, viewer) with `X-CSRF-Token` on changes. ' +
          'Errors are `{ statusCode, error, message }`; `error` is a stable code for domain errors (see the README).',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (wik_…)' })
      .addCookieAuth('wecom_console_session', { type: 'apiKey', in: 'cookie', description: 'The web console session (people); send X-CSRF-Token on changes' }, 'console-session')
      .build(),
  );
}

const UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INIT_JS = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/docs-json', dom_id: '#swagger-ui', persistAuthorization: false });
};
`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${TITLE}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-init.js"></script>
</body>
</html>
`;

function serveSwaggerUi(app: NestFastifyApplication): void {
  // The swagger-ui-dist that @nestjs/swagger itself depends on, so the UI matches the document generator.
  const require = createRequire(import.meta.url);
  const dist = dirname(createRequire(require.resolve('@nestjs/swagger')).resolve('swagger-ui-dist/package.json'));
  const files = new Map(Object.entries(UI_FILES).map(([name, type]) => [name, { type, body: readFileSync(join(dist, name)) }]));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  fastify.get('/docs/swagger-ui-init.js', async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(INIT_JS));
  for (const [name, file] of files) {
    fastify.get(`/docs/${name}`, async (_request, reply) => reply.type(file.type).header('cache-control', 'public, max-age=86400').send(file.body));
  }
}
