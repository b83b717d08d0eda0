import { readFile } from 'node:fs/promises';

/** The secret half of a suite registration: never taken from argv, which `ps` and shell history show to others. */
export interface SuiteSecrets {
  secret: string;
  token: string;
  aesKey: string;
  providerSecret?: string;
}

/** Environment variables read when no `--secrets-file` is given. */
export const SECRET_ENV = { secret: 'SUITE_SECRET', token: 'SUITE_TOKEN', aesKey: 'SUITE_AES_KEY', providerSecret: 'PROVIDER_SECRET' } as const;

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

export class SuiteSecretsError extends Error {
  override readonly name = 'SuiteSecretsError';
}

/**
 * Reads a suite's secrets from a JSON file (`{ "secret", "token", "aesKey", "providerSecret"? }`), from standard input
 * when the file is `-`, or else from the SUITE_SECRET, SUITE_TOKEN, SUITE_AES_KEY and PROVIDER_SECRET environment
 * variables. Any of them may be missing (an update keeps the stored ones; `completeSuiteSecrets` asks for all three
 * for a new suite). Throws SuiteSecretsError naming what is malformed (never echoing a value).
 */
export async function readSuiteSecrets(file: string | undefined, env: NodeJS.ProcessEnv, readStdin: () => Promise<string>): Promise<Partial<SuiteSecrets>> {
  const raw = file === undefined ? fromEnv(env) : parseJson(file === '-' ? await readStdin() : await readText(file), file === '-' ? 'standard input' : file);
  const problems: string[] = [];
  for (const name of ['secret', 'token', 'aesKey', 'providerSecret'] as const) {
    if (raw[name] !== undefined && (typeof raw[name] !== 'string' || raw[name] === '')) problems.push(`${name} must be a non-empty string`);
  }
  if (typeof raw.aesKey === 'string' && raw.aesKey !== '' && !AES_KEY.test(raw.aesKey)) problems.push('aesKey must be 43 base64 characters');
  if (problems.length) throw new SuiteSecretsError(`suite secrets: ${problems.join('; ')}`);
  return raw as Partial<SuiteSecrets>;
}

/**
 * The secrets of a suite not yet registered: all of secret, token and aesKey. Throws SuiteSecretsError naming the
 * missing ones, or where secrets come from when none was given (`file`: the --secrets-file given, if any).
 */
export function completeSuiteSecrets(given: Partial<SuiteSecrets>, file: string | undefined): SuiteSecrets {
  const missing = (['secret', 'token', 'aesKey'] as const).filter((name) => given[name] === undefined);
  if (missing.length === 3 && file === undefined) {
    throw new SuiteSecretsError(`suite secrets: give --secrets-file <file> (or - for standard input), or set ${SECRET_ENV.secret}, ${SECRET_ENV.token} and ${SECRET_ENV.aesKey}`);
  }
  if (missing.length) throw new SuiteSecretsError(`suite secrets: a new suite needs secret, token and aesKey: ${missing.map((name) => `${name} is required`).join('; ')}`);
  return given as SuiteSecrets;
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(SECRET_ENV)) if (env[name]) out[field] = env[name];
  return out;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new SuiteSecretsError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function parseJson(text: string, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SuiteSecretsError(`${where} is not JSON like {"secret": "…", "token": "…", "aesKey": "…"}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SuiteSecretsError(`${where} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** All of standard input, as text. */
export async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
