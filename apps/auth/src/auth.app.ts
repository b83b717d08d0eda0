import type { AuthConfig } from '@app/config';
import { startHttpApp } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mapAuthError } from './auth-errors.js';
import { AuthModule } from './auth.module.js';
import { serveConsole } from './console/console-static.js';
import { registerGatewayBody } from './gateway/gateway-body.js';
import { registerBrowserCookies } from './common/browser-cookies.js';
import { acceptJsonBodiesOnly } from './common/json-bodies.js';
import { registerRateLimits } from './common/rate-limits.js';
import { setupOpenApi } from './openapi.js';

/** Starts the auth app; tests call this with their own config. */
export function startAuthApp(config: AuthConfig): Promise<NestFastifyApplication> {
  return startHttpApp(AuthModule.forRoot(config), {
    name: 'auth',
    port: config.AUTH_PORT,
    host: config.HOST,
    trustProxy: config.TRUST_PROXY,
    opsPort: config.OPS_PORT,
    logLevel: config.LOG_LEVEL,
    mapDomainError: mapAuthError,
    configure: async (app) => {
      await registerBrowserCookies(app, config.SECRET_KEY, config.SECRET_KEYS_OLD);
      registerRateLimits(app, config);
      registerGatewayBody(app.getHttpAdapter().getInstance());
      acceptJsonBodiesOnly(app.getHttpAdapter().getInstance());
      setupOpenApi(app);
      serveConsole(app);
    },
  });
}
