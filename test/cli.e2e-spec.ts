import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../apps/cli/src/cli.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_SECRET_KEY, uniqueId } from './support/env.js';
import { freshTestDatabase, testCipher, testPrisma } from './support/store.js';
import { ApiKeyRepository, ConsoleUserRepository, ProviderRepository, SecretCipher, SuiteRepository, WebhookEndpointRepository } from '@app/store';

const env = { DATABASE_URL: TEST_DATABASE_URL, SECRET_KEY: TEST_SECRET_KEY.toString('base64'), REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniqueId('cli'), WEBHOOK_ALLOW_HTTP: 'false' };
const AES_KEY = 'a'.repeat(43);
const SUITE_ENV = { SUITE_SECRET: 's', SUITE_TOKEN: 't', SUITE_AES_KEY: AES_KEY };

/** Runs one CLI command in-process (with this environment and standard input) and returns what it printed. */
async function cliWith(extra: { env?: Record<string, string>; stdin?: string }, ...args: string[]): Promise<{ output: string; error?: Error }> {
  let output = '';
  try {
    await buildCli((line) => void (output += line), { ...env, ...extra.env }, async () => extra.stdin ?? '').parseAsync(['node', 'cli', ...args]);
    return { output };
  } catch (error) {
    return { output, error: error as Error };
  }
}

const cli = (...args: string[]) => cliWith({}, ...args);

describe('CLI', () => {
  const prisma = testPrisma();
  afterAll(() => prisma.onModuleDestroy());

  it('prints help for every command', async () => {
    const { output } = await cli('suite', 'add', '--help');
    expect(output).toContain('--suite-id <id>');
    expect(output).toContain('--secrets-file <file>');
    expect(output).toContain('SUITE_SECRET');
    expect(output.replace(/\s+/g, ' ')).toContain('on an update, options and secrets not given keep their stored values');
  });

  it('updates a registered suite with only what is given: other settings and secrets keep their stored values', async () => {
    const suiteId = uniqueId('ww');
    const suites = new SuiteRepository(prisma, testCipher());
    const settings = ['--success-url', 'https://crm.example.com/done', '--redirect-origin', 'https://crm.example.com', '--description', 'First', '--auth-type', '1', '--provider-corpid', 'wwprovupd', '--logo-url', 'https://crm.example.com/logo.png'];
    expect((await cliWith({ env: SUITE_ENV }, 'suite', 'add', '--suite-id', suiteId, '--name', 'First', ...settings)).error).toBeUndefined();
    const kept = { successUrl: 'https://crm.example.com/done', redirectOrigins: ['https://crm.example.com'], description: 'First', defaultAuthType: 1, providerCorpId: 'wwprovupd', logoUrl: 'https://crm.example.com/logo.png' };

    // The same secrets again with a new name (what a tester did): the settings stay.
    expect((await cliWith({ env: SUITE_ENV }, 'suite', 'add', '--suite-id', suiteId, '--name', 'Renamed')).error).toBeUndefined();
    expect(await suites.find(suiteId)).toMatchObject({ name: 'Renamed', ...kept });
    // No secrets at all: a name change alone.
    const renamed = await cli('suite', 'add', '--suite-id', suiteId, '--name', 'Second');
    expect(renamed.error).toBeUndefined();
    expect(renamed.output).toBe(`suite ${suiteId} saved\n`);
    expect(await suites.find(suiteId)).toMatchObject({ name: 'Second', ...kept });
    expect(await suites.findCredentials(suiteId)).toMatchObject({ secret: 's', token: 't', encodingAesKey: AES_KEY });

    // A partial set of secrets replaces only those it gives; a given option replaces only itself.
    expect((await cliWith({ stdin: JSON.stringify({ token: 't2' }) }, 'suite', 'add', '--suite-id', suiteId, '--secrets-file', '-', '--description', 'Third')).error).toBeUndefined();
    expect(await suites.findCredentials(suiteId)).toMatchObject({ secret: 's', token: 't2', encodingAesKey: AES_KEY });
    expect(await suites.find(suiteId)).toMatchObject({ name: 'Second', ...kept, description: 'Third' });

    // A new suite still needs all three.
    const partialNew = await cliWith({ env: { SUITE_TOKEN: 't' } }, 'suite', 'add', '--suite-id', uniqueId('ww'));
    expect(partialNew.error?.message).toBe('suite secrets: a new suite needs secret, token and aesKey: secret is required; aesKey is required');
  });

  it('names only commands that exist wherever the docs say `npm run cli -- …`', async () => {
    const program = buildCli(() => undefined, env);
    const docs = ['README.md', 'docs/events.md', 'docs/ids.md', 'deploy/kubernetes/README.md', 'packages/client/README.md', 'libs/wecom/README.md', ...['auth', 'callback', 'console', 'wecom-sim', 'worker'].map((app) => `apps/${app}/README.md`)];
    const unknown: string[] = [];
    for (const doc of docs) {
      for (const [, name, sub] of (await readFile(doc, 'utf8')).matchAll(/npm run cli -- ([a-z][a-z-]*)(?:\s+([a-z][a-z-]*))?/g)) {
        const command = program.commands.find((c) => c.name() === name);
        if (!command || (command.commands.length > 0 && !command.commands.some((c) => c.name() === sub))) unknown.push(`${doc}: ${name} ${sub ?? ''}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('adds a suite with secrets from standard input, stored encrypted, and lists it without them', async () => {
    const suiteId = uniqueId('ww');
    const stdin = JSON.stringify({ secret: 'cli-secret-1', token: 'T', aesKey: AES_KEY, providerSecret: 'cli-prov-1' });
    const added = await cliWith({ stdin }, 'suite', 'add', '--suite-id', suiteId, '--secrets-file', '-', '--name', 'CLI Suite', '--provider-corpid', 'wwprov');
    expect(added.error).toBeUndefined();
    expect(added.output).toBe(`suite ${suiteId} saved\n`);
    const creds = await new SuiteRepository(prisma, testCipher()).findCredentials(suiteId);
    expect(creds).toMatchObject({ secret: 'cli-secret-1', token: 'T', providerSecret: 'cli-prov-1', encodingAesKey: AES_KEY });
    const listed = await cli('suite', 'list');
    expect(listed.output).toContain(`${suiteId}\tCLI Suite`);
    expect(listed.output).not.toContain('cli-secret-1');
    expect(listed.output).not.toContain('cli-prov-1');
  });

  it('reads suite secrets from a file or the environment', async () => {
    const viaFile = uniqueId('ww');
    const file = join(tmpdir(), `${viaFile}.json`);
    await writeFile(file, JSON.stringify({ secret: 'from-file', token: 'T', aesKey: AES_KEY }), { mode: 0o600 });
    expect((await cli('suite', 'add', '--suite-id', viaFile, '--secrets-file', file)).error).toBeUndefined();
    const viaEnv = uniqueId('ww');
    const fromEnv = await cliWith({ env: { SUITE_SECRET: 'from-env', SUITE_TOKEN: 'T', SUITE_AES_KEY: AES_KEY } }, 'suite', 'add', '--suite-id', viaEnv);
    expect(fromEnv.error).toBeUndefined();
    const suites = new SuiteRepository(prisma, testCipher());
    expect((await suites.findCredentials(viaFile))?.secret).toBe('from-file');
    expect((await suites.findCredentials(viaEnv))?.secret).toBe('from-env');
  });

  it('refuses secrets on the command line, stores nothing, and never echoes them', async () => {
    const suiteId = uniqueId('ww');
    for (const args of [
      ['--secret', 'argv-secret-1', '--token', 't', '--aes-key', AES_KEY],
      ['--secret=argv-secret-1'],
      ['--provider-secret', 'argv-secret-1'],
    ]) {
      const run = await cliWith({ env: SUITE_ENV }, 'suite', 'add', '--suite-id', suiteId, ...args);
      expect(run.error?.message).toMatch(/^--(provider-)?secret is not accepted: secrets on the command line are visible/);
      expect(`${run.output}${run.error?.message}`).not.toContain('argv-secret-1');
    }
    expect(await new SuiteRepository(prisma, testCipher()).findCredentials(suiteId)).toBeNull();
  });

  it('names missing or malformed secrets and half-given provider credentials', async () => {
    const none = await cli('suite', 'add', '--suite-id', 'x');
    expect(none.error?.message).toMatch(/--secrets-file <file> \(or - for standard input\), or set SUITE_SECRET, SUITE_TOKEN and SUITE_AES_KEY/);
    const badKey = await cliWith({ stdin: JSON.stringify({ secret: 'hidden-1', token: 't', aesKey: 'short' }) }, 'suite', 'add', '--suite-id', 'x', '--secrets-file', '-');
    expect(badKey.error?.message).toBe('suite secrets: aesKey must be 43 base64 characters');
    const notJson = await cliWith({ stdin: 'secret=hidden-1' }, 'suite', 'add', '--suite-id', 'x', '--secrets-file', '-');
    expect(notJson.error?.message).toMatch(/standard input is not JSON/);
    expect(notJson.error?.message).not.toContain('hidden-1');
    const missingFile = await cli('suite', 'add', '--suite-id', 'x', '--secrets-file', '/nonexistent/secrets.json');
    expect(missingFile.error?.message).toBe('cannot read /nonexistent/secrets.json: ENOENT');
    const half = await cliWith({ stdin: JSON.stringify({ secret: 's', token: 't', aesKey: AES_KEY, providerSecret: 'p' }) }, 'suite', 'add', '--suite-id', 'x', '--secrets-file', '-');
    expect(half.error?.message).toBe('providerSecret needs --provider-corpid');
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
    expect(await new ApiKeyRepository(prisma).findActive(key)).toBeNull();
    expect((await cli('apikey', 'create', '--name', 'x', '--scope', 'root')).output).toContain('use "admin", "suite:<suiteId>" or "provider:<providerCorpId>"');
    expect((await cli('apikey', 'create', '--name', 'p', '--scope', 'provider:wwprov1')).output).toContain('scopes provider:wwprov1');
  });

  it('registers and rotates a provider from a secrets file, never printing or storing a secret in clear', async () => {
    const corpId = `wwprov${Date.now()}`;
    const added = await cliWith({ stdin: JSON.stringify({ providerSecret: 'prov-hidden-1', token: 'tok', aesKey: AES_KEY }) }, 'provider', 'add', '--corpid', corpId, '--secrets-file', '-');
    expect(added.output).toContain(`provider ${corpId} saved (provider_secret set, system events configured)`);
    expect(added.output).toContain(`/callback/providers/${corpId}/system`);
    const providers = new ProviderRepository(prisma, testCipher());
    expect(await providers.findCredentials(corpId)).toEqual({ corpId, secret: 'prov-hidden-1', token: 'tok', encodingAesKey: AES_KEY });
    const rotated = await cliWith({ stdin: JSON.stringify({ providerSecret: 'prov-hidden-2' }) }, 'provider', 'rotate', '--corpid', corpId, '--secrets-file', '-');
    expect(rotated.output).not.toContain('prov-hidden');
    expect(await providers.findCredentials(corpId)).toEqual({ corpId, secret: 'prov-hidden-2', token: 'tok', encodingAesKey: AES_KEY });
    const row = await prisma.client.provider.findUniqueOrThrow({ where: { corpId } });
    expect(row.secretEnc).not.toContain('prov-hidden-2');
    expect((await cli('provider', 'list')).output).toContain(`${corpId}\t${corpId}\tsecret=set\tsystem_events=configured`);
    expect((await cliWith({ stdin: '{}' }, 'provider', 'rotate', '--corpid', 'wwnosuchprov', '--secrets-file', '-')).error?.message).toBe('no provider wwnosuchprov');
    expect((await cliWith({ stdin: JSON.stringify({ token: 'only' }) }, 'provider', 'add', '--corpid', corpId, '--secrets-file', '-')).error?.message).toBe('provider secrets: token and aesKey go together');
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

  it('links a console user to a WeCom member (corp from CONSOLE_WECOM_LOGIN_PROVIDER_CORPID or --corpid), one user per member, and unlinks', async () => {
    const [first, second] = [uniqueId('staff'), uniqueId('staff')];
    for (const username of [first, second]) expect((await cli('console-user', 'create', '--username', username, '--role', 'operator')).error).toBeUndefined();
    const member = uniqueId('zhang');
    expect((await cli('console-user', 'link-wecom', '--username', first, '--userid', member)).error?.message).toBe('--corpid is required: CONSOLE_WECOM_LOGIN_PROVIDER_CORPID is not set');
    const linked = await cliWith({ env: { CONSOLE_WECOM_LOGIN_PROVIDER_CORPID: 'wwvendor01' } }, 'console-user', 'link-wecom', '--username', first, '--userid', member);
    expect(linked.output).toBe(`linked console user ${first} to WeCom user ${member} of corp wwvendor01\n`);
    expect(await new ConsoleUserRepository(prisma).findByWecom('wwvendor01', member)).toMatchObject({ username: first });
    expect((await cli('console-user', 'list')).output).toContain(`${first}\toperator\tactive\tlast_login=-\twecom=wwvendor01/${member}\n`);
    expect((await cli('console-user', 'link-wecom', '--username', second, '--userid', member, '--corpid', 'wwvendor01')).error?.message).toBe(
      `WeCom user ${member} of corp wwvendor01 is already linked to another console user`,
    );
    expect((await cli('console-user', 'link-wecom', '--username', 'nobody-here', '--userid', member, '--corpid', 'wwvendor01')).error?.message).toBe('no console user nobody-here');
    expect((await cli('console-user', 'link-wecom', '--username', second, '--userid', 'has space', '--corpid', 'wwvendor01')).error?.message).toMatch(/1-64 characters \[A-Za-z0-9_@.-\]/);
    expect((await cli('console-user', 'unlink-wecom', '--username', first)).output).toBe(`unlinked console user ${first} from WeCom\n`);
    expect(await new ConsoleUserRepository(prisma).findByWecom('wwvendor01', member)).toBeNull();
  });

  it('rotates secrets and reports the count', async () => {
    const { output } = await cli('secrets', 'rotate');
    expect(output).toMatch(/^re-encrypted \d+ secrets; \d+ were already under the current key; 0 changed meanwhile and were left as written\n$/);
  });

  it('runs commands that touch no secret without SECRET_KEY, and names the command and the reason when one needs it', async () => {
    const noKey = { SECRET_KEY: '' };
    const created = await cliWith({ env: noKey }, 'apikey', 'create', '--name', 'no-secret-key', '--scope', 'admin');
    expect(created.error).toBeUndefined();
    const id = /created API key ([0-9a-f-]{36})/.exec(created.output)![1];
    const listed = await cliWith({ env: noKey }, 'apikey', 'list');
    expect(listed.error).toBeUndefined();
    expect(listed.output).toContain(`${id}\tno-secret-key`);
    expect((await cliWith({ env: noKey }, 'apikey', 'revoke', id)).output).toBe(`revoked ${id}\n`);
    expect((await cliWith({ env: noKey }, 'suite', 'list')).error).toBeUndefined();

    const suiteId = uniqueId('ww');
    const refused = await cliWith({ env: { ...noKey, ...SUITE_ENV } }, 'suite', 'add', '--suite-id', suiteId);
    expect(refused.error?.message).toMatch(/^suite add needs SECRET_KEY .*: it encrypts the suite secret and EncodingAESKey/);
    expect(await new SuiteRepository(prisma, testCipher()).find(suiteId)).toBeNull();
    expect((await cliWith({ env: noKey }, 'secrets', 'rotate')).error?.message).toMatch(/^secrets rotate needs SECRET_KEY .*: it re-encrypts every stored secret/);
    // Set but malformed is still refused, naming the variable.
    expect((await cliWith({ env: { SECRET_KEY: 'short' } }, 'apikey', 'list')).error?.message).toMatch(/SECRET_KEY/);
  });

  it('refuses a SECRET_KEY that cannot open the stored secrets before writing, naming the key ids; an empty store takes any key', async () => {
    expect((await cliWith({ env: SUITE_ENV }, 'suite', 'add', '--suite-id', uniqueId('ww'))).error).toBeUndefined();
    const [wrongKey, realId] = [randomBytes(32), SecretCipher.keyId(TEST_SECRET_KEY)];
    const wrong = { SECRET_KEY: wrongKey.toString('base64') };
    const suiteId = uniqueId('ww');
    const refused = await cliWith({ env: { ...SUITE_ENV, ...wrong } }, 'suite', 'add', '--suite-id', suiteId);
    expect(refused.error?.message).toBe(
      `SECRET_KEY cannot open the stored secrets: they are sealed under key ${realId}, but SECRET_KEY is key ${SecretCipher.keyId(wrongKey)} and SECRET_KEYS_OLD holds no key. ` +
        'Set SECRET_KEY to the key the store was sealed with (older keys go in SECRET_KEYS_OLD); to change keys, set the new one as SECRET_KEY with the old one in SECRET_KEYS_OLD and run `secrets rotate`',
    );
    expect(refused.output).toBe('');
    expect(await new SuiteRepository(prisma, testCipher()).find(suiteId)).toBeNull();
    expect((await cliWith({ env: wrong }, 'secrets', 'rotate')).error?.message).toMatch(new RegExp(`^SECRET_KEY cannot open the stored secrets: they are sealed under key ${realId},`));
    expect((await cli('secrets', 'rotate')).error).toBeUndefined();

    // A store of its own: empty, it takes any key; then only that key, or a new one with it in SECRET_KEYS_OLD.
    const own = { DATABASE_URL: await freshTestDatabase('cli_key') };
    expect((await cliWith({ env: { ...SUITE_ENV, ...own, ...wrong } }, 'suite', 'add', '--suite-id', suiteId)).error).toBeUndefined();
    expect((await cliWith({ env: { ...SUITE_ENV, ...own } }, 'suite', 'add', '--suite-id', uniqueId('ww'))).error?.message).toMatch(
      new RegExp(`^SECRET_KEY cannot open the stored secrets: they are sealed under key ${SecretCipher.keyId(wrongKey)}, but SECRET_KEY is key ${realId}`),
    );
    expect((await cliWith({ env: { ...own, SECRET_KEYS_OLD: wrong.SECRET_KEY } }, 'secrets', 'rotate')).output).toMatch(/^re-encrypted 2 secrets;/);
  });

  it('registers a webhook endpoint (secret printed once, sealed at rest), lists, disables, rotates and removes it', async () => {
    const suiteId = uniqueId('ww');
    expect((await cliWith({ env: SUITE_ENV }, 'suite', 'add', '--suite-id', suiteId)).error).toBeUndefined();
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
