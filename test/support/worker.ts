import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import { loadConfig, WorkerConfig, workerEnv } from '@app/config';
import { REDIS } from '@app/queues';
import { AuthCorpRepository, PrismaService, StoredTokenRepository } from '@app/store';
import { CorpAuthorizationService } from '@app/tenants';
import { RefreshSchedule, TokenBroker, TokenCache } from '@app/tokens';
import { JobSchedulers } from '../../apps/worker/src/job-schedulers.js';
import { startWorkerApp } from '../../apps/worker/src/worker.app.js';
import { tokenGraph } from './tokens.js';

/**
 * Worker settings for a simulator running `factor` times faster than real time: WeCom's lifetimes shrink by
 * the factor (the simulator reports expires_in in real seconds), so the margins, the rate-limit pause and
 * the sweep cadence shrink with them.
 */
export function scaledWorkerEnv(factor: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    REFRESH_MARGIN_SECONDS: String(900 / factor),
    REFRESH_JITTER_SECONDS: String(120 / factor),
    TOKEN_SERVE_MARGIN_SECONDS: String(300 / factor),
    WECOM_RATE_LIMIT_PAUSE_MS: String(Math.max(50, Math.round(60_000 / factor))),
    REFRESH_SWEEP_INTERVAL_MS: '200',
    INBOX_SWEEP_INTERVAL_MS: '300',
    INBOX_SWEEP_GRACE_MS: '300',
    JOB_LOCK_DURATION_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '10',
    ...overrides,
  };
}

export interface TestWorker {
  app: NestFastifyApplication;
  url: string;
  config: WorkerConfig;
  runner: JobSchedulers;
}

export async function startTestWorkerApp(env: Record<string, string>): Promise<TestWorker> {
  const config = loadConfig(workerEnv, { ...env, WORKER_PORT: '0' });
  const app = await startWorkerApp(config);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  return { app, url, config, runner: app.get(JobSchedulers) };
}

/** A worker in its own process (`node dist/apps/worker/src/main.js`), for two-worker and SIGKILL tests. */
export class WorkerProcess {
  url = '';
  private readonly output: string[] = [];

  private constructor(readonly proc: ChildProcess) {}

  static async spawn(env: Record<string, string>, timeoutMs = 45_000): Promise<WorkerProcess> {
    const proc = spawn(process.execPath, ['dist/apps/worker/src/main.js'], {
      // 'log' level: the process announces its URL in a log line; the output stays in memory for failures.
      env: { PATH: process.env.PATH ?? '', ...env, WORKER_PORT: '0', LOG_LEVEL: 'log' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(proc);
    let buffered = '';
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`worker did not start:\n${worker.log()}`));
      }, timeoutMs);
      proc.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          worker.output.push(line);
          const url = /listening on (http:\/\/[^\s"]+)/.exec(line)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url.replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1'));
          }
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => worker.output.push(chunk.toString()));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker exited with ${code}:\n${worker.log()}`));
      });
    });
    worker.url = await listening;
    return worker;
  }

  log(): string {
    return this.output.join('\n');
  }

  async metric(name: string): Promise<number> {
    return sumMetric(await (await fetch(`${this.url}/metrics`)).text(), name);
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode;
    const exited = once(this.proc, 'exit');
    this.proc.kill(signal);
    const [code] = (await exited) as [number | null];
    return code;
  }
}

/** Sums every sample of a metric in a Prometheus text exposition (all label sets). */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * The token machinery as another app (the auth app's token API, the install redirect) would have it, for a
 * test to read tokens and exchange codes next to the worker, built from the apps' own modules. `apiBase` may
 * point nowhere, to prove that serving a token never needed WeCom. `timeoutMs`: how long a WeCom call may take (ms).
 */
export async function testTokens(env: Record<string, string>, apiBase: string, timeoutMs = 2000) {
  const config = loadConfig(workerEnv, env);
  const graph = await tokenGraph({
    redisPrefix: config.REDIS_PREFIX,
    refreshMarginMs: config.REFRESH_MARGIN_SECONDS * 1000,
    refreshJitterMs: config.REFRESH_JITTER_SECONDS * 1000,
    serveMarginMs: config.TOKEN_SERVE_MARGIN_SECONDS * 1000,
    wecom: { baseUrl: apiBase, timeoutMs, maxRetries: 0 },
  }, config.DATABASE_URL);
  return {
    databaseUrl: config.DATABASE_URL,
    prisma: graph.get(PrismaService),
    redis: graph.get<Redis>(REDIS),
    broker: graph.get(TokenBroker),
    schedule: graph.get(RefreshSchedule),
    corps: graph.get(AuthCorpRepository),
    storedTokens: graph.get(StoredTokenRepository),
    authorization: graph.get(CorpAuthorizationService),
    cache: graph.get(TokenCache),
    close: (): Promise<void> => graph.close(),
  };
}

export type TestTokens = Awaited<ReturnType<typeof testTokens>>;

export { sleep, waitFor } from './wait.js';
