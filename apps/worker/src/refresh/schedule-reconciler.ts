import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthCorpRepository, StoredTokenRepository, SuiteRepository } from '@app/store';
import { RefreshSchedule, TokenKey, TokenKind } from '@app/tokens';
import { REFRESH_TIMING } from '../worker-tokens.js';
import { JSSDK_ACTIVE_WINDOW_MS } from './token-refresh.processor.js';
import { RefreshTiming } from './refresh-timing.js';

const PAGE = 1000;

export interface ReconcileReport {
  suites: number;
  corps: number;
  /** tokens that were missing from the due-time index and were added */
  added: number;
  ms: number;
}

/**
 * At start-up, makes sure every token that should be kept fresh is in the due-time index: each suite's
 * suite token, the provider token where the suite has provider credentials, every active corp's token and
 * the JS-SDK tickets of corps that used JS-SDK in the last 24 h. Walks the tenants in pages and adds only
 * what is missing (ZADD NX), so tokens already scheduled keep their time. A missing token is placed by its
 * stored expiry when PostgreSQL has one (Redis was lost), otherwise spread over the jitter window so a mass
 * install or a restart does not make everything due in the same second.
 */
@Injectable()
export class ScheduleReconciler {
  private readonly logger = new Logger('ScheduleReconcile');

  constructor(
    private readonly suites: SuiteRepository,
    private readonly corps: AuthCorpRepository,
    private readonly storedTokens: StoredTokenRepository,
    private readonly schedule: RefreshSchedule,
    @Inject(REFRESH_TIMING) private readonly timing: RefreshTiming,
  ) {}

  async reconcile(): Promise<ReconcileReport> {
    const started = Date.now();
    let added = 0;
    const suites = await this.suites.list();
    const suiteTokens: TokenKey[] = suites.flatMap((s) =>
      s.hasProviderSecret && s.providerCorpId ? [suiteKey('suite', s.suiteId), suiteKey('provider', s.suiteId)] : [suiteKey('suite', s.suiteId)],
    );
    added += await this.schedule.addMissing(
      await Promise.all(suiteTokens.map(async (token) => ({ token, dueMs: this.dueMs((await this.storedTokens.find(token))?.expiresAt) }))),
    );

    let corps = 0;
    let after: string | undefined;
    const recentJssdk = Date.now() - JSSDK_ACTIVE_WINDOW_MS;
    for (;;) {
      const page = await this.corps.pageActive(PAGE, after);
      if (!page.length) break;
      corps += page.length;
      after = page[page.length - 1].id;
      const entries: { token: TokenKey; dueMs: number }[] = [];
      for (const [suiteId, members] of groupBySuite(page)) {
        const corpIds = members.map((c) => c.corpId);
        const jssdkIds = members.filter((c) => c.jssdkUsedAt && c.jssdkUsedAt.getTime() > recentJssdk).map((c) => c.corpId);
        for (const kind of ['corp', 'jsapi', 'agent'] as const) {
          const ids = kind === 'corp' ? corpIds : jssdkIds;
          if (!ids.length) continue;
          const expiries = await this.storedTokens.corpTokenExpiries(suiteId, ids, kind);
          for (const corpId of ids) entries.push({ token: { kind, suiteId, corpId }, dueMs: this.dueMs(expiries.get(corpId)) });
        }
      }
      added += await this.schedule.addMissing(entries);
    }
    const report = { suites: suites.length, corps, added, ms: Date.now() - started };
    this.logger.log({ msg: 'refresh schedule reconciled', ...report });
    return report;
  }

  private dueMs(expiresAt: Date | undefined): number {
    return expiresAt ? this.schedule.dueTime(expiresAt) : Date.now() + Math.floor(Math.random() * (this.timing.jitterMs + 1));
  }
}

function suiteKey(kind: Extract<TokenKind, 'suite' | 'provider'>, suiteId: string): TokenKey {
  return { kind, suiteId };
}

function groupBySuite<T extends { suiteId: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.suiteId);
    if (group) group.push(row);
    else groups.set(row.suiteId, [row]);
  }
  return groups;
}
