import { ConsoleLogger, LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * JSON lines, one object per log call: on stdout, errors and fatals on stderr (Nest's ConsoleLogger); `level` is the
 * most verbose level printed.
 */
export function createLogger(level: 'error' | 'warn' | 'log' | 'debug' | 'verbose'): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1) });
}
