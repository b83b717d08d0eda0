import { Injectable } from '@nestjs/common';
import type { Prisma } from './generated/prisma/client.js';
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
}

/** Tenants across suites for the console's search, newest install first, keyset-paginated by (installedAt, id). */
@Injectable()
export class CorpSearchRepository {
  constructor(private readonly prisma: PrismaService) {}

  async search(filter: CorpSearch, limit: number, after?: { installedAt: Date; id: string }): Promise<CorpRecord[]> {
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
}
