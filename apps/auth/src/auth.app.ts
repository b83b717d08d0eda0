import fastifyCookie from '@fastify/cookie';
import type { AuthConfig } from '@app/config';
import { startHttpApp } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mapAuthError } from './auth-errors.js';
import { AuthModule } from './auth.module.js';
import { serveConsole } from './console/console-static.js';
import { setupOpenApi } from './openapi.js';

/** Starts the auth app; tests call this with their own config. */
export function startAuthApp(config: AuthConfig): Promise<NestFastifyApplication> {
  return startHttpApp(AuthModule.forRoot(config), {
    name: 'auth',
    port: config.AUTH_PORT,
    logLevel: config.LOG_LEVEL,
    mapDomainError: mapAuthError,
    configure: async (app) => {
      // Cookies are read only by the console's session strategy; unsigned (the token itself is the secret).
      await app.register(fastifyCookie);
      setupOpenApi(app);
      serveConsole(app);
    },
  });
}
