import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { loadConfig, WorkerConfig, workerEnv } from '@app/config';
import {
  AuthCodeClaimRepository,
  AuthCorpRepository,
  PrismaService,
  StoredTokenRepository,
  SuiteRepository,
  SuiteTicketRepository,
} from '@app/store';
import { CorpAuthorizationService, RefreshSchedule, TokenBroker, TokenCache } from '@app/tokens';
import { WecomServiceApi } from '@app/wecom';
import { QueueRunner } from '../../apps/worker/src/queue-runner.js';
import { startWorkerApp } from '../../apps/worker/src/worker.app.js';
import { TEST_REDIS_URL } from './env.js';
import { testCipher, testPrisma } from './store.js';

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
  runner: QueueRunner;
}

export async function startTestWorkerApp(env: Record<string, string>): Promise<TestWorker> {
  const config = loadConfig(workerEnv, { ...env, WORKER_PORT: '0' });
  const app = await startWorkerApp(config);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  return { app, url, config, runner: app.get(QueueRunner) };
}

/** A worker in its own process (`node dist/apps/worker/src/main.js`), for two-worker and SIGKILL tests. */
export class WorkerProcess {
  url = '';
  private readonly output: string[] = [];

  private constructor(readonly proc: ChildProcess) {}

  static async spawn(env: Record<string, string>, timeoutMs = 15_000): Promise<WorkerProcess> {
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
 * test to read tokens and exchange codes next to the worker. `apiBase` may point nowhere, to prove that
 * serving a token never needed WeCom.
 */
export function testTokens(env: Record<string, string>, apiBase: string) {
  const config = loadConfig(workerEnv, env);
  const prisma: PrismaService = testPrisma();
  const cipher = testCipher();
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const api = new WecomServiceApi({ baseUrl: apiBase, timeoutMs: 2000, maxRetries: 0 });
  const corps = new AuthCorpRepository(prisma, cipher);
  const storedTokens = new StoredTokenRepository(prisma, cipher);
  const schedule = new RefreshSchedule(redis, config.REDIS_PREFIX, config.REFRESH_MARGIN_SECONDS * 1000, config.REFRESH_JITTER_SECONDS * 1000);
  const broker = new TokenBroker({
    redis,
    redisPrefix: config.REDIS_PREFIX,
    api,
    cipher,
    suites: new SuiteRepository(prisma, cipher),
    tickets: new SuiteTicketRepository(prisma, cipher),
    corps,
    storedTokens,
    schedule,
    serveMarginMs: config.TOKEN_SERVE_MARGIN_SECONDS * 1000,
  });
  const authorization = new CorpAuthorizationService(broker, api, new AuthCodeClaimRepository(prisma), corps, storedTokens, schedule);
  return {
    prisma,
    redis,
    broker,
    schedule,
    corps,
    storedTokens,
    authorization,
    cache: new TokenCache(redis, config.REDIS_PREFIX, cipher),
    async close(): Promise<void> {
      redis.disconnect();
      await prisma.onModuleDestroy();
    },
  };
}

export type TestTokens = ReturnType<typeof testTokens>;

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
