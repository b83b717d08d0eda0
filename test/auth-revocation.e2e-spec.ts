import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hashApiKey } from '@app/store';
import { buildCli } from '../apps/cli/src/cli.js';
import { AuthStack, callApi, createApiKey, startAuthStack, startTestAuthApp } from './support/auth.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET_KEY } from './support/env.js';

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
});
