/**
 * Cost of one JSON log line: the apps' logger (Nest's ConsoleLogger with `json: true`, called through `new Logger(ctx)`
 * as every service does) against pino, the logger nestjs-pino wraps — pino with its default synchronous stdout
 * destination, and pino with an asynchronous buffered one (sonic-boom, 4 KiB), its fastest set-up (lines can be lost
 * on a crash). Each variant runs in its own process with stdout on /dev/null; rounds alternate so load from elsewhere
 * on the machine hits all alike. Issue 9 asked whether nestjs-pino would remove code and not be slower.
 *   node dist/bench/logger.js            (BENCH_LOG_LINES per round, default 100,000; 5 rounds)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printSummary, printTable } from './support.js';

const VARIANTS = ['nest-console-json', 'pino-sync', 'pino-async'] as const;
type Variant = (typeof VARIANTS)[number];
const LINES = Number(process.env.BENCH_LOG_LINES ?? 100_000);
const ROUNDS = 5;

/** The callback app's per-request line (CallbackIntakeService.finish), the most frequent one. */
const line = (i: number) => ({ msg: 'callback', suiteId: 'wwbenchsuite', kind: 'command', type: 'change_contact', corpId: 'wwbenchcorp', eventId: String(i), outcome: 'stored', latencyMs: 1.3 });

/** In the child: writes LINES lines through `variant`, reports ns per line on stderr. */
async function measure(variant: Variant): Promise<void> {
  let log: (i: number) => void;
  let flush = async () => {};
  if (variant === 'nest-console-json') {
    const { Logger } = await import('@nestjs/common');
    const { createLogger } = await import('@app/platform');
    Logger.overrideLogger(createLogger('log'));
    const logger = new Logger('Callback');
    log = (i) => logger.log(line(i));
  } else {
    const { pino } = await import('pino');
    const destination = pino.destination({ dest: 1, sync: variant === 'pino-sync', minLength: variant === 'pino-async' ? 4096 : 0 });
    const logger = pino({ level: 'info' }, destination).child({ context: 'Callback' });
    log = (i) => logger.info(line(i));
    flush = () => new Promise((r) => destination.flush(() => r()));
  }
  for (let i = 0; i < 2000; i++) log(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) log(i);
  await flush();
  const ns = Number(process.hrtime.bigint() - started) / LINES;
  process.stderr.write(JSON.stringify({ ns }) + '\n');
}

function runChild(variant: Variant): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), variant], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(err.trim().split('\n').pop()!) as { ns: number }).ns) : reject(new Error(err))));
  });
}

const asked = process.argv[2] as Variant | undefined;
if (asked) {
  await measure(asked);
} else {
  const samples: Record<Variant, number[]> = { 'nest-console-json': [], 'pino-sync': [], 'pino-async': [] };
  for (let round = 0; round < ROUNDS; round++) for (const v of VARIANTS) samples[v].push(await runChild(v));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const us = (ns: number) => Math.round(ns / 10) / 100;
  process.stdout.write(`one JSON log line (the callback app's per-request line) to stdout on /dev/null, ${LINES.toLocaleString('en-US')} lines per round, ${ROUNDS} alternating rounds, µs per line\n`);
  printTable(['logger', 'median µs', 'best µs', 'worst µs'], VARIANTS.map((v) => [v, us(median(samples[v])), us(Math.min(...samples[v])), us(Math.max(...samples[v]))]));
  printSummary({
    bench: 'logger',
    metric: 'µs per JSON log line, median of rounds (reference: pino, default synchronous destination)',
    ours: us(median(samples['nest-console-json'])),
    reference: us(median(samples['pino-sync'])),
    pino_async_us: us(median(samples['pino-async'])),
    lines_per_round: LINES,
  });
}
