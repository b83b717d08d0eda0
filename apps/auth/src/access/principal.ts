import type { ApiKeyInfo, ConsoleRole, ConsoleSessionInfo } from '@app/store';

/** Who made a request to the admin API: a machine with an API key, or a person with a console session. */
export type Principal = ApiKeyInfo | ConsoleSessionInfo;

export function isConsoleSession(principal: Principal): principal is ConsoleSessionInfo {
  return 'sessionId' in principal;
}

/**
 * What an admin route does. `read`: look; `operate`: act on what exists (replay events, refresh tokens);
 * `manage`: change configuration and access (suites, API keys, console users).
 */
export type Permission = 'read' | 'operate' | 'manage';

/** `admin`: everything; `operator`: read plus replay/resend/refresh; `viewer`: read only. */
export const ROLE_PERMISSIONS: Record<ConsoleRole, readonly Permission[]> = {
  admin: ['read', 'operate', 'manage'],
  operator: ['read', 'operate'],
  viewer: ['read'],
};

/** Who holds each permission, in words: the end of a refusal's sentence and of the OpenAPI 403 description. */
export const WHO_MAY: Record<Permission, string> = {
  read: 'any console role',
  operate: 'the admin or operator role',
  manage: 'the admin role',
};

/** Whether the principal may do what the route does; API keys need the `admin` scope for every admin route. */
export function mayDo(principal: Principal, permission: Permission): boolean {
  if (isConsoleSession(principal)) return ROLE_PERMISSIONS[principal.user.role].includes(permission);
  return principal.scopes.includes('admin');
}
