import { Command, InvalidArgumentError, Option } from 'commander';
import { cliEnv, CliConfig, loadConfig } from '@app/config';
import { randomBytes } from 'node:crypto';
import { bumpApiKeyRevocationEpoch, createRedis, redisSettingsFrom } from '@app/queues';
import {
  ApiKeyRepository,
  CONSOLE_ROLES,
  ConsoleUserExistsError,
  ConsoleUserRepository,
  ApiKeyScope,
  checkSecretKey,
  isValidScope,
  PrismaService,
  SecretCipher,
  SecretKeyMismatchError,
  SecretRotationService,
  SuiteChange,
  SuiteRepository,
} from '@app/store';
import { WECOM_ID } from '@app/wecom';
import { completeSuiteSecrets, readStandardInput, readSuiteSecrets, SECRET_ENV, SuiteSecretsError } from './suite-secrets.js';

import { addWebhookCommands } from './webhook-commands.js';
import { addProviderCommands } from './provider-commands.js';
import { addConsoleUserWecomCommands } from './console-user-wecom-commands.js';

type Out = (line: string) => void;

/** A problem with what the user asked for, found while running a command. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

interface Store {
  prisma: PrismaService;
  cipher: SecretCipher;
}

/** Why a command needs SECRET_KEY, for the error that names it when the key is not set. */
export interface SecretUse {
  /** the command as typed, e.g. `suite add` */
  command: string;
  /** what it does with secrets, completing "it …" */
  why: string;
}

/** The error for a command run without the SECRET_KEY it needs: which command, and what it needs the key for. */
export function secretKeyMissing(use: SecretUse): CliError {
  return new CliError(
    `${use.command} needs SECRET_KEY (the platform's 32-byte base64 key, the one the apps use): it ${use.why}. Commands that touch no secret (apikey, console-user, suite list, …) run without it`,
  );
}

/**
 * Stands in for the cipher when SECRET_KEY is not set: repositories take a cipher even where the command never
 * seals or opens anything (listing, API keys). If one does after all, the command stops with `secretKeyMissing`.
 */
class MissingSecretKey extends SecretCipher {
  constructor() {
    super(randomBytes(32));
  }

  override seal(): string {
    throw secretKeyMissing({ command: 'this command', why: 'writes a secret, which is stored encrypted' });
  }

  override open(): string {
    throw secretKeyMissing({ command: 'this command', why: 'reads a secret, which is stored encrypted' });
  }
}

/**
 * Opens the store for one command and always closes it, so the process can exit. `secrets`: the command seals or
 * opens secrets, so SECRET_KEY must be set and must open what is stored (both checked before anything is written:
 * a value sealed under a wrong key leaves a store no one key opens); other commands run without.
 */
export async function withStore<T>(config: CliConfig, fn: (store: Store) => Promise<T>, secrets?: SecretUse): Promise<T> {
  if (secrets && !config.SECRET_KEY) throw secretKeyMissing(secrets);
  const cipher = config.SECRET_KEY ? new SecretCipher(config.SECRET_KEY, config.SECRET_KEYS_OLD) : new MissingSecretKey();
  const prisma = new PrismaService({ url: config.DATABASE_URL, poolSize: 2 });
  try {
    if (secrets) {
      await checkSecretKey(prisma, cipher).catch((err: unknown) => {
        throw err instanceof SecretKeyMismatchError ? new CliError(err.message) : err;
      });
    }
    return await fn({ prisma, cipher });
  } finally {
    await prisma.onModuleDestroy();
  }
}


function matching(re: RegExp, what: string) {
  return (value: string): string => {
    if (!re.test(value)) throw new InvalidArgumentError(what);
    return value;
  };
}

function scope(value: string, previous: ApiKeyScope[] = []): ApiKeyScope[] {
  if (!isValidScope(value)) throw new InvalidArgumentError('use "admin", "suite:<suiteId>" or "provider:<providerCorpId>"');
  return [...previous, value];
}

function origins(value: string, previous: string[] = []): string[] {
  return [...previous, new URL(httpUrl(value)).origin];
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

/** Runs a suite-secrets step, its SuiteSecretsError as the CliError it is for the user. */
async function suiteSecrets<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof SuiteSecretsError) throw new CliError(err.message);
    throw err;
  }
}

/** Options that once took secrets on the command line: refused with directions, so no secret lands in argv. */
const ARGV_SECRETS = ['--secret', '--token', '--aes-key', '--provider-secret'];

export function buildCli(out: Out, env: NodeJS.ProcessEnv = process.env, readStdin: () => Promise<string> = readStandardInput): Command {
  const config = (): CliConfig => loadConfig(cliEnv, env);
  const program = new Command('wecom-isv')
    .description('Administer the WeCom ISV platform: suites, providers, API keys, console users, secrets, webhook endpoints')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out });

  const suite = program.command('suite').description('register and list suites');
  suite
    .command('add')
    .description(
      'register a suite, or update one with the same id: on an update, options and secrets not given keep their stored values ' +
        '(secret, token and aesKey are all required only for a new suite; a part of them replaces only those). Secrets are stored encrypted and come from ' +
        `--secrets-file (JSON {"secret","token","aesKey","providerSecret"?}; - reads standard input) or from ${Object.values(SECRET_ENV).join(', ')}; never from the command line`,
    )
    .requiredOption('--suite-id <id>', 'WeCom suite_id', matching(WECOM_ID, 'letters, digits, _ and -, at most 64'))
    .option('--secrets-file <file>', 'JSON file with secret (suite_secret), token (callback Token), aesKey (EncodingAESKey) and providerSecret; - for standard input')
    .option('--name <name>', 'display name (a new suite: its id)')
    .option('--success-url <url>', 'where the browser goes after an install', httpUrl)
    .addOption(new Option('--auth-type <type>', 'default install type: 0 formal (a new suite\'s default), 1 test').choices(['0', '1']))
    .option('--provider-corpid <corpid>', 'service provider corpid')
    .option('--redirect-origin <origin>', 'an origin OAuth logins of this suite may send their result to (repeatable; replaces the stored list)', origins)
    .option('--logo-url <url>', 'install page: logo image URL', httpUrl)
    .option('--description <text>', 'install page: a short text under the name')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (o: Record<string, string | undefined> & { redirectOrigin?: string[] }, command: Command) => {
      const onArgv = command.args.find((arg) => ARGV_SECRETS.includes(arg.split('=')[0]));
      if (onArgv) {
        throw new CliError(`${onArgv.split('=')[0]} is not accepted: secrets on the command line are visible to other users (ps, shell history); use --secrets-file or ${SECRET_ENV.secret}…`);
      }
      if (command.args.length) throw new CliError(`unknown argument ${command.args[0]}`);
      const secrets = await suiteSecrets(() => readSuiteSecrets(o.secretsFile, env, readStdin));
      // Only what was given: on an update, the rest keeps its stored value.
      const change: SuiteChange = {
        name: o.name,
        secret: secrets.secret,
        token: secrets.token,
        encodingAesKey: secrets.aesKey,
        successUrl: o.successUrl,
        defaultAuthType: o.authType === undefined ? undefined : o.authType === '1' ? 1 : 0,
        providerCorpId: o.providerCorpid,
        providerSecret: secrets.providerSecret,
        redirectOrigins: o.redirectOrigin,
        logoUrl: o.logoUrl,
        description: o.description,
      };
      const saved = await withStore(config(), async ({ prisma, cipher }) => {
        const suites = new SuiteRepository(prisma, cipher);
        const existing = await suites.find(o.suiteId!);
        // A provider corpid alone names the owner (its secret registered with `provider add`); a secret needs its corpid.
        if (secrets.providerSecret && !(o.providerCorpid ?? existing?.providerCorpId)) throw new CliError('providerSecret needs --provider-corpid');
        if (existing) {
          const updated = await suites.update(o.suiteId!, change);
          if (updated) return updated;
        }
        const all = await suiteSecrets(async () => completeSuiteSecrets(secrets, o.secretsFile));
        return suites.upsert({ ...change, suiteId: o.suiteId!, secret: all.secret, token: all.token, encodingAesKey: all.aesKey });
      }, { command: 'suite add', why: 'encrypts the suite secret and EncodingAESKey (and a provider secret) before storing them' });
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
    .requiredOption('--scope <scope>', 'admin, suite:<suiteId> or provider:<providerCorpId> (repeatable)', scope)
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
      const settings = config();
      const found = await withStore(settings, ({ prisma }) => new ApiKeyRepository(prisma).revoke(id));
      if (!found) throw new CliError(`no API key ${id}`);
      // Tell every auth process to drop its cached keys (they subscribe to the announcement).
      const redis = createRedis(redisSettingsFrom(settings), 'producer', { lazyConnect: true });
      try {
        await redis.connect();
        await bumpApiKeyRevocationEpoch(redis, settings.REDIS_PREFIX);
      } catch {
        throw new CliError(`revoked ${id} in the database, but Redis did not answer: auth processes may accept it for up to a minute; run this again once Redis is back`);
      } finally {
        redis.disconnect();
      }
      out(`revoked ${id}\n`);
    });

  const user = program.command('console-user').description('people who sign in to the web console');
  user
    .command('create')
    .description('create a console user; without --password one is generated and printed once')
    .requiredOption('--username <name>', 'login name (3-64 characters: letters, digits, . _ @ -)', matching(/^[A-Za-z0-9._@-]{3,64}$/, '3-64 characters [A-Za-z0-9._@-]'))
    .addOption(new Option('--role <role>', 'admin: everything; operator: read, replay, refresh; viewer: read only').choices([...CONSOLE_ROLES]).default('admin'))
    .option('--password <password>', 'at least 12 characters (prefer the generated one: a flag lands in shell history)')
    .action(async (o: { username: string; role: 'admin' | 'operator' | 'viewer'; password?: string }) => {
      if (o.password !== undefined && (o.password.length < 12 || o.password.length > 256)) throw new CliError('--password must be 12-256 characters');
      const password = o.password ?? randomBytes(15).toString('base64url');
      const created = await withStore(config(), ({ prisma }) =>
        new ConsoleUserRepository(prisma).create(o.username, password, o.role).catch((err: unknown) => {
          if (err instanceof ConsoleUserExistsError) throw new CliError(`console user ${o.username.toLowerCase()} exists`);
          throw err;
        }),
      );
      out(`created console user ${created.username} (${created.role}, id ${created.id})\n`);
      if (o.password === undefined) out(`password (shown once):\n${password}\n`);
    });
  user
    .command('list')
    .description('list console users (never their password hashes)')
    .action(async () => {
      const users = await withStore(config(), ({ prisma }) => new ConsoleUserRepository(prisma).page(1000));
      if (!users.length) out('no console users\n');
      for (const u of users) {
        const wecom = u.wecomUserId ? `${u.wecomCorpId}/${u.wecomUserId}` : '-';
        out(`${u.id}\t${u.username}\t${u.role}\t${u.disabledAt ? 'disabled' : 'active'}\tlast_login=${u.lastLoginAt?.toISOString() ?? '-'}\twecom=${wecom}\n`);
      }
    });
  addConsoleUserWecomCommands(user, config, out);

  program
    .command('secrets')
    .description('manage encryption of secrets at rest')
    .command('rotate')
    .description('re-encrypt every stored secret under SECRET_KEY (old keys must be in SECRET_KEYS_OLD)')
    .action(async () => {
      const report = await withStore(config(), ({ prisma, cipher }) => new SecretRotationService(prisma, cipher).rotateAll(), {
        command: 'secrets rotate',
        why: 're-encrypts every stored secret under it',
      });
      out(`re-encrypted ${report.resealed} secrets; ${report.alreadyCurrent} were already under the current key; ${report.changedMeanwhile} changed meanwhile and were left as written\n`);
    });

  addWebhookCommands(program, config, out);
  addProviderCommands(program, config, out, env, readStdin);
  return program;
}
