/**
 * `npm run console:api`: writes the auth app's OpenAPI document to apps/console/src/api/openapi.json, from which
 * openapi-typescript generates the client types that the console and packages/client share
 * (packages/client/src/schema.ts). The document comes from the same
 * controllers and DTOs as /docs-json; test/console-api.e2e-spec.ts fails when the committed copy is stale.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { authEnv, loadConfig } from '@app/config';
import { AuthModule } from '../apps/auth/src/auth.module.js';
import { buildOpenApiDocument } from '../apps/auth/src/openapi.js';

const root = resolve(import.meta.dirname, '../..');
const config = loadConfig(authEnv, { SECRET_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'error' });
const app = await NestFactory.create(AuthModule.forRoot(config), new FastifyAdapter(), { logger: false });
const target = resolve(root, 'apps/console/src/api/openapi.json');
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
await app.close();
process.stdout.write(`wrote ${target}\n`);
process.exit(0);
