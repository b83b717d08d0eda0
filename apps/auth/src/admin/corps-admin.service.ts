import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { AuthCorpRepository, CorpRecord, CorpSearchRepository, StoredTokenRepository, SuiteRepository } from '@app/store';
import { AuthAppError, suiteNotFound } from '../auth-errors.js';
import { decodeCursor, Page, pageOf, parseDate } from '../common/page.js';
import type { CorpSearchQueryDto, TenantDto } from './corp-search.dto.js';
import { AgentDto, CorpDetailDto, CorpStatusName, CorpSummaryDto } from './corp.dto.js';

/** A suite's tenants, newest install first, with how fresh each one's stored token is. */
@Injectable()
export class CorpsAdminService {
  constructor(
    private readonly suites: SuiteRepository,
    private readonly corps: AuthCorpRepository,
    private readonly storedTokens: StoredTokenRepository,
    private readonly searchRepo: CorpSearchRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** "Fresh" means the token API could serve it without asking WeCom. */
  private summary(corp: CorpRecord, tokenExpiresAt: Date | null): CorpSummaryDto {
    const fresh = tokenExpiresAt !== null && tokenExpiresAt.getTime() - Date.now() >= this.config.TOKEN_SERVE_MARGIN_SECONDS * 1000;
    return { corpId: corp.corpId, corpName: corp.corpName, status: corp.status, installedAt: corp.installedAt, token: { expiresAt: tokenExpiresAt, fresh } };
  }

  async list(suiteId: string, query: { status?: CorpStatusName; limit?: number; cursor?: string }): Promise<Page<CorpSummaryDto>> {
    await this.requireSuite(suiteId);
    const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['installedAt', 'id']);
    const after = position && { installedAt: parseDate(position.installedAt), id: position.id };
    let expiries = new Map<string, Date>();
    const page = await pageOf(
      query.limit,
      async (take) => {
        const rows = await this.corps.list(suiteId, { status: query.status, limit: take, after });
        // One query for the whole page's token expiries, not one per corp.
        expiries = await this.storedTokens.corpTokenExpiries(suiteId, rows.map((r) => r.corpId));
        return rows;
      },
      (row) => row,
      (row) => ({ installedAt: row.installedAt.toISOString(), id: row.id }),
    );
    return { items: page.items.map((row) => this.summary(row, expiries.get(row.corpId) ?? null)), nextCursor: page.nextCursor };
  }

  /** Tenants of every suite matching the console's search, newest install first. */
  async search(query: CorpSearchQueryDto): Promise<Page<TenantDto>> {
    const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['installedAt', 'id']);
    const after = position && { installedAt: parseDate(position.installedAt), id: position.id };
    const filter = {
      q: query.q,
      suiteId: query.suiteId,
      status: query.status,
      editionId: query.editionId,
      installedFrom: query.installedFrom ? new Date(query.installedFrom) : undefined,
      installedTo: query.installedTo ? new Date(query.installedTo) : undefined,
      tokenState: query.tokenState && { state: query.tokenState, marginMs: this.config.TOKEN_SERVE_MARGIN_SECONDS * 1000 },
    };
    const page = await pageOf(query.limit, (take) => this.searchRepo.search(filter, take, after), (row) => row, (row) => ({ installedAt: row.installedAt.toISOString(), id: row.id }));
    const expiries = new Map<string, Date>();
    // One query per suite on the page for token expiries, not one per corp.
    for (const suiteId of new Set(page.items.map((r) => r.suiteId))) {
      const found = await this.storedTokens.corpTokenExpiries(suiteId, page.items.filter((r) => r.suiteId === suiteId).map((r) => r.corpId));
      for (const [corpId, at] of found) expiries.set(`${suiteId}|${corpId}`, at);
    }
    return {
      items: page.items.map((row) => ({ ...this.summary(row, expiries.get(`${row.suiteId}|${row.corpId}`) ?? null), suiteId: row.suiteId, corpFullName: row.corpFullName })),
      nextCursor: page.nextCursor,
    };
  }

  async show(suiteId: string, corpId: string): Promise<CorpDetailDto> {
    await this.requireSuite(suiteId);
    const corp = await this.corps.find(suiteId, corpId);
    if (!corp) throw new AuthAppError('corp_not_found', `corp ${corpId} has not authorized suite ${suiteId}`);
    const expiry = (await this.storedTokens.corpTokenExpiries(suiteId, [corpId])).get(corpId) ?? null;
    return {
      ...this.summary(corp, expiry),
      corpFullName: corp.corpFullName,
      statusReason: corp.statusReason,
      agentId: corp.agentId,
      updatedAt: corp.updatedAt,
      cancelledAt: corp.cancelledAt,
      jssdkUsedAt: corp.jssdkUsedAt,
      agents: agentsOf(corp.authInfo),
      authCorpInfo: corp.authCorpInfo,
      authInfo: corp.authInfo,
      authUserInfo: corp.authUserInfo,
      editionInfo: corp.editionInfo,
      dealerCorpInfo: corp.dealerCorpInfo,
      registerCodeInfo: corp.registerCodeInfo,
    };
  }

  private async requireSuite(suiteId: string): Promise<void> {
    if (!(await this.suites.find(suiteId))) throw suiteNotFound(suiteId);
  }
}


/** auth_info.agent[] as stored (WeCom's snake_case), reduced to what a console shows. */
function agentsOf(authInfo: unknown): AgentDto[] {
  const agents = isObject(authInfo) && Array.isArray(authInfo['agent']) ? authInfo['agent'] : [];
  return agents.filter(isObject).flatMap((a) => {
    if (typeof a['agentid'] !== 'number') return [];
    const agent: AgentDto = { agentId: a['agentid'] };
    if (typeof a['name'] === 'string') agent.name = a['name'];
    if (typeof a['auth_mode'] === 'number') agent.authMode = a['auth_mode'];
    if (isObject(a['privilege'])) agent.privilege = a['privilege'];
    return [agent];
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
