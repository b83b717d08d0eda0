import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { CliConfig } from '@app/config';
import { ProviderRepository } from '@app/store';
import { WECOM_ID } from '@app/wecom';
import { CliError, withStore } from './cli.js';

type Out = (line: string) => void;

/** Environment variables read when no `--secrets-file` is given. */
export const PROVIDER_SECRET_ENV = { providerSecret: 'PROVIDER_SECRET', token: 'PROVIDER_TOKEN', aesKey: 'PROVIDER_AES_KEY' } as const;

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

interface ProviderSecrets {
  providerSecret?: string;
  token?: string;
  aesKey?: string;
}

/**
 * A provider's secrets from a JSON file (`{ "providerSecret"?, "token"?, "aesKey"? }`; `-` reads standard input) or
 * the PROVIDER_SECRET / PROVIDER_TOKEN / PROVIDER_AES_KEY environment variables; never argv. Throws CliError naming
 * what is malformed, never echoing a value.
 */
async function readProviderSecrets(file: string | undefined, env: NodeJS.ProcessEnv, readStdin: () => Promise<string>): Promise<ProviderSecrets> {
  let raw: Record<string, unknown> = {};
  if (file === undefined) {
    for (const [field, name] of Object.entries(PROVIDER_SECRET_ENV)) if (env[name]) raw[field] = env[name];
  } else {
    let text: string;
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new CliError(`${file === '-' ? 'standard input' : file} is not JSON like {"providerSecret": "…", "token": "…", "aesKey": "…"}`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CliError('the secrets file must hold a JSON object');
  }
  const problems: string[] = [];
  for (const name of ['providerSecret', 'token', 'aesKey'] as const) {
    if (raw[name] !== undefined && (typeof raw[name] !== 'string' || raw[name] === '')) problems.push(`${name} must be a non-empty string`);
  }
  if (typeof raw.aesKey === 'string' && raw.aesKey !== '' && !AES_KEY.test(raw.aesKey)) problems.push('aesKey must be 43 base64 characters');
  if ((raw.token === undefined) !== (raw.aesKey === undefined)) problems.push('token and aesKey go together');
  if (problems.length) throw new CliError(`provider secrets: ${problems.join('; ')}`);
  return raw as ProviderSecrets;
}

/**
 * `provider add|rotate|list`: a provider (服务商) with its provider_secret and its system-event URL's token and
 * EncodingAESKey. `add` creates or updates; `rotate` changes what is given of a registered provider. Secrets only
 * from a file, standard input or the environment.
 */
export function addProviderCommands(program: Command, config: () => CliConfig, out: Out, env: NodeJS.ProcessEnv, readStdin: () => Promise<string>): void {
  const provider = program.command('provider').description('providers (服务商): provider_secret and the system-event URL keys');
  const corpid = (value: string): string => {
    if (!WECOM_ID.test(value)) throw new InvalidArgumentError('letters, digits, _ and -, at most 64');
    return value;
  };
  const save = async (o: { corpid: string; name?: string; secretsFile?: string }, mustExist: boolean): Promise<void> => {
    const secrets = await readProviderSecrets(o.secretsFile, env, readStdin);
    const saved = await withStore(config(), async ({ prisma, cipher }) => {
      const providers = new ProviderRepository(prisma, cipher);
      if (mustExist && !(await providers.find(o.corpid))) throw new CliError(`no provider ${o.corpid}`);
      return providers.upsert({ corpId: o.corpid, name: o.name, secret: secrets.providerSecret, token: secrets.token, encodingAesKey: secrets.aesKey });
    }, { command: `provider ${mustExist ? 'rotate' : 'add'}`, why: 'encrypts the provider_secret and the system-event EncodingAESKey before storing them' });
    out(`provider ${saved.corpId} saved (provider_secret ${saved.hasSecret ? 'set' : 'not set'}, system events ${saved.systemEventsConfigured ? 'configured' : 'not configured'})\n`);
    out(`system-event URL path: /callback/providers/${saved.corpId}/system\n`);
  };
  for (const [name, mustExist, what] of [
    ['add', false, 'register a provider, or update one with the same corpid'],
    ['rotate', true, 'replace the provider_secret and/or the system-event token + EncodingAESKey of a registered provider'],
  ] as const) {
    provider
      .command(name)
      .description(`${what}. Secrets come from --secrets-file (JSON {"providerSecret"?, "token"?, "aesKey"?}; - reads standard input) or from ${Object.values(PROVIDER_SECRET_ENV).join(', ')}; never from the command line`)
      .requiredOption('--corpid <corpid>', 'the provider corpid', corpid)
      .option('--name <name>', 'display name')
      .option('--secrets-file <file>', 'JSON file with providerSecret, token and aesKey; - for standard input')
      .action((o: { corpid: string; name?: string; secretsFile?: string }) => save(o, mustExist));
  }
  provider
    .command('list')
    .description('list providers (never their secrets)')
    .action(async () => {
      const providers = await withStore(config(), ({ prisma, cipher }) => new ProviderRepository(prisma, cipher).list());
      if (!providers.length) out('no providers\n');
      for (const p of providers) {
        out(`${p.corpId}\t${p.name}\tsecret=${p.hasSecret ? 'set' : '-'}\tsystem_events=${p.systemEventsConfigured ? 'configured' : '-'}\tsuites=${p.suiteIds.join(',') || '-'}\n`);
      }
    });
}
