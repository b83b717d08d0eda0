import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { onWebhook, vendorService } from '../packages/client/example/vendor-service.js';
import { WecomIsvClient, WecomIsvError } from '../packages/client/src/index.js';
import { createApiKey, installThroughBrowser, pushTicket, startTestAuthApp } from './support/auth.js';
import { registerSuite, startTestCallbackApp, startTestSimulator, testEnv } from './support/platform.js';
import type { Simulator } from '../apps/wecom-sim/src/simulator.js';
import { scaledWorkerEnv, startTestWorkerApp } from './support/worker.js';

const root = resolve(import.meta.dirname, '../..');

/** The client package (packages/client) against the real stack: simulator, callback, auth and worker apps. */
describe('@wecom-isv/client', () => {
  let sim: Simulator;
  let authUrl: string;
  let suiteId: string;
  let corpId: string;
  let key: string;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    const env = testEnv(sim.url);
    const callback = await startTestCallbackApp(env);
    const auth = await startTestAuthApp(env);
    const worker = await startTestWorkerApp({ ...env, ...scaledWorkerEnv(1) });
    authUrl = auth.url;
    closers.push(() => worker.app.close(), () => auth.app.close(), () => callback.app.close(), () => sim.close());
    const suite = await registerSuite(sim, callback.url);
    suiteId = suite.suiteId;
    await pushTicket(sim, suiteId);
    corpId = (await installThroughBrowser({ authUrl, suite })).corpId;
    key = await createApiKey([`suite:${suiteId}`], 'client-example');
  }, 120_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }, 60_000);

  it("runs the README's example against the platform", async () => {
    const userId = sim.state.corps.get(corpId)!.users[0].userid;
    const agentId = sim.state.authorization(suiteId, corpId)!.agentId;
    // The worker turns the install into tenant.installed; the example's pull waits for it.
    const out = await vendorService({ baseUrl: authUrl, apiKey: key, suiteId, corpId, userId, agentId });

    expect(out.user.status).toBe(200);
    expect(out.user.errcode).toBe(0);
    expect(out.user.body).toMatchObject({ errcode: 0, name: sim.state.corps.get(corpId)!.users[0].name });
    expect(out.user.remainingPerMinute).toBe(10_000 - 1);
    expect(out.sent.errcode).toBe(0);
    expect(out.sent.messagesRemainingToday).toBeGreaterThanOrEqual(0);
    expect(out.upload.body.media_id).toEqual(expect.any(String));
    expect(out.upload.mediaExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    expect(out.token.access_token).toEqual(expect.any(String));
    expect(new Date(out.token.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect(out.jssdk.config.corpId).toBe(corpId);
    expect(out.jssdk.agentConfig.agentId).toBe(agentId);
    expect(out.jssdk.config.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(out.page.events.map((e) => [e.type, e.corpId])).toContainEqual(['tenant.installed', corpId]);
    expect(out.page.nextCursor).toBe(out.page.events.at(-1)!.id);
    expect(out.refused).toBeInstanceOf(WecomIsvError);
    expect([out.refused!.status, out.refused!.code]).toEqual([400, 'invalid_wecom_path']);
  }, 60_000);

  it('long-polls the events iterator until the next event comes, and stops when aborted', async () => {
    const isv = new WecomIsvClient({ baseUrl: authUrl, apiKey: key });
    const latest = await isv.pullEvents(suiteId, { limit: 1000 });
    const abort = new AbortController();
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const event of isv.events(suiteId, { after: latest.nextCursor, types: ['message.text'], wait: 2, signal: abort.signal })) {
        seen.push(String(event.data.content));
        abort.abort();
      }
    })();
    await fetch(`${sim.url}/sim/suites/${suiteId}/data-callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth_corpid: corpId, fields: { MsgType: 'text', Content: 'from the iterator', MsgId: String(Date.now()), AgentID: 1 } }),
    });
    await consumer;
    expect(seen).toEqual(['from the iterator']);

    // Aborting cancels a long-poll in flight: the aborted loop ends before a same-length poll left running answers.
    const idle = new AbortController();
    const idleSeen: unknown[] = [];
    const idleConsumer = (async () => {
      for await (const event of isv.events(suiteId, { after: latest.nextCursor, types: ['license.refunded'], wait: 10, signal: idle.signal })) idleSeen.push(event);
      return 'aborted loop ended';
    })();
    const reference = isv.pullEvents(suiteId, { after: latest.nextCursor, types: ['license.refunded'], wait: 10 }).then(() => 'reference poll answered');
    idle.abort();
    expect(await Promise.race([idleConsumer, reference])).toBe('aborted loop ended');
    await reference;
    expect(idleSeen).toEqual([]);
  }, 60_000);

  it('turns error answers into WecomIsvError with the code, and verifies webhook signatures', async () => {
    const other = new WecomIsvClient({ baseUrl: authUrl, apiKey: key });
    await expect(other.corpToken('wwsomeothersuite', corpId)).rejects.toMatchObject({ status: 403 });
    const unknown = new WecomIsvClient({ baseUrl: authUrl, apiKey: 'isv_not_a_key' });
    await expect(unknown.suiteToken(suiteId)).rejects.toMatchObject({ status: 401 });

    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const body = JSON.stringify({ id: 'evt_1', type: 'tenant.installed', timestamp: '', receivedAt: '', suiteId, corpId, data: {} });
    const signed = new Webhook(secret).sign('evt_1', new Date(), body);
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signed };
    expect(onWebhook(secret, body, headers)).toBe(`installed ${corpId}`);
    expect(() => onWebhook(secret, body.replace('evt_1', 'evt_2'), headers)).toThrow();
    expect(() => onWebhook(`whsec_${Buffer.alloc(32, 8).toString('base64')}`, body, headers)).toThrow();
  });

  it("keeps the README's example and the package's types in step with their sources", () => {
    const example = readFileSync(resolve(root, 'packages/client/example/vendor-service.ts'), 'utf8');
    const readme = readFileSync(resolve(root, 'packages/client/README.md'), 'utf8');
    const body = example.slice(example.indexOf('export async function vendorService'));
    expect(readme).toContain(body.trim());
    // The one copy of the generated types (the console imports it too) is what `npm run console:api` makes of the
    // committed OpenAPI document (test/console-api checks that document against the served one).
    const generated = execFileSync(process.execPath, [resolve(root, 'node_modules/openapi-typescript/bin/cli.js'), 'apps/console/src/api/openapi.json', '--default-non-nullable', 'false'], { cwd: root, encoding: 'utf8' });
    expect(readFileSync(resolve(root, 'packages/client/src/schema.ts'), 'utf8')).toBe(generated);
    const manifest = JSON.parse(readFileSync(resolve(root, 'packages/client/package.json'), 'utf8')) as { name: string; exports: Record<string, { types: string; import: string }>; files: string[] };
    expect(manifest.name).toBe('@wecom-isv/client');
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(manifest.files).toContain('dist');
  });
});
