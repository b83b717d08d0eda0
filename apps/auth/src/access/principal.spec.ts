import type { ApiKeyInfo, ConsoleSessionInfo } from '@app/store';
import { mayDo, Permission } from './principal.js';

const key = (scopes: string[]): ApiKeyInfo => ({ id: 'k', name: 'k', keyPrefix: 'wik_', scopes, createdAt: new Date(), lastUsedAt: null, revokedAt: null });
const person = (role: 'admin' | 'operator' | 'viewer'): ConsoleSessionInfo => ({
  sessionId: 's',
  csrfToken: 'c',
  expiresAt: new Date(),
  method: 'password',
  user: { id: 'u', username: 'u', role, createdAt: new Date(), lastLoginAt: null, disabledAt: null, wecomCorpId: null, wecomUserId: null },
});

describe('admin permissions', () => {
  it('grants read to every role, operate to admin and operator, manage to admin; API keys need the admin scope', () => {
    const permissions: Permission[] = ['read', 'operate', 'manage'];
    const table = Object.fromEntries(
      Object.entries({
        admin: person('admin'),
        operator: person('operator'),
        viewer: person('viewer'),
        adminKey: key(['admin']),
        suiteKey: key(['suite:ww1']),
      }).map(([who, principal]) => [who, permissions.filter((p) => mayDo(principal, p))]),
    );
    expect(table).toEqual({
      admin: ['read', 'operate', 'manage'],
      operator: ['read', 'operate'],
      viewer: ['read'],
      adminKey: ['read', 'operate', 'manage'],
      suiteKey: [],
    });
  });
});
