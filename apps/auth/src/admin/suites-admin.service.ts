import { Injectable, Logger } from '@nestjs/common';
import { SuiteRepository, SuiteSummary, SuiteTicketRepository } from '@app/store';
import { SUITE_TICKET_MAX_AGE_MS } from '@app/tokens';
import { suiteNotFound } from '../auth-errors.js';
import { decodeCursor, Page, pageOf } from '../common/page.js';
import { RegisterSuiteDto, SuiteDetailDto, SuiteDto } from './suite.dto.js';

/** Suites as the admin console sees them: credentials go in, never come out. */
@Injectable()
export class SuitesAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly suites: SuiteRepository,
    private readonly tickets: SuiteTicketRepository,
  ) {}

  /** Registers a suite, or replaces the settings and credentials of one already registered. */
  async register(input: RegisterSuiteDto): Promise<SuiteDto> {
    const saved = await this.suites.upsert({
      suiteId: input.suiteId,
      name: input.name,
      secret: input.secret,
      token: input.token,
      encodingAesKey: input.encodingAesKey,
      successUrl: input.successUrl ?? null,
      defaultAuthType: input.defaultAuthType,
      providerCorpId: input.providerCorpId ?? null,
      providerSecret: input.providerSecret ?? null,
      redirectOrigins: (input.redirectOrigins ?? []).map((o) => new URL(o).origin),
      logoUrl: input.logoUrl ?? null,
      description: input.description ?? null,
      customizedApp: input.customizedApp,
    });
    this.logger.log({ msg: 'suite registered', suiteId: saved.suiteId });
    return present(saved);
  }

  list(limit: number | undefined, cursor: string | undefined): Promise<Page<SuiteDto>> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, ['id']).id;
    return pageOf(limit, (take) => this.suites.page(take, after), present, (s) => ({ id: s.suiteId }));
  }

  async show(suiteId: string): Promise<SuiteDetailDto> {
    const suite = await this.suites.find(suiteId);
    if (!suite) throw suiteNotFound(suiteId);
    const ticket = await this.tickets.find(suiteId);
    const receivedAt = ticket?.receivedAt ?? null;
    return {
      ...present(suite),
      suiteTicket: { receivedAt, fresh: receivedAt !== null && Date.now() - receivedAt.getTime() < SUITE_TICKET_MAX_AGE_MS },
    };
  }
}

function present(s: SuiteSummary): SuiteDto {
  return {
    suiteId: s.suiteId,
    name: s.name,
    successUrl: s.successUrl,
    defaultAuthType: s.defaultAuthType,
    providerCorpId: s.providerCorpId,
    hasProviderSecret: s.hasProviderSecret,
    redirectOrigins: s.redirectOrigins,
    logoUrl: s.logoUrl,
    description: s.description,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
