import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isWecomId } from '@app/wecom';
import { PrismaService } from './prisma.service.js';

/**
 * `admin`, `suite:<suiteId>` for a key that may only read that suite's tokens and signatures, or
 * `provider:<providerCorpId>` for a key that may only read that provider's provider_access_token.
 */
export type ApiKeyScope = 'admin' | `suite:${string}` | `provider:${string}`;

export interface ApiKeyInfo {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_PREFIX = 'wik_';
/** lastUsedAt is bookkeeping: write it at most this often per key, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;
export function isValidScope(scope: string): scope is ApiKeyScope {
  if (scope === 'admin') return true;
  const [kind, id, ...rest] = scope.split(':');
  return rest.length === 0 && (kind === 'suite' || kind === 'provider') && id !== undefined && isWecomId(id);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const select = { id: true, name: true, keyPrefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true };

@Injectable()
export class ApiKeyRepository {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly prisma: PrismaService) {}

  /** Creates a key and returns it in clear once; only its hash is stored. */
  async create(name: string, scopes: ApiKeyScope[]): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = KEY_PREFIX + randomBytes(24).toString('base64url');
    const info = await this.prisma.client.apiKey.create({
      data: { name, keyHash: hashApiKey(key), keyPrefix: key.slice(0, 10), scopes },
      select,
    });
    return { key, info };
  }

  /**
   * The active key with this value, or null (unknown or revoked); always asks the database. Callers that cache the
   * answer must drop it on a revocation (see the auth app's ApiKeyCache and the revocation epoch).
   */
  async findActive(key: string): Promise<ApiKeyInfo | null> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
    const info = await this.prisma.client.apiKey.findUnique({ where: { keyHash: hashApiKey(key) }, select });
    if (!info || info.revokedAt) return null;
    const now = Date.now();
    if (now - (this.lastTouched.get(info.id) ?? 0) > TOUCH_INTERVAL_MS) {
      this.lastTouched.set(info.id, now);
      await this.prisma.client.apiKey.update({ where: { id: info.id }, data: { lastUsedAt: new Date(now) } });
    }
    return info;
  }

  async list(): Promise<ApiKeyInfo[]> {
    return this.prisma.client.apiKey.findMany({ select, orderBy: { createdAt: 'asc' } });
  }

  /** Keys oldest first, keyset-paginated by (createdAt, id). */
  async page(limit: number, after?: { createdAt: Date; id: string }): Promise<ApiKeyInfo[]> {
    return this.prisma.client.apiKey.findMany({
      where: after
        ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
        : undefined,
      select,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  /** Returns false when no such key exists; revoking twice keeps the first revocation time. */
  async revoke(id: string): Promise<boolean> {
    const existing = await this.prisma.client.apiKey.findUnique({ where: { id }, select: { revokedAt: true } });
    if (!existing) return false;
    if (!existing.revokedAt) await this.prisma.client.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    return true;
  }
}
