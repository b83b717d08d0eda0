/**
 * `npm run bench`: every benchmark, one after another, each in its own process. Each prints a table and, as its
 * last line, one JSON object; this collects those lines into a final summary table.
 *   node dist/bench/run-all.js [name ...]
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from './processes.js';
import { printTable } from './support.js';

const ALL = ['crypto', 'callback-ingest', 'token-api', 'refresh-scale', 'event-delivery', 'license-reconcile'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;

const summaries: Record<string, unknown>[] = [];
for (const name of chosen) {
  process.stdout.write(`\n== bench/${name} ==\n`);
  const started = Date.now();
  const lastLine = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, `dist/bench/${name}.js`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString('utf8');
    });
    child.on('exit', (code) => (code === 0 ? done(output.trim().split('\n').pop() ?? '') : fail(new Error(`bench/${name} exited with ${code}`))));
  });
  summaries.push({ ...(JSON.parse(lastLine) as Record<string, unknown>), seconds: Math.round((Date.now() - started) / 1000) });
}

process.stdout.write('\n== summary ==\n');
printTable(
  ['bench', 'metric', 'ours', 'reference', 'ratio', 'seconds'],
  summaries.map((s) => [String(s.bench), String(s.metric), Number(s.ours), Number(s.reference), String(s.ratio), Number(s.seconds)]),
);
