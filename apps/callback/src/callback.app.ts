import type { CallbackConfig } from '@app/config';
import { startHttpApp } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CallbackModule } from './callback.module.js';
import { mapCallbackError } from './callback-errors.js';
import { acceptXmlBodies } from './xml-body.js';

/** Starts the callback app; tests call this with their own config and port 0. */
export function startCallbackApp(config: CallbackConfig): Promise<NestFastifyApplication> {
  return startHttpApp(CallbackModule.forRoot(config), {
    name: 'callback',
    port: config.CALLBACK_PORT,
    host: config.HOST,
    trustProxy: config.TRUST_PROXY,
    opsPort: config.OPS_PORT,
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.CALLBACK_BODY_LIMIT,
    mapDomainError: mapCallbackError,
    configure: (app) => acceptXmlBodies(app, config.CALLBACK_BODY_LIMIT),
  });
}
