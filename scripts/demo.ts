/**
 * `npm run demo`: migrates the database, starts the WeCom simulator and the three apps, registers a demo suite
 * with both, creates an admin API key, starts a small webhook receiver that prints every verified event, and prints
 * what to open. Ctrl-C stops everything.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { newSigningSecret } from '@app/events';
import { ApiKeyRepository, AuthCorpRepository, ConsoleUserExistsError, ConsoleUserRepository, PrismaService, SecretCipher, SuiteRepository, WebhookEndpointRepository } from '@app/store';
import { startWebhookReceiver } from './webhook-receiver.js';

const root = resolve(import.meta.dirname, '../..');
const stateDir = resolve(root, '.demo');
const out = (line = ''): void => void process.stdout.write(`${line}\n`);

interface DemoSuite {
  suiteId: string;
  secret: string;
  token: string;
  aesKey: string;
  providerCorpId: string;
  providerSecret: string;
}

/** Keeps the demo's generated key and suite across runs, so what one run stored the next can open. */
function persistent<T>(name: string, make: () => T): T {
  mkdirSync(stateDir, { recursive: true });
  const file = resolve(stateDir, name);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = make();
  writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  return value;
}

const envFile = resolve(root, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

const secretKey = process.env.SECRET_KEY || persistent('secret-key.json', () => randomBytes(32).toString('base64'));
const sim = `http://127.0.0.1:${process.env.SIM_PORT ?? 3999}`;
const ports = { auth: process.env.AUTH_PORT ?? '3000', callback: process.env.CALLBACK_PORT ?? '3001', worker: process.env.WORKER_PORT ?? '3002' };
const receiverPort = Number(process.env.DEMO_RECEIVER_PORT ?? 3003);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  SECRET_KEY: secretKey,
  WECOM_API_BASE: process.env.WECOM_API_BASE ?? sim,
  WECOM_INSTALL_BASE: process.env.WECOM_INSTALL_BASE ?? sim,
  WECOM_OAUTH_BASE: process.env.WECOM_OAUTH_BASE ?? sim,
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${ports.auth}`,
  CALLBACK_PUBLIC_BASE_URL: process.env.CALLBACK_PUBLIC_BASE_URL ?? `http://127.0.0.1:${ports.callback}`,
  // The demo's receiver is a plain-http local server: allowed here, refused by default in production.
  WEBHOOK_ALLOW_HTTP: process.env.WEBHOOK_ALLOW_HTTP ?? 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? '127.0.0.1/32',
};
const databaseUrl = env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/wecom_isv';

const children: ChildProcess[] = [];

function start(name: string, script: string): void {
  // As `npm run start:*` and the image run the apps (a larger young generation: see the Dockerfile).
  const child = spawn(process.execPath, ['--max-semi-space-size=64', resolve(root, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const prefix = `[${name}] `;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out(prefix + line));
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      out(`${prefix}exited (${signal ?? code}); stopping the demo`);
      stop(1);
    }
  });
}

let stopping = false;
function stop(code = 0): void {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on('SIGINT', () => stop());
process.on('SIGTERM', () => stop());

/** How long each app may take to answer /health (s): on a slow or busy machine the auth app takes well over 30 s. */
const healthWaitSeconds = Number(process.env.DEMO_HEALTH_TIMEOUT_SECONDS ?? 120);

/** Polls `url` every 200 ms until it answers 2xx; says every 10 s which app it is still waiting for. */
async function waitForHealth(name: string, url: string): Promise<void> {
  const started = Date.now();
  let said = started;
  while (Date.now() - started < healthWaitSeconds * 1000) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() - said >= 10_000) {
      said = Date.now();
      out(`  still waiting for ${name} to start (${Math.round((said - started) / 1000)} s of ${healthWaitSeconds} s)…`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become healthy at ${url} within ${healthWaitSeconds} s (set DEMO_HEALTH_TIMEOUT_SECONDS to wait longer)`);
}

interface DemoPerson {
  username: string;
  password: string;
}

/** The console's demo admin: created on the first run; later runs sign in with the password kept in .demo/. */
async function ensureConsoleAdmin(person: DemoPerson): Promise<void> {
  const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
  try {
    await new ConsoleUserRepository(prisma).create(person.username, person.password, 'admin');
  } catch (err) {
    if (!(err instanceof ConsoleUserExistsError)) throw err;
  } finally {
    await prisma.onModuleDestroy();
  }
}

async function registerDemoSuite(suite: DemoSuite): Promise<string> {
  const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
  try {
    const suites = new SuiteRepository(prisma, new SecretCipher(Buffer.from(secretKey, 'base64')));
    // Created on the first run only: settings changed since (CLI, console) are kept.
    if (!(await suites.find(suite.suiteId))) await suites.upsert({
      suiteId: suite.suiteId,
      name: 'Demo suite',
      secret: suite.secret,
      token: suite.token,
      encodingAesKey: suite.aesKey,
      defaultAuthType: 1,
      providerCorpId: suite.providerCorpId,
      providerSecret: suite.providerSecret,
    });
    // One admin key per run; the previous run's (its id kept in .demo/) was shown once and is retired, not left valid
    // for ever. Keys anyone else made are left alone.
    const keys = new ApiKeyRepository(prisma);
    const keptFile = resolve(stateDir, 'admin-key-id.json');
    if (existsSync(keptFile)) await keys.revoke(JSON.parse(readFileSync(keptFile, 'utf8')) as string);
    const { key, info } = await keys.create(`npm run demo, ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`, ['admin']);
    writeFileSync(keptFile, JSON.stringify(info.id), { mode: 0o600 });
    return key;
  } finally {
    await prisma.onModuleDestroy();
  }
}

/**
 * The vendor's side: a receiver verifying each delivery with `standardwebhooks`, and its endpoint (a new secret
 * each run; the previous run's endpoint for the same URL is replaced).
 */
async function startDemoReceiver(suiteId: string): Promise<string> {
  const secret = newSigningSecret();
  const receiver = await startWebhookReceiver({
    secret,
    port: receiverPort,
    onEvent: (w) => out(`[receiver] verified ${w.id} ${w.event.type} corp=${w.event.corpId ?? '-'} ${JSON.stringify(w.event.data).slice(0, 120)}`),
  });
  const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
  try {
    const endpoints = new WebhookEndpointRepository(prisma, new SecretCipher(Buffer.from(secretKey, 'base64')));
    for (const old of await endpoints.listBySuite(suiteId)) if (old.url === receiver.url) await endpoints.delete(old.id);
    await endpoints.create(suiteId, { url: receiver.url, description: 'npm run demo', eventTypes: [], corpIds: [], enabled: true, orderedByCorp: false, maxConcurrency: 10 }, secret);
  } finally {
    await prisma.onModuleDestroy();
  }
  return receiver.url;
}

/**
 * The simulator keeps nothing across runs, while the platform's database keeps the tenants an earlier run installed:
 * tell the simulator about them (as WeCom would still know them), or their first token fetch would be refused with
 * 40082 and the platform would suspend them.
 */
async function restoreTenantsInSimulator(suiteId: string): Promise<number> {
  const prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
  try {
    const repo = new AuthCorpRepository(prisma, new SecretCipher(Buffer.from(secretKey, 'base64')));
    const corps: { corpid: string; permanent_code: string; agentid?: number; corp_name?: string }[] = [];
    for (let page = await repo.list(suiteId, { status: 'active', limit: 500 }); page.length; ) {
      for (const corp of page) {
        const permanentCode = await repo.getPermanentCode(suiteId, corp.corpId);
        if (permanentCode) corps.push({ corpid: corp.corpId, permanent_code: permanentCode, agentid: corp.agentId ?? undefined, corp_name: corp.corpName ?? undefined });
      }
      const last = page[page.length - 1];
      page = await repo.list(suiteId, { status: 'active', limit: 500, after: { installedAt: last.installedAt, id: last.id } });
    }
    if (corps.length) await simPost(`/sim/suites/${suiteId}/restore-corps`, { corps });
    return corps.length;
  } finally {
    await prisma.onModuleDestroy();
  }
}

async function simPost(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
}

/** Refuses to start (before anything is written) when a port it needs is taken: another demo may be running. */
async function checkPortsFree(): Promise<void> {
  const wanted = [...Object.entries(ports).map(([name, port]) => [name, Number(port)] as const), ['wecom-sim', Number(new URL(sim).port)] as const, ['webhook receiver', receiverPort] as const];
  for (const [name, port] of wanted) {
    const free = await new Promise<boolean>((done) => {
      const probe = createServer().once('error', () => done(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
    });
    if (!free) throw new Error(`port ${port} (${name}) is in use — another demo running? Stop it, or set the *_PORT variables (README, Quick start)`);
  }
}

async function main(): Promise<void> {
  await checkPortsFree();
  out('migrating the database…');
  execFileSync(process.execPath, [resolve(root, 'prisma/migrate.js')], { env: { ...env, DATABASE_URL: databaseUrl }, stdio: 'inherit' });

  start('wecom-sim', 'dist/apps/wecom-sim/src/main.js');
  await waitForHealth('wecom-sim', `${sim}/sim/health`);
  const suite = persistent<DemoSuite>('suite.json', () => ({
    suiteId: 'wwdemo' + randomBytes(4).toString('hex'),
    secret: randomBytes(16).toString('hex'),
    token: randomBytes(8).toString('hex'),
    aesKey: randomBytes(32).toString('base64').slice(0, 43),
    providerCorpId: 'wwdemoprovider',
    providerSecret: randomBytes(16).toString('hex'),
  }));
  const apiKey = await registerDemoSuite(suite);
  const callbackBase = `http://127.0.0.1:${ports.callback}/callback/suites/${suite.suiteId}`;
  await simPost('/sim/suites', {
    suite_id: suite.suiteId,
    suite_secret: suite.secret,
    token: suite.token,
    encoding_aes_key: suite.aesKey,
    provider_corpid: suite.providerCorpId,
    provider_secret: suite.providerSecret,
    command_callback_url: `${callbackBase}/command`,
    data_callback_url: `${callbackBase}/data`,
    // 授权发起域名: WeCom (and the simulator) accept install links clicked on pages of this host only.
    install_domain: '127.0.0.1',
  });
  // Before the platform starts: its worker fetches the stored tenants' tokens at once.
  const restored = await restoreTenantsInSimulator(suite.suiteId);
  if (restored) out(`${restored} tenant(s) of an earlier run made known to the simulator again`);
  start('callback', 'dist/apps/callback/src/main.js');
  start('auth', 'dist/apps/auth/src/main.js');
  start('worker', 'dist/apps/worker/src/main.js');
  for (const [name, port] of Object.entries(ports)) await waitForHealth(name, `http://127.0.0.1:${port}/health`);
  // WeCom pushes a ticket every 10 minutes; push one now so the suite token is available at once.
  await simPost(`/sim/suites/${suite.suiteId}/push-ticket`, {});

  const person = persistent<DemoPerson>('console-user.json', () => ({ username: 'admin', password: randomBytes(12).toString('base64url') }));
  await ensureConsoleAdmin(person);
  const receiverUrl = await startDemoReceiver(suite.suiteId);

  const auth = `http://127.0.0.1:${ports.auth}`;
  out('');
  out('The platform is running against the local WeCom simulator.');
  out(`  Admin console:                                   ${auth}/console/   sign in as ${person.username} / ${person.password}`);
  out(`  Install the demo suite in a new simulated corp:  ${auth}/install/${suite.suiteId}`);
  out(`  API documentation:                               ${auth}/docs`);
  out(`  Corps of the suite:    curl -H 'Authorization: Bearer ${apiKey}' ${auth}/api/v1/admin/suites/${suite.suiteId}/corps`);
  out(`  A corp's access token: curl -H 'Authorization: Bearer ${apiKey}' ${auth}/api/v1/suites/${suite.suiteId}/corps/<corpId>/access-token`);
  out(`  Health and metrics:    ${auth}/health  http://127.0.0.1:${ports.callback}/metrics  http://127.0.0.1:${ports.worker}/metrics`);
  out(`  Simulator control:     ${sim}/sim/calls`);
  out(`  Events: a webhook receiver at ${receiverUrl} prints each verified event as [receiver] lines. Try:`);
  out(`    curl -X POST -H 'content-type: application/json' -d '{"auth_corpid":"<corpId>"}' ${sim}/sim/suites/${suite.suiteId}/data-callbacks`);
  out(`    curl -H 'Authorization: Bearer ${apiKey}' '${auth}/api/v1/suites/${suite.suiteId}/events?wait=30'`);
  out('Admin API key for this run (shown once):');
  out(apiKey);
  out('Ctrl-C stops everything.');
}

main().catch((err: unknown) => {
  out(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  stop(1);
});
