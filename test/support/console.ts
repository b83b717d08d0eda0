import { ConsoleRole, ConsoleUserRepository } from '@app/store';
import { ApiAnswer, approveInstall, callApi, returnToPlatform } from './auth.js';
import { uniqueId } from './env.js';
import { testPrisma } from './store.js';

export interface ConsolePerson {
  username: string;
  password: string;
}

/** A console user straight into the store, as `cli console-user create` makes one. */
export async function createConsoleUser(role: ConsoleRole, username = uniqueId(role)): Promise<ConsolePerson> {
  const prisma = testPrisma();
  try {
    const password = `pw-${uniqueId('')}-long-enough`;
    await new ConsoleUserRepository(prisma).create(username, password, role);
    return { username, password };
  } finally {
    await prisma.onModuleDestroy();
  }
}

export interface ConsoleSession {
  /** `wecom_console_session=<token>`, to send back as the Cookie header */
  cookie: string;
  /** the whole Set-Cookie header of the sign-in */
  setCookie: string;
  csrfToken: string;
}

/** Signs in through the API as the browser does; throws unless the answer is 201 with a cookie. */
export async function signIn(authUrl: string, person: ConsolePerson): Promise<ConsoleSession> {
  const res = await fetch(`${authUrl}/api/v1/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(person),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  if (res.status !== 201 || !setCookie) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0], setCookie, csrfToken: body.csrfToken };
}

/** One JSON call with a console session's cookie (and its CSRF token unless `csrf: false`). */
export function asPerson<T = Record<string, unknown>>(
  authUrl: string,
  session: ConsoleSession,
  method: string,
  path: string,
  options: { body?: unknown; csrf?: boolean } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { cookie: session.cookie };
  if (options.csrf !== false) headers['x-csrf-token'] = session.csrfToken;
  return callApi<T>(authUrl, method, path, { body: options.body, headers });
}

/**
 * A browser install (install page, its button, approval on the simulator choosing the corp's name with the
 * simulator's `sim_corp_name`, and the redirect back); answers the new tenant's corp id.
 */
export async function installNamed(authUrl: string, suiteId: string, corpName: string): Promise<string> {
  const completion = await returnToPlatform(await approveInstall(authUrl, suiteId, { simCorpName: corpName }));
  const body = completion.status === 200 ? ((await completion.json()) as { corpId?: string }) : {};
  if (!body.corpId) throw new Error(`install completion answered ${completion.status}`);
  return body.corpId;
}
