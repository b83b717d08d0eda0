import { Command, InvalidArgumentError, Option } from 'commander';
import { cliEnv, CliConfig, loadConfig } from '@app/config';
import {
  ApiKeyRepository,
  ApiKeyScope,
  isValidScope,
  PrismaService,
  SecretCipher,
  SecretRotationService,
  SuiteRepository,
} from '@app/store';
import { WECOM_ID } from '@app/wecom';

import { addWebhookCommands } from './webhook-commands.js';

type Out = (line: string) => void;

/** A problem with what the user asked for, found while running a command. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

interface Store {
  prisma: PrismaService;
  cipher: SecretCipher;
}

/** Opens the store for one command and always closes it, so the process can exit. */
export async function withStore<T>(config: CliConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const prisma = new PrismaService({ url: config.DATABASE_URL, poolSize: 2 });
  try {
    return await fn({ prisma, cipher: new SecretCipher(config.SECRET_KEY, config.SECRET_KEYS_OLD) });
  } finally {
    await prisma.onModuleDestroy();
  }
}

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

function matching(re: RegExp, what: string) {
  return (value: string): string => {
    if (!re.test(value)) throw new InvalidArgumentError(what);
    return value;
  };
}

function scope(value: string, previous: ApiKeyScope[] = []): ApiKeyScope[] {
  if (!isValidScope(value)) throw new InvalidArgumentError('use "admin" or "suite:<suiteId>"');
  return [...previous, value];
}

function httpUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    /* fall through */
  }
  throw new InvalidArgumentError('must be an http(s) URL');
}

export function buildCli(out: Out, env: NodeJS.ProcessEnv = process.env): Command {
  const config = (): CliConfig => loadConfig(cliEnv, env);
  const program = new Command('wecom-isv')
    .description('Administer the WeCom ISV platform: suites, API keys, secrets, webhook endpoints')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out });

  const suite = program.command('suite').description('register and list suites');
  suite
    .command('add')
    .description('register a suite, or update one with the same id (secrets are stored encrypted)')
    .requiredOption('--suite-id <id>', 'WeCom suite_id', matching(WECOM_ID, 'letters, digits, _ and -, at most 64'))
    .requiredOption('--secret <secret>', 'suite_secret')
    .requiredOption('--token <token>', 'callback Token')
    .requiredOption('--aes-key <key>', 'callback EncodingAESKey (43 characters)', matching(AES_KEY, 'must be 43 base64 characters'))
    .option('--name <name>', 'display name')
    .option('--success-url <url>', 'where the browser goes after an install', httpUrl)
    .addOption(new Option('--auth-type <type>', 'default install type: 0 formal, 1 test').choices(['0', '1']).default('0'))
    .option('--provider-corpid <corpid>', 'service provider corpid')
    .option('--provider-secret <secret>', 'provider_secret')
    .action(async (o: Record<string, string | undefined>) => {
      if (Boolean(o.providerCorpid) !== Boolean(o.providerSecret)) {
        throw new CliError('--provider-corpid and --provider-secret go together');
      }
      const saved = await withStore(config(), ({ prisma, cipher }) =>
        new SuiteRepository(prisma, cipher).upsert({
          suiteId: o.suiteId!,
          name: o.name,
          secret: o.secret!,
          token: o.token!,
          encodingAesKey: o.aesKey!,
          successUrl: o.successUrl ?? null,
          defaultAuthType: o.authType === '1' ? 1 : 0,
          providerCorpId: o.providerCorpid ?? null,
          providerSecret: o.providerSecret ?? null,
        }),
      );
      out(`suite ${saved.suiteId} saved\n`);
    });
  suite
    .command('list')
    .description('list registered suites (never their secrets)')
    .action(async () => {
      const suites = await withStore(config(), ({ prisma, cipher }) => new SuiteRepository(prisma, cipher).list());
      if (!suites.length) out('no suites\n');
      for (const s of suites) {
        out(`${s.suiteId}\t${s.name}\tauth_type=${s.defaultAuthType}\tprovider=${s.providerCorpId ?? '-'}\tsuccess_url=${s.successUrl ?? '-'}\n`);
      }
    });

  const apikey = program.command('apikey').description('API keys for the token and admin APIs');
  apikey
    .command('create')
    .description('create a key; it is printed once, alone on the last line, and only its hash is stored')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--scope <scope>', 'admin or suite:<suiteId> (repeatable)', scope)
    .action(async (o: { name: string; scope: ApiKeyScope[] }) => {
      const { key, info } = await withStore(config(), ({ prisma }) => new ApiKeyRepository(prisma).create(o.name, o.scope));
      out(`created API key ${info.id} (${info.name}, scopes ${info.scopes.join(',')}); store it now, it is not shown again:\n`);
      out(`${key}\n`);
    });
  apikey
    .command('list')
    .description('list keys (prefix, scopes, last use; never the key)')
    .action(async () => {
      const keys = await withStore(config(), ({ prisma }) => new ApiKeyRepository(prisma).list());
      if (!keys.length) out('no API keys\n');
      for (const k of keys) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
        out(`${k.id}\t${k.name}\t${k.keyPrefix}…\t${k.scopes.join(',')}\t${state}\n`);
      }
    });
  apikey
    .command('revoke')
    .description('revoke a key by id')
    .argument('<id>', 'key id (from apikey list)')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`not a key id: ${id}`);
      const found = await withStore(config(), ({ prisma }) => new ApiKeyRepository(prisma).revoke(id));
      if (!found) throw new CliError(`no API key ${id}`);
      out(`revoked ${id}\n`);
    });

  program
    .command('secrets')
    .description('manage encryption of secrets at rest')
    .command('rotate')
    .description('re-encrypt every stored secret under SECRET_KEY (old keys must be in SECRET_KEYS_OLD)')
    .action(async () => {
      const report = await withStore(config(), ({ prisma, cipher }) => new SecretRotationService(prisma, cipher).rotateAll());
      out(`re-encrypted ${report.resealed} secrets; ${report.alreadyCurrent} were already under the current key\n`);
    });

  addWebhookCommands(program, config, out);
  return program;
}
