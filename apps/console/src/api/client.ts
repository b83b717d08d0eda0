import createClient, { type Middleware } from 'openapi-fetch';
// One generated copy of the types, the client package's (npm run console:api); a type-only import, erased by the build.
import type { components, paths } from '../../../../packages/client/src/schema';

export type Schemas = components['schemas'];

/** The CSRF token of the current session, sent on every state-changing call (set at sign-in and on reload). */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API says the session is gone (expired, revoked, signed out elsewhere). */
let onSignedOut: () => void = () => undefined;
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD'].includes(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/console/session')) onSignedOut();
    return response;
  },
};

/** The platform's admin API, typed from its OpenAPI document (packages/client/src/schema.ts, generated: npm run console:api). */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/** An error answer of the API: `{ statusCode, error, message }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The data of an openapi-fetch result, or an ApiError carrying the API's code and message(s). */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const body = (result.error ?? {}) as { error?: string; message?: string | string[] };
    const message = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? result.response.statusText);
    throw new ApiError(result.response.status, body.error ?? String(result.response.status), message);
  }
  return result.data as T;
}
