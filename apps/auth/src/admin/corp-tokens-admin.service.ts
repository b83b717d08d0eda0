import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { ConsoleStatsRepository } from '@app/store';
import { TokenBroker } from '@app/tokens';
import { AuthAppError } from '../auth-errors.js';
import { TokenApiService } from '../token-api/token-api.service.js';
import type { CorpTokensDto } from './corp-search.dto.js';

const KINDS = ['corp', 'jsapi', 'agent'] as const;

/** A tenant's stored tokens for the console: expiries and freshness, never values; "refresh now". */
@Injectable()
export class CorpTokensAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly stats: ConsoleStatsRepository,
    private readonly broker: TokenBroker,
    private readonly tokens: TokenApiService,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async list(suiteId: string, corpId: string): Promise<CorpTokensDto> {
    await this.tokens.activeCorp(suiteId, corpId).catch((err: unknown) => {
      // Inactive corps still show their (dead) tokens; an unknown corp or suite (or a failing store) is an error here.
      if (!(err instanceof AuthAppError && (err.code === 'corp_cancelled' || err.code === 'corp_suspended'))) throw err;
    });
    const rows = new Map((await this.stats.corpTokens(suiteId, corpId)).map((r) => [r.kind, r]));
    const marginMs = this.config.TOKEN_SERVE_MARGIN_SECONDS * 1000;
    return {
      items: KINDS.map((kind) => {
        const row = rows.get(kind);
        return { kind, expiresAt: row?.expiresAt ?? null, updatedAt: row?.updatedAt ?? null, fresh: !!row && row.expiresAt.getTime() - Date.now() >= marginMs };
      }),
    };
  }

  /**
   * Drops the stored token and fetches a new one from WeCom now (single-flight with every other process).
   * Errors are the token API's: corp_cancelled, corp_suspended, no_suite_ticket, wecom_error, …
   */
  async refresh(suiteId: string, corpId: string, kind: (typeof KINDS)[number]): Promise<CorpTokensDto> {
    await this.tokens.activeCorp(suiteId, corpId);
    const key = { kind, suiteId, corpId };
    await this.broker.invalidate(key);
    await this.tokens.get(key);
    this.logger.log({ msg: 'token refreshed from the console', suiteId, corpId, kind });
    return this.list(suiteId, corpId);
  }
}
