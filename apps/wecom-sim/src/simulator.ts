import { Logger, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { ExpiresInMode, SimClock } from './core/sim-clock.js';
import { SimCore } from './core/sim-core.js';
import { SimState } from './core/sim-state.js';
import { installBodyParser, installResponsePatchHook, installTrafficHook } from './http/fastify-setup.js';
import { SimExceptionFilter } from './http/sim-exception.filter.js';
import { WecomSimModule } from './wecom-sim.module.js';

export interface SimulatorOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Simulated seconds per real second; default 1. */
  timeFactor?: number;
  /** Simulated seconds between automatic suite_ticket pushes; 0 disables them; default 600. */
  ticketIntervalSeconds?: number;
  /** Nest logger for the app and the simulator; `false` silences both. */
  logger?: LoggerService | false;
  /** How long a callback push waits for the receiver (real ms); default 5000, as WeCom. */
  callbackTimeoutMs?: number;
  /** Pause between callback retries (real ms); default 1000. */
  callbackRetryDelayMs?: number;
  /** `expires_in` of a repeated fetch of a still-valid token: the time left (default) or a constant 7200. */
  expiresInMode?: ExpiresInMode;
  /** Random source for fault ratios (tests). */
  random?: () => number;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:3999 — use it as WECOM_API_BASE, WECOM_INSTALL_BASE and WECOM_OAUTH_BASE. */
  url: string;
  port: number;
  core: SimCore;
  state: SimState;
  clock: SimClock;
  close(): Promise<void>;
}

const silent: LoggerService = { log() {}, error() {}, warn() {}, debug() {}, verbose() {} };

/** Starts the WeCom simulator over real HTTP (Fastify under Nest) and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const logger: LoggerService = options.logger === false ? silent : (options.logger ?? new Logger('WecomSim'));
  const core = new SimCore({
    timeFactor: options.timeFactor ?? 1,
    ticketIntervalSeconds: options.ticketIntervalSeconds ?? 600,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
    callbackRetryDelayMs: options.callbackRetryDelayMs ?? 1000,
    random: options.random,
    expiresInMode: options.expiresInMode ?? 'remaining',
    logger: { warn: (message) => logger.warn(message, 'WecomSim') },
  });
  const app = await NestFactory.create<NestFastifyApplication>(WecomSimModule.register(core), new FastifyAdapter(), {
    bodyParser: false,
    logger: options.logger === undefined ? undefined : options.logger,
  });
  const instance = app.getHttpAdapter().getInstance();
  installBodyParser(instance);
  installTrafficHook(instance, core);
  installResponsePatchHook(instance, core);
  app.useGlobalFilters(new SimExceptionFilter(core.clock, logger));
  const host = options.host ?? '127.0.0.1';
  await app.listen(options.port, host);
  core.start();
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${address.port}`;
  logger.log(`WeCom simulator listening on ${url} (time factor ${core.clock.timeFactor}, suite_ticket every ${core.ticketInterval} s)`, 'WecomSim');
  return {
    url,
    port: address.port,
    core,
    state: core.state,
    clock: core.clock,
    async close() {
      await core.stop();
      await app.close();
    },
  };
}
