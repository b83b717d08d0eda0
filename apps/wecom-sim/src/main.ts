import { loadConfig, simEnv } from '@app/config';
import { createLogger } from '@app/platform';
import { startSimulator } from './simulator.js';

async function main(): Promise<void> {
  const config = loadConfig(simEnv);
  // JSON lines like the platform's apps, so one log pipeline (and the demo's output) reads all four.
  const logger = createLogger(config.LOG_LEVEL);
  const sim = await startSimulator({
    port: config.SIM_PORT,
    host: config.SIM_HOST,
    timeFactor: config.SIM_TIME_FACTOR,
    ticketIntervalSeconds: config.SIM_TICKET_INTERVAL_SECONDS,
    expiresInMode: config.SIM_EXPIRES_IN_MODE,
    logger,
  });
  const shutdown = (signal: string) => {
    logger.log(`${signal}: shutting down`, 'WecomSim');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${String(err)}`, 'WecomSim');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  createLogger('error').error(err instanceof Error ? err.message : String(err), 'WecomSim');
  process.exit(1);
});
