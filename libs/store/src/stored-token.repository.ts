import { Injectable } from '@nestjs/common';
import type { TokenKind } from './generated/prisma/enums.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { TokenKind };

export interface TokenKey {
  kind: TokenKind;
  suiteId: string;
  /** corp id for corp-level tokens; omitted for suite and provider tokens */
  corpId?: string;
}

export interface StoredTokenValue {
  value: string;
  expiresAt: Date;
}

/** The last good token of each kind, kept in PostgreSQL (sealed) behind the Redis cache. */
@Injectable()
export class StoredTokenRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  async save(key: TokenKey, token: StoredTokenValue): Promise<void> {
    const where = { kind: key.kind, suiteId: key.suiteId, corpId: key.corpId ?? '' };
    const valueEnc = this.cipher.seal(token.value);
    await this.prisma.client.storedToken.upsert({
      where: { kind_suiteId_corpId: where },
      create: { ...where, valueEnc, expiresAt: token.expiresAt },
      update: { valueEnc, expiresAt: token.expiresAt },
    });
  }

  async find(key: TokenKey): Promise<StoredTokenValue | null> {
    const row = await this.prisma.client.storedToken.findUnique({
      where: { kind_suiteId_corpId: { kind: key.kind, suiteId: key.suiteId, corpId: key.corpId ?? '' } },
    });
    return row ? { value: this.cipher.open(row.valueEnc), expiresAt: row.expiresAt } : null;
  }

  async delete(key: TokenKey): Promise<void> {
    await this.prisma.client.storedToken.deleteMany({
      where: { kind: key.kind, suiteId: key.suiteId, corpId: key.corpId ?? '' },
    });
  }

  /** Drops every token of one corp (on cancel or suspension). */
  async deleteForCorp(suiteId: string, corpId: string): Promise<void> {
    await this.prisma.client.storedToken.deleteMany({ where: { suiteId, corpId } });
  }

  /** Expiry of each corp token (or, with `kind`, each ticket) of a suite, for token freshness and schedulers. */
  async corpTokenExpiries(suiteId: string, corpIds: readonly string[], kind: TokenKind = 'corp'): Promise<Map<string, Date>> {
    const rows = await this.prisma.client.storedToken.findMany({
      where: { kind, suiteId, corpId: { in: [...corpIds] } },
      select: { corpId: true, expiresAt: true },
    });
    return new Map(rows.map((r) => [r.corpId, r.expiresAt]));
  }

  /** Stores many tokens at once (imports, load tests), leaving tokens already present untouched. */
  async insertMany(entries: readonly { key: TokenKey; token: StoredTokenValue }[], chunkSize = 10_000): Promise<number> {
    let created = 0;
    for (let i = 0; i < entries.length; i += chunkSize) {
      const chunk = entries.slice(i, i + chunkSize);
      const kinds = chunk.map((e) => e.key.kind);
      const suiteIds = chunk.map((e) => e.key.suiteId);
      const corpIds = chunk.map((e) => e.key.corpId ?? '');
      const values = chunk.map((e) => this.cipher.seal(e.token.value));
      const expiries = chunk.map((e) => e.token.expiresAt.getTime());
      // Timestamps travel as epoch milliseconds and are stored as UTC, as Prisma stores them.
      created += await this.prisma.client.$executeRaw`
        INSERT INTO "StoredToken" ("kind", "suiteId", "corpId", "valueEnc", "expiresAt", "updatedAt")
        SELECT k::"TokenKind", s, c, v, to_timestamp(e / 1000.0) AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM unnest(${kinds}::text[], ${suiteIds}::text[], ${corpIds}::text[], ${values}::text[], ${expiries}::float8[]) AS t(k, s, c, v, e)
        ON CONFLICT ("kind", "suiteId", "corpId") DO NOTHING`;
    }
    return created;
  }

  /** How many stored tokens of a kind expire before `at` (a token past expiry that was not refreshed is stale). */
  async countExpiringBefore(kind: TokenKind, at: Date): Promise<number> {
    return this.prisma.client.storedToken.count({ where: { kind, expiresAt: { lt: at } } });
  }
}
