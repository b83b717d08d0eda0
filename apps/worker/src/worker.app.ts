import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { WorkerConfig } from '@app/config';
import { startHttpApp } from '@app/platform';
import { WorkerModule } from './worker.module.js';

/** Starts the worker (queue processors, schedulers, /health, /metrics); tests call this with port 0. */
export function startWorkerApp(config: WorkerConfig): Promise<NestFastifyApplication> {
  return startHttpApp(WorkerModule.forRoot(config), {
    name: 'worker',
    port: config.WORKER_PORT,
    host: config.HOST,
    trustProxy: config.TRUST_PROXY,
    opsPort: config.OPS_PORT,
    logLevel: config.LOG_LEVEL,
  });
}
