import { Injectable } from '@nestjs/common';
import { Prisma } from './generated/prisma/client.js';
import type { CorpStatus } from './generated/prisma/enums.js';
import type { CorpRecord } from './auth-corp.repository.js';
import { PrismaService } from './prisma.service.js';

export interface CorpSearch {
  /** a corp id (exact) or part of the corp's short or full name (case-insensitive) */
  q?: string;
  suiteId?: string;
  status?: CorpStatus;
  /** an edition id of any agent in edition_info (WeCom's `agent[].edition_id`) */
  editionId?: string;
  installedFrom?: Date;
  installedTo?: Date;
  /**
   * Active corps by their stored corp access_token, as the overview counts them (ConsoleStatsRepository.
   * corpTokenFreshness): `fresh` at least `marginMs` left, `within_margin` alive with less, `expired`, `missing` none.
   */
  tokenState?: { state: TokenState; marginMs: number };
}

export const TOKEN_STATES = ['fresh', 'within_margin', 'expired', 'missing'] as const;
export type TokenState = (typeof TOKEN_STATES)[number];

/** Tenants across suites for the console's search, newest install first, keyset-paginated by (installedAt, id). */
@Injectable()
export class CorpSearchRepository {
  constructor(private readonly prisma: PrismaService) {}

  async search(filter: CorpSearch, limit: number, after?: { installedAt: Date; id: string }): Promise<CorpRecord[]> {
    if (filter.tokenState) return this.searchByTokenState(filter, filter.tokenState, limit, after);
    const and: Prisma.AuthCorpWhereInput[] = [];
    if (filter.q) {
      and.push({
        OR: [
          { corpId: filter.q },
          { corpName: { contains: filter.q, mode: 'insensitive' } },
          { corpFullName: { contains: filter.q, mode: 'insensitive' } },
        ],
      });
    }
    if (filter.editionId) and.push({ editionInfo: { path: ['agent'], array_contains: [{ edition_id: filter.editionId }] } });
    if (filter.installedFrom || filter.installedTo) and.push({ installedAt: { gte: filter.installedFrom, lt: filter.installedTo } });
    if (after) and.push({ OR: [{ installedAt: { lt: after.installedAt } }, { installedAt: after.installedAt, id: { lt: after.id } }] });
    return this.prisma.client.authCorp.findMany({
      where: { suiteId: filter.suiteId, status: filter.status, AND: and },
      orderBy: [{ installedAt: 'desc' }, { id: 'desc' }],
      take: limit,
      omit: { permanentCodeEnc: true },
    });
  }

  /**
   * The same search joined with StoredToken (no relation in the schema, so in SQL): the page's ids in order, then
   * the rows. Same filters and order as `search`, plus the token state; only active corps have one.
   */
  private async searchByTokenState(
    filter: CorpSearch,
    token: { state: TokenState; marginMs: number },
    limit: number,
    after?: { installedAt: Date; id: string },
  ): Promise<CorpRecord[]> {
    const now = new Date();
    const margin = new Date(now.getTime() + token.marginMs);
    const tokenCondition = {
      fresh: Prisma.sql`t."expiresAt" >= ${margin}`,
      within_margin: Prisma.sql`t."expiresAt" > ${now} AND t."expiresAt" < ${margin}`,
      expired: Prisma.sql`t."expiresAt" <= ${now}`,
      missing: Prisma.sql`t."expiresAt" IS NULL`,
    }[token.state];
    const where: Prisma.Sql[] = [Prisma.sql`c."status" = 'active'`, tokenCondition];
    if (filter.suiteId) where.push(Prisma.sql`c."suiteId" = ${filter.suiteId}`);
    if (filter.status) where.push(Prisma.sql`c."status"::text = ${filter.status}`);
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      where.push(Prisma.sql`(c."corpId" = ${filter.q} OR c."corpName" ILIKE ${like} OR c."corpFullName" ILIKE ${like})`);
    }
    if (filter.editionId) where.push(Prisma.sql`c."editionInfo"->'agent' @> ${JSON.stringify([{ edition_id: filter.editionId }])}::jsonb`);
    if (filter.installedFrom) where.push(Prisma.sql`c."installedAt" >= ${filter.installedFrom}`);
    if (filter.installedTo) where.push(Prisma.sql`c."installedAt" < ${filter.installedTo}`);
    if (after) where.push(Prisma.sql`(c."installedAt" < ${after.installedAt} OR (c."installedAt" = ${after.installedAt} AND c."id" < ${after.id}::uuid))`);
    const rows = await this.prisma.client.$queryRaw<{ id: string }[]>`
      SELECT c."id"::text AS id FROM "AuthCorp" c
      LEFT JOIN "StoredToken" t ON t."kind" = 'corp' AND t."suiteId" = c."suiteId" AND t."corpId" = c."corpId"
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY c."installedAt" DESC, c."id" DESC
      LIMIT ${limit}`;
    if (!rows.length) return [];
    return this.prisma.client.authCorp.findMany({
      where: { id: { in: rows.map((r) => r.id) } },
      orderBy: [{ installedAt: 'desc' }, { id: 'desc' }],
      omit: { permanentCodeEnc: true },
    });
  }
}
