import { ChildProcess, spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { PrismaService } from '@app/store';
import type { Simulator } from '../../apps/wecom-sim/src/simulator.js';
import { TEST_SECRET_KEY } from '../support/env.js';
import { registerSuite, startTestSimulator } from '../support/platform.js';
import { TestRedisServer } from '../support/redis-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { commandPayload, signCallback, SuiteFixture } from '../support/wecom-sender.js';

export type AppName = 'callback' | 'worker' | 'auth';

export interface RunningApp {
  name: AppName;
  url: string;
  port: number;
  process: ChildProcess;
  /** every JSON log line the process printed */
  logs: Record<string, unknown>[];
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * One fault scenario's world: its own database (reached through a proxy the scenario can cut), its own
 * redis-server, the simulator, and the apps as child processes that can be killed and restarted.
 */
export class FaultRig {
  sim!: Simulator;
  redis = new TestRedisServer();
  dbProxy!: TcpProxy;
  databaseUrl = '';
  directDatabaseUrl = '';
  prisma!: PrismaService;
  suite!: SuiteFixture;
  readonly apps = new Map<AppName, RunningApp>();
  private readonly ports = new Map<AppName, number>();
  readonly redisPrefix = 'f' + randomBytes(3).toString('hex');

  constructor(
    private readonly name: string,
    private readonly extraEnv: Record<string, string> = {},
    private readonly simTimeFactor = 1,
  ) {}

  async start(apps: AppName[]): Promise<this> {
    this.directDatabaseUrl = `postgresql://postgres@127.0.0.1:5432/wecom_isv_fault_${this.name}`;
    const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "wecom_isv_fault_${this.name}" WITH (FORCE)`);
    await admin.end();
    execFileSync(process.execPath, ['prisma/migrate.js'], { env: { ...process.env, DATABASE_URL: this.directDatabaseUrl }, stdio: 'ignore' });
    this.dbProxy = await new TcpProxy('127.0.0.1', 5432).start();
    this.databaseUrl = `postgresql://postgres@127.0.0.1:${this.dbProxy.port}/wecom_isv_fault_${this.name}`;
    this.prisma = new PrismaService({ url: this.directDatabaseUrl, poolSize: 4 });
    await this.redis.start();
    // suite_tickets pushed on WeCom's schedule: a scenario on a fast clock outlives a ticket's 30 simulated minutes.
    this.sim = await startTestSimulator({ timeFactor: this.simTimeFactor, ticketIntervalSeconds: 600 });
    for (const app of apps) await this.startApp(app);
    this.suite = await registerSuite(this.sim, this.apps.get('callback')?.url ?? null, this.directDatabaseUrl);
    await fetch(`${this.sim.url}/sim/suites/${this.suite.suiteId}/push-ticket`, { method: 'POST' });
    return this;
  }

  env(app: AppName): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: this.redisPrefix,
      SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
      WECOM_API_BASE: this.sim.url,
      WECOM_INSTALL_BASE: this.sim.url,
      WECOM_OAUTH_BASE: this.sim.url,
      LOG_LEVEL: 'log',
      // Fast recovery for a short test: stalled jobs taken back within seconds, the inbox swept every second.
      JOB_LOCK_DURATION_MS: '4000',
      JOB_STALLED_INTERVAL_MS: '2000',
      INBOX_SWEEP_INTERVAL_MS: '1000',
      INBOX_SWEEP_GRACE_MS: '2000',
      INBOX_REQUEUE_AFTER_SECONDS: '5',
      PUBLIC_BASE_URL: app === 'auth' ? `http://127.0.0.1:${this.ports.get(app)}` : 'http://127.0.0.1:3000',
      [`${app.toUpperCase()}_PORT`]: String(this.ports.get(app)),
      ...this.extraEnv,
    };
  }

  async startApp(name: AppName): Promise<RunningApp> {
    if (!this.ports.has(name)) this.ports.set(name, await freePort());
    const port = this.ports.get(name)!;
    const child = spawn(process.execPath, [`dist/apps/${name}/src/main.js`], { env: this.env(name), stdio: ['ignore', 'pipe', 'pipe'] });
    const app: RunningApp = { name, port, url: `http://127.0.0.1:${port}`, process: child, logs: this.apps.get(name)?.logs ?? [] };
    // Both streams: Nest's logger prints errors (alerts among them) on stderr. readline emits a stream's last line
    // on its 'end', which comes before the child's 'close' that kill() waits for.
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        try {
          app.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not a log line */
        }
      });
    }
    this.apps.set(name, app);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited during start-up`);
      try {
        const res = await fetch(`${app.url}/health`);
        await res.arrayBuffer();
        if (res.status < 500) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`${name} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return app;
  }

  async kill(name: AppName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const app = this.apps.get(name);
    if (!app || app.process.exitCode !== null) return;
    // 'close', not 'exit': the process's last log lines are read from its stdout before this resolves.
    await new Promise<void>((r) => {
      app.process.once('close', () => r());
      app.process.kill(signal);
    });
  }

  /** Sends one unique, validly signed change_contact callback; returns the HTTP status (0 when the request failed). */
  async sendCallback(tag: string): Promise<number> {
    const req = signCallback(this.suite, commandPayload(this.suite.suiteId, 'change_contact', { AuthCorpId: 'wwfault', ChangeType: 'update_user', UserID: tag }), this.suite.suiteId);
    try {
      const res = await fetch(`${this.apps.get('callback')!.url}/callback/suites/${this.suite.suiteId}/command?${req.query}`, {
        method: 'POST',
        body: req.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /**
   * Sends `count` callbacks at `perSecond`, up to 32 in flight; `at(ms, fn)` entries run at those offsets, one after
   * the other (an entry due while the previous one still runs waits for it: a kill never lands on an app that an
   * earlier entry is still starting). `tag` makes each load's callbacks distinct from an earlier load's on the same rig.
   */
  async load(count: number, perSecond: number, schedule: [number, () => Promise<void>][] = [], tag = this.name): Promise<LoadTally> {
    const tally: LoadTally = { sent: 0, acked: 0, refused: 0 };
    const started = Date.now();
    const actions = (async () => {
      for (const [ms, fn] of schedule) {
        const due = started + ms - Date.now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
        await fn();
      }
    })();
    let next = 0;
    const sender = async () => {
      while (next < count) {
        const i = next++;
        const due = started + (i * 1000) / perSecond;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        tally.sent++;
        const status = await this.sendCallback(`${tag}-${i}`);
        if (status === 200) tally.acked++;
        else tally.refused++;
      }
    };
    await Promise.all([...Array.from({ length: 32 }, sender), actions]);
    return tally;
  }

  async counts(): Promise<{ stored: number; processed: number }> {
    const where = { suiteId: this.suite.suiteId, type: 'change_contact' };
    const [stored, processed] = await Promise.all([
      this.prisma.client.callbackEvent.count({ where }),
      this.prisma.client.callbackEvent.count({ where: { ...where, status: 'processed' } }),
    ]);
    return { stored, processed };
  }

  async simPost<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
    const res = await fetch(`${this.sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Resident memory of an app, from its Prometheus metrics. */
  async rssBytes(name: AppName): Promise<number> {
    const text = await (await fetch(`${this.apps.get(name)!.url}/metrics`)).text();
    return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
  }

  /** Waits until every stored change_contact event is processed (or the timeout). */
  async waitProcessed(expected: number, timeoutMs = 90_000): Promise<{ stored: number; processed: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.counts();
      // Also every stored event: one stored whose answer was lost with the connection is swept and processed later.
      if (c.processed >= Math.max(expected, c.stored) || Date.now() > deadline) return c;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** How many events the worker reported processing more than once (from its JSON logs). */
  duplicatesProcessed(): number {
    const seen = new Map<string, number>();
    for (const line of this.apps.get('worker')?.logs ?? []) {
      const msg = line.message as Record<string, unknown> | undefined;
      if (msg && msg.msg === 'callback event processed' && typeof msg.eventId === 'string') seen.set(msg.eventId, (seen.get(msg.eventId) ?? 0) + 1);
    }
    return [...seen.values()].reduce((n, c) => n + (c - 1), 0);
  }

  async stop(): Promise<void> {
    for (const name of this.apps.keys()) await this.kill(name, 'SIGTERM');
    // FAULT_LOGS_DIR=<dir>: each app's JSON log lines kept as <scenario>-<app>.jsonl, to read after a failure.
    if (process.env.FAULT_LOGS_DIR) {
      mkdirSync(process.env.FAULT_LOGS_DIR, { recursive: true });
      for (const [name, app] of this.apps) {
        writeFileSync(join(process.env.FAULT_LOGS_DIR, `${this.name}-${name}.jsonl`), app.logs.map((l) => JSON.stringify(l)).join('\n'));
      }
    }
    await this.sim?.close();
    await this.redis.stop();
    await this.dbProxy?.close();
    await this.prisma?.onModuleDestroy();
  }
}

export interface LoadTally {
  sent: number;
  acked: number;
  refused: number;
}
