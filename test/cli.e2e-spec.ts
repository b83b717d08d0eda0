import { buildCli } from '../apps/cli/src/cli.js';
import { TEST_DATABASE_URL, TEST_SECRET_KEY, uniqueId } from './support/env.js';
import { testCipher, testPrisma } from './support/store.js';
import { ApiKeyRepository, ConsoleUserRepository, SuiteRepository } from '@app/store';

const env = { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: TEST_SECRET_KEY.toString('base64') };
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

  it('creates console users with a generated or given password (scrypt-hashed), refuses a taken name and a short password', async () => {
    const username = uniqueId('ops');
    const created = await cli('console-user', 'create', '--username', username, '--role', 'operator');
    expect(created.error).toBeUndefined();
    const lines = created.output.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^created console user ${username} \\(operator, id [0-9a-f-]{36}\\)$`));
    const password = lines[lines.length - 1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const users = new ConsoleUserRepository(prisma);
    expect(await users.verify(username.toUpperCase(), password)).toMatchObject({ username, role: 'operator' });
    expect(await users.verify(username, password + 'x')).toBeNull();
    const row = await prisma.client.consoleUser.findUniqueOrThrow({ where: { username } });
    expect(row.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(row.passwordHash).not.toContain(password);
    expect((await cli('console-user', 'create', '--username', username)).error?.message).toBe(`console user ${username} exists`);
    expect((await cli('console-user', 'create', '--username', uniqueId('v'), '--password', 'short')).error?.message).toBe('--password must be 12-256 characters');
    const given = uniqueId('v');
    expect((await cli('console-user', 'create', '--username', given, '--role', 'viewer', '--password', 'a-long-enough-pass')).output).not.toContain('a-long-enough-pass');
    expect(await users.verify(given, 'a-long-enough-pass')).toMatchObject({ role: 'viewer' });
    expect((await cli('console-user', 'list')).output).toContain(`${username}\toperator\tactive`);
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
});
