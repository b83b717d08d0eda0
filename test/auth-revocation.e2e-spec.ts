import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { ApiKeyRepository, hashApiKey } from '@app/store';
import { ApiKeyCache } from '../apps/auth/src/access/api-key-cache.js';
import { buildCli } from '../apps/cli/src/cli.js';
import { AuthStack, callApi, createApiKey, startAuthStack, startTestAuthApp } from './support/auth.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET_KEY } from './support/env.js';
import { waitFor } from './support/wait.js';

/** A revoked key stops working in every auth process at once, whoever revoked it. */
describe('auth app: API key revocation', () => {
  let stack: AuthStack;
  let other: { app: NestFastifyApplication; url: string };
  let suiteId: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    suiteId = stack.suite.suiteId;
    other = await startTestAuthApp(stack.env);
  });

  afterAll(async () => {
    await other.app.close();
    await stack.close();
  });

  const suiteToken = (url: string, key: string) => callApi(url, 'GET', `/api/v1/suites/${suiteId}/access-token`, { key });
  const keyIdOf = async (key: string) => (await stack.worker.prisma.client.apiKey.findFirstOrThrow({ where: { keyHash: hashApiKey(key) } })).id;

  it('refuses a suite key in another process on the very next request after revocation', async () => {
    const key = await createApiKey([`suite:${suiteId}`], 'svc');
    // The other process has the key cached from these requests.
    for (let i = 0; i < 3; i++) expect((await suiteToken(other.url, key)).status).toBe(200);
    expect((await callApi(stack.authUrl, 'DELETE', `/api/v1/admin/api-keys/${await keyIdOf(key)}`, { key: stack.adminKey })).status).toBe(204);
    expect((await suiteToken(other.url, key)).status).toBe(401);
  });

  it('gives a revoked admin key not a single request more, anywhere (no minting a new admin key)', async () => {
    const doomed = await createApiKey(['admin'], 'doomed-admin');
    const mint = () => callApi(other.url, 'POST', '/api/v1/admin/api-keys', { key: doomed, body: { name: 'minted', scopes: ['admin'] } });
    expect((await mint()).status).toBe(201);
    expect((await callApi(stack.authUrl, 'DELETE', `/api/v1/admin/api-keys/${await keyIdOf(doomed)}`, { key: stack.adminKey })).status).toBe(204);
    expect((await mint()).status).toBe(401);
  });

  it('takes effect at once for a revocation made with the CLI', async () => {
    const key = await createApiKey([`suite:${suiteId}`], 'svc-cli');
    expect((await suiteToken(other.url, key)).status).toBe(200);
    const env = { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: TEST_SECRET_KEY.toString('base64'), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: stack.env.REDIS_PREFIX };
    let output = '';
    await buildCli((line) => void (output += line), env).parseAsync(['node', 'cli', 'apikey', 'revoke', await keyIdOf(key)]);
    expect(output).toMatch(/^revoked /);
    expect((await suiteToken(other.url, key)).status).toBe(401);
    expect((await suiteToken(stack.authUrl, key)).status).toBe(401);
  });

  it('drops its cached keys when its revocation subscription comes back (a message may have been missed)', async () => {
    const cache = other.app.get(ApiKeyCache);
    await waitFor(async () => cache.subscribed, 30_000, 'revocation subscription');
    const key = await createApiKey([`suite:${suiteId}`], 'svc-gap');
    expect((await suiteToken(other.url, key)).status).toBe(200);
    // Revoked in the database only, while the subscription is cut: the message that would announce it is never sent.
    const admin = new Redis(TEST_REDIS_URL);
    try {
      const name = `${stack.env.REDIS_PREFIX}:api-key-revocations`;
      const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ids = clients.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => /id=(\d+)/.exec(line)![1]);
      expect(ids.length).toBeGreaterThanOrEqual(2); // both auth processes subscribe
      expect(await new ApiKeyRepository(stack.worker.prisma).revoke(await keyIdOf(key))).toBe(true);
      for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
    } finally {
      admin.disconnect();
    }
    // Without the drop on resubscription the key would stay cached for a minute.
    await waitFor(async () => (await suiteToken(other.url, key)).status === 401, 20_000);
    await waitFor(async () => cache.subscribed, 30_000, 'revocation subscription');
    expect((await suiteToken(other.url, key)).status).toBe(401);
    expect((await suiteToken(stack.authUrl, key)).status).toBe(401);
  });
});
