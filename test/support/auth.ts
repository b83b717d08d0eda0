import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { AuthConfig, authEnv, loadConfig } from '@app/config';
import { REDIS } from '@app/queues';
import { ApiKeyRepository, ApiKeyScope, AuthCodeClaimRepository, AuthCorpRepository, CallbackEventRepository, PrismaService, SuiteTicketRepository } from '@app/store';
import { CorpAuthorizationService, ExchangeResult } from '@app/tenants';
import { SERVE_MARGIN_MS, TokenBroker } from '@app/tokens';
import { ProcessCallbackEventJob } from '../../apps/worker/src/jobs/process-callback-event.job.js';
import { startAuthApp } from '../../apps/auth/src/auth.app.js';
import type { Simulator } from '../../apps/wecom-sim/src/simulator.js';
import { registerSuite, simControl, startTestCallbackApp, startTestSimulator, testEnv } from './platform.js';
import { testCipher, testPrisma } from './store.js';
import { tokenGraph } from './tokens.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';
import type { SuiteFixture } from './wecom-sender.js';

/**
 * The auth app in-process on a free port. WeCom redirects browsers to PUBLIC_BASE_URL, so the port is chosen
 * before start-up rather than left to the OS.
 */
export async function startTestAuthApp(env: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string; config: AuthConfig }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(authEnv, { ...env, AUTH_PORT: String(port), PUBLIC_BASE_URL: url });
  const app = await startAuthApp(config);
  return { app, url, config };
}

export interface SpawnedAuthApp {
  url: string;
  /** every line the process wrote to stdout and stderr so far */
  lines(): string[];
  stop(): Promise<void>;
}

/** The real `main.js` in a child process, its output captured line by line; resolves once /health answers. */
export async function spawnAuthApp(env: Record<string, string>): Promise<SpawnedAuthApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['dist/apps/auth/src/main.js'], {
    env: { PATH: process.env.PATH ?? '', ...env, AUTH_PORT: String(port), PUBLIC_BASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (line) lines.push(line);
    });
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  const deadline = Date.now() + 45_000; // a node process takes long to start on a loaded 2-core machine
  for (;;) {
    if (child.exitCode !== null) throw new Error(`auth app exited with ${child.exitCode}:\n${lines.join('\n')}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`auth app did not become healthy:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, lines: () => [...lines], stop };
}

/** A key straight into the store, as the CLI would make it. */
export async function createApiKey(scopes: ApiKeyScope[], name = 'test'): Promise<string> {
  const prisma = testPrisma();
  try {
    return (await new ApiKeyRepository(prisma).create(name, scopes)).key;
  } finally {
    await prisma.onModuleDestroy();
  }
}

/**
 * The worker's own `process-callback-event` job and CorpAuthorizationService on the apps' modules (real
 * repositories, Redis and the simulator), so tests can race the worker against the browser redirect.
 */
export class WorkerStandIn {
  readonly prisma: PrismaService;
  readonly redis: Redis;
  readonly authorizations: CorpAuthorizationService;
  readonly broker: TokenBroker;

  private constructor(private readonly graph: TestingModule) {
    this.prisma = graph.get(PrismaService);
    this.redis = graph.get<Redis>(REDIS);
    this.authorizations = graph.get(CorpAuthorizationService);
    this.broker = graph.get(TokenBroker);
  }

  static async start(simUrl: string, redisPrefix: string): Promise<WorkerStandIn> {
    const graph = await tokenGraph({
      redisPrefix,
      refreshMarginMs: 900_000,
      refreshJitterMs: 0,
      serveMarginMs: SERVE_MARGIN_MS,
      wecom: { baseUrl: simUrl, maxRetries: 0 },
    });
    return new WorkerStandIn(graph);
  }

  exchange(suiteId: string, authCode: string): Promise<ExchangeResult> {
    return this.authorizations.exchangeAuthCode(suiteId, authCode);
  }

  /**
   * Waits for the create_auth event the callback app stored (found by its auth_code: create_auth names no corp),
   * runs the worker's job for it, and reports what the exchange did and the tenant it left.
   */
  async handleCreateAuth(suiteId: string, authCode: string): Promise<ExchangeResult> {
    // Payloads are sealed at rest: find the row by opening the suite's create_auth rows.
    const event = await waitFor(async () => {
      const rows = await this.graph.get(CallbackEventRepository).list({ suiteId, type: 'create_auth' }, 200);
      return rows.find((row) => row.payload.includes(authCode));
    });
    const outcome = await this.graph.get(ProcessCallbackEventJob).handle({ data: { eventId: String(event.id), suiteId }, attemptsMade: 0, opts: { attempts: 1 } });
    const claim = await this.graph.get(AuthCodeClaimRepository).read(suiteId, authCode);
    if (claim.state !== 'finished') throw new Error(`create_auth event ${event.id} ended ${outcome} with its auth_code ${claim.state}`);
    const corp = await this.graph.get(AuthCorpRepository).find(suiteId, claim.corpId);
    if (!corp) throw new Error(`create_auth event ${event.id} left no tenant`);
    return { exchanged: outcome === 'authorized', corp };
  }

  /** Runs the worker's `process-callback-event` job for one stored inbox event; returns its outcome. */
  processEvent(eventId: bigint, suiteId: string): Promise<string> {
    return this.graph.get(ProcessCallbackEventJob).handle({ data: { eventId: String(eventId), suiteId }, attemptsMade: 0, opts: { attempts: 1 } });
  }

  cancel(suiteId: string, corpId: string): Promise<boolean> {
    return this.authorizations.cancel(suiteId, corpId);
  }

  close(): Promise<void> {
    return this.graph.close();
  }
}

export { waitFor };

/** How often the simulator saw this suite call a WeCom path. */
export async function simCallCount(sim: Simulator, suiteId: string, path: string): Promise<number> {
  const res = await fetch(`${sim.url}/sim/calls`);
  const calls = (await res.json()) as { by_suite: Record<string, Record<string, number>> };
  return calls.by_suite[suiteId]?.[path] ?? 0;
}

export interface BrowserInstall {
  /** our completion URL with auth_code, state and expires_in, as WeCom redirected the browser */
  completeUrl: string;
  authCode: string;
  /** the `Cookie` header the browser that pressed the install button sends back to us */
  cookie: string;
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a browser would send them back. */
export function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

/**
 * A browser opening the install page, pressing its button, and approving on the simulator's install page (which,
 * like WeCom, wants our page as the Referer), stopping just before it follows WeCom's redirect back (so a test may
 * race that against the create_auth callback).
 */
export async function approveInstall(
  authUrl: string,
  suiteId: string,
  options: { query?: string; simCorpId?: string; simCorpName?: string } = {},
): Promise<BrowserInstall> {
  const pageUrl = `${authUrl}/install/${suiteId}${options.query ? `?${options.query}` : ''}`;
  const page = await fetch(pageUrl);
  if (page.status !== 200) throw new Error(`install page answered ${page.status}: ${await page.text()}`);
  const action = /<form method="post" action="([^"]+)"/.exec(await page.text())?.[1].replace(/&amp;/g, '&');
  if (!action) throw new Error('install page has no install form');
  // The form has no fields: a browser posts an empty urlencoded body.
  const start = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: new URL(authUrl).origin, referer: pageUrl, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  if (start.status !== 303) throw new Error(`install button answered ${start.status}: ${await start.text()}`);
  const cookie = cookiesOf(start);
  const installPage = new URL(start.headers.get('location')!);
  if (options.simCorpId) installPage.searchParams.set('sim_corp_id', options.simCorpId);
  if (options.simCorpName) installPage.searchParams.set('sim_corp_name', options.simCorpName);
  // strict-origin-when-cross-origin: WeCom sees our origin as the Referer.
  const approved = await fetch(installPage, { redirect: 'manual', headers: { referer: `${new URL(authUrl).origin}/` } });
  if (approved.status !== 302) throw new Error(`install page answered ${approved.status}: ${await approved.text()}`);
  const completeUrl = approved.headers.get('location')!;
  return { completeUrl, authCode: new URL(completeUrl).searchParams.get('auth_code')!, cookie };
}

/** Follows WeCom's redirect back to us, in the browser that started the install. */
export function returnToPlatform(approved: BrowserInstall, url = approved.completeUrl): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: { cookie: approved.cookie } });
}

export interface AuthStack {
  sim: Simulator;
  env: Record<string, string>;
  authUrl: string;
  config: AuthConfig;
  callbackUrl: string;
  suite: SuiteFixture;
  worker: WorkerStandIn;
  adminKey: string;
  close(): Promise<void>;
}

/**
 * Simulator, callback app (so WeCom's create_auth and suite_ticket pushes land in the inbox as in production),
 * auth app in-process, a registered suite with a fresh ticket, the worker stand-in and an admin key.
 */
export async function startAuthStack(overrides: Record<string, string> = {}): Promise<AuthStack> {
  const sim = await startTestSimulator();
  const env = testEnv(sim.url, overrides);
  const callback = await startTestCallbackApp(env);
  const auth = await startTestAuthApp(env);
  const suite = await registerSuite(sim, callback.url);
  await pushTicket(sim, suite.suiteId);
  const worker = await WorkerStandIn.start(sim.url, env.REDIS_PREFIX);
  const adminKey = await createApiKey(['admin'], 'test-admin');
  return {
    sim,
    env,
    authUrl: auth.url,
    config: auth.config,
    callbackUrl: callback.url,
    suite,
    worker,
    adminKey,
    async close() {
      await auth.app.close();
      await callback.app.close();
      await worker.close();
      await sim.close();
    },
  };
}

/** Has the simulator push a suite_ticket and waits until the callback app stored it. */
export async function pushTicket(sim: Simulator, suiteId: string): Promise<void> {
  const pushed = await simControl<{ suite_ticket: string }>(sim, 'POST', `/sim/suites/${suiteId}/push-ticket`);
  const prisma = testPrisma();
  try {
    const tickets = new SuiteTicketRepository(prisma, testCipher());
    await waitFor(async () => (await tickets.find(suiteId))?.ticket === pushed.suite_ticket);
  } finally {
    await prisma.onModuleDestroy();
  }
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** One JSON call to the auth app. */
export async function callApi<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

/** A full browser install (start, approve, return); answers what the completion answered and the corp id. */
export async function installThroughBrowser(
  stack: Pick<AuthStack, 'authUrl' | 'suite'>,
  options: { query?: string; simCorpId?: string } = {},
): Promise<{ corpId: string; authCode: string; completion: Response }> {
  const approved = await approveInstall(stack.authUrl, stack.suite.suiteId, options);
  const completion = await returnToPlatform(approved);
  const body = completion.status === 200 ? ((await completion.clone().json()) as { corpId?: string }) : {};
  const corpId = body.corpId ?? new URL(completion.headers.get('location') ?? 'http://x/').searchParams.get('corp_id');
  if (!corpId) throw new Error(`install completion answered ${completion.status}: ${await completion.text()}`);
  return { corpId, authCode: approved.authCode, completion };
}
