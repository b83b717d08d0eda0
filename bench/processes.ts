import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export { freePort } from '../test/support/ports.js';

/**
 * Node flags every measured process runs with, apps and limit servers alike: what the image sets in NODE_OPTIONS
 * (Dockerfile) and `npm run start:*` pass — a 64 MB semi-space instead of V8's 16 MB default.
 */
const NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * Starts `node <script>` from the build; its output is dropped unless `inherit` is asked for. With
 * BENCH_PROFILE_DIR set, each app writes a V8 CPU profile there when it exits (open it in Chrome DevTools or speedscope).
 */
export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, inherit = false): ChildProcess {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  return spawn(process.execPath, [...NODE_FLAGS, ...profile, resolve(ROOT, script), ...args], { env: { ...process.env, ...env }, stdio: inherit ? 'inherit' : 'ignore' });
}

/** Runs `node <script>` to completion and returns its last stdout line parsed as JSON. */
export function runNode<T>(script: string, args: string[]): T {
  const out = execFileSync(process.execPath, [resolve(ROOT, script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** runNode without blocking this process, so several can run side by side. */
export function runNodeAsync<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [resolve(ROOT, script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, out) => {
      if (err) return reject(err);
      const lines = out.trim().split('\n');
      resolvePromise(JSON.parse(lines[lines.length - 1]) as T);
    });
  });
}

/**
 * CPU seconds (user + system) a child process has used so far, from /proc (Linux; NaN elsewhere). On a machine
 * shared with other work, CPU per request is the figure that survives: wall-clock rates measure who else runs.
 */
export function cpuSeconds(child: ChildProcess): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them, in clock ticks.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on every Linux build Node runs on. */
const CLOCK_TICKS = 100;

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** A fresh, migrated database for one bench run, on the local server. */
export async function freshDatabase(base: string): Promise<string> {
  // BENCH_DB_SUFFIX keeps concurrent runs on one server apart.
  const url = `postgresql://postgres@127.0.0.1:5432/${base}${process.env.BENCH_DB_SUFFIX ?? ''}`;
  await recreateDatabase(url);
  return url;
}

/** Drops the database of `databaseUrl` (connected sessions too) and creates it anew, migrated; migration errors show. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  execFileSync(process.execPath, [resolve(ROOT, 'prisma/migrate.js')], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'inherit'] });
}
