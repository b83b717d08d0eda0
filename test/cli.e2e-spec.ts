import { buildCli } from '../apps/cli/src/cli.js';
import { TEST_DATABASE_URL, TEST_SECRET_KEY, uniqueId } from './support/env.js';
import { testCipher, testPrisma } from './support/store.js';
import { ApiKeyRepository, SuiteRepository, WebhookEndpointRepository } from '@app/store';

const env = { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: TEST_SECRET_KEY.toString('base64'), WEBHOOK_ALLOW_HTTP: 'false' };
const AES_KEY = 'a'.repeat(43);

/** Runs one CLI command in-process and returns what it printed. */
async function cli(...args: string[]): Promise<{ output: string; error?: Error }> {
  let output = '';
  try {
    await buildCli((line) => void (output += line), env).parseAsync(['node', 'cli', ...args]);
    return { output };
  } catch (error) {
    return { output, error: error as Error };
  }
}

describe('CLI', () => {
  const prisma = testPrisma();
  afterAll(() => prisma.onModuleDestroy());

  it('prints help for every command', async () => {
    const { output } = await cli('suite', 'add', '--help');
    expect(output).toContain('--suite-id <id>');
    expect(output).toContain('--provider-secret <secret>');
  });

  it('adds a suite with encrypted secrets and lists it without them', async () => {
    const suiteId = uniqueId('ww');
    const added = await cli('suite', 'add', '--suite-id', suiteId, '--secret', 'cli-secret-1', '--token', 'T', '--aes-key', AES_KEY, '--name', 'CLI Suite', '--provider-corpid', 'wwprov', '--provider-secret', 'cli-prov-1');
    expect(added.error).toBeUndefined();
    expect(added.output).toBe(`suite ${suiteId} saved\n`);
    const creds = await new SuiteRepository(prisma, testCipher()).findCredentials(suiteId);
    expect(creds).toMatchObject({ secret: 'cli-secret-1', providerSecret: 'cli-prov-1', encodingAesKey: AES_KEY });
    const listed = await cli('suite', 'list');
    expect(listed.output).toContain(`${suiteId}\tCLI Suite`);
    expect(listed.output).not.toContain('cli-secret-1');
    expect(listed.output).not.toContain('cli-prov-1');
  });

  it('refuses a malformed AES key and half-given provider credentials', async () => {
    const badKey = await cli('suite', 'add', '--suite-id', 'x', '--secret', 's', '--token', 't', '--aes-key', 'short');
    expect(badKey.output).toMatch(/--aes-key <key>.*must be 43 base64 characters/);
    const half = await cli('suite', 'add', '--suite-id', 'x', '--secret', 's', '--token', 't', '--aes-key', AES_KEY, '--provider-corpid', 'c');
    expect(half.error?.message).toBe('--provider-corpid and --provider-secret go together');
  });

  it('creates an API key printed alone on the last line, usable, then revoked', async () => {
    const created = await cli('apikey', 'create', '--name', 'svc', '--scope', 'suite:ww1', '--scope', 'admin');
    const lines = created.output.trimEnd().split('\n');
    const key = lines[lines.length - 1];
    expect(key).toMatch(/^wik_[A-Za-z0-9_-]{32}$/);
    const keys = new ApiKeyRepository(prisma);
    const info = await keys.findActive(key);
    expect(info?.scopes).toEqual(['suite:ww1', 'admin']);
    expect((await cli('apikey', 'list')).output).not.toContain(key);
    expect((await cli('apikey', 'revoke', info!.id)).output).toBe(`revoked ${info!.id}\n`);
    // A process that has not seen the key within API_KEY_CACHE_MS (here: a fresh repository) refuses it.
    expect(await new ApiKeyRepository(prisma).findActive(key)).toBeNull();
    expect((await cli('apikey', 'create', '--name', 'x', '--scope', 'root')).output).toContain('use "admin" or "suite:<suiteId>"');
  });

  it('rotates secrets and reports the count', async () => {
    const { output } = await cli('secrets', 'rotate');
    expect(output).toMatch(/^re-encrypted 0 secrets; \d+ were already under the current key\n$/);
  });

  it('names a missing SECRET_KEY', async () => {
    let output = '';
    const run = buildCli((l) => void (output += l), { DATABASE_URL: TEST_DATABASE_URL }).parseAsync(['node', 'cli', 'suite', 'list']);
    await expect(run).rejects.toThrow(/SECRET_KEY is required/);
  });

  it('registers a webhook endpoint (secret printed once, sealed at rest), lists, disables, rotates and removes it', async () => {
    const suiteId = uniqueId('ww');
    await cli('suite', 'add', '--suite-id', suiteId, '--secret', 's', '--token', 't', '--aes-key', AES_KEY);
    const refused = await cli('webhook', 'add', '--suite-id', suiteId, '--url', 'http://crm.example.com/hooks');
    expect(refused.error?.message).toMatch(/url must use https/);
    const privateUrl = await cli('webhook', 'add', '--suite-id', suiteId, '--url', 'https://192.168.1.10/hooks');
    expect(privateUrl.error?.message).toMatch(/private, loopback or link-local/);
    const badTypes = await cli('webhook', 'add', '--suite-id', suiteId, '--url', 'https://crm.example.com/hooks', '--types', 'Contact');
    expect(badTypes.output).toMatch(/--types <list>.*use types like/);
    const added = await cli('webhook', 'add', '--suite-id', suiteId, '--url', 'https://crm.example.com/hooks', '--types', 'tenant.*,message.text', '--ordered');
    expect(added.error).toBeUndefined();
    const lines = added.output.trimEnd().split('\n');
    const secret = lines[lines.length - 1];
    expect(secret).toMatch(/^whsec_/);
    const id = /created endpoint ([0-9a-f-]{36})/.exec(added.output)![1];
    const endpoints = new WebhookEndpointRepository(prisma, testCipher());
    const row = (await endpoints.findById(id))!;
    expect(row).toMatchObject({ suiteId, eventTypes: ['tenant.*', 'message.text'], orderedByCorp: true, enabled: true });
    expect(row.secret).not.toContain(secret.slice(6));
    expect(endpoints.signingSecrets(row)).toEqual([secret]);
    const listed = await cli('webhook', 'list', '--suite-id', suiteId);
    expect(listed.output).toContain(`${id}\t${suiteId}\thttps://crm.example.com/hooks\ttypes=tenant.*,message.text`);
    expect(listed.output).not.toContain(secret);
    expect((await cli('webhook', 'disable', id)).output).toBe(`disabled ${id}\n`);
    const rotated = await cli('webhook', 'rotate', id, '--overlap', '60');
    const next = rotated.output.trimEnd().split('\n').pop()!;
    expect(endpoints.signingSecrets((await endpoints.findById(id))!)).toEqual([next, secret]);
    expect((await cli('webhook', 'remove', id)).output).toBe(`removed ${id}\n`);
    expect((await cli('webhook', 'remove', id)).error?.message).toBe(`no webhook endpoint ${id}`);
  });
});
