import { CommanderError } from 'commander';
import { buildCli } from './cli.js';

const write = (line: string): void => void process.stdout.write(line);

try {
  await buildCli(write).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has already printed its own usage errors.
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
