import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { loadConfig, simEnv } from '@app/config';
import { startSimulator } from './simulator.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

async function main(): Promise<void> {
  const config = loadConfig(simEnv);
  const logger = new ConsoleLogger('WecomSim', { logLevels: LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1) });
  const sim = await startSimulator({
    port: config.SIM_PORT,
    host: config.SIM_HOST,
    timeFactor: config.SIM_TIME_FACTOR,
    ticketIntervalSeconds: config.SIM_TICKET_INTERVAL_SECONDS,
    expiresInMode: config.SIM_EXPIRES_IN_MODE,
    logger,
  });
  const shutdown = (signal: string) => {
    logger.log(`${signal}: shutting down`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  new ConsoleLogger('WecomSim').error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
