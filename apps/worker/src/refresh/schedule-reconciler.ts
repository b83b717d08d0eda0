import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { AuthCorpRepository, ProviderRepository, StoredTokenRepository, SuiteRepository } from '@app/store';
import { providerTokenKey, RefreshSchedule, TokenKey, TokenKind } from '@app/tokens';
import { JSSDK_ACTIVE_WINDOW_MS } from '../jobs/refresh-token.job.js';
import { REFRESH_TIMING, RefreshTiming } from './refresh-timing.js';

/** Where a walk stands: the last corp row id done (`after`), with the counts so far. Saved after each page. */
export interface ReconcileCursor {
  after?: string;
  corps: number;
  added: number;
}

export interface ReconcileReport {
  suites: number;
  corps: number;
  /** tokens that were missing from the due-time index and were added */
  added: number;
  ms: number;
  /** the walk went on from a cursor left by an earlier, interrupted one (another replica, killed mid-walk) */
  resumed: boolean;
  /** corps the interrupted walk had done before this one went on (0 when not resumed) */
  resumedAt: number;
  /** stopped by `stop` before the last page; the cursor says where to go on */
  stopped: boolean;
}

/**
 * At start-up, makes sure every token that should be kept fresh is in the due-time index: each suite's
 * suite token, each provider's token where a provider_secret is registered (one per provider), every active corp's token and
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
    private readonly providers: ProviderRepository,
    private readonly corps: AuthCorpRepository,
    private readonly storedTokens: StoredTokenRepository,
    private readonly schedule: RefreshSchedule,
    @Inject(REFRESH_TIMING) private readonly timing: RefreshTiming,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  /**
   * `stop` ends the walk between pages (shutdown); what was added stays. `resume` goes on after an interrupted
   * walk's cursor (the suites and providers, a handful, are checked again); `onPage` is given the cursor after
   * each page of RECONCILE_PAGE_SIZE corps, to save it.
   */
  async reconcile(stop?: AbortSignal, resume?: ReconcileCursor, onPage?: (cursor: ReconcileCursor) => Promise<void>): Promise<ReconcileReport> {
    const started = Date.now();
    let added = resume?.added ?? 0;
    const suites = await this.suites.list();
    const providerCorpIds = await this.providers.listWithSecret();
    const suiteTokens = await this.schedule.missing([...suites.map((s) => suiteKey(s.suiteId)), ...providerCorpIds.map(providerTokenKey)]);
    added += await this.schedule.addMissing(
      await Promise.all(suiteTokens.map(async (token) => ({ token, dueMs: this.dueMs((await this.storedTokens.find(token))?.expiresAt) }))),
    );

    let corps = resume?.corps ?? 0;
    let after: string | undefined = resume?.after;
    const recentJssdk = Date.now() - JSSDK_ACTIVE_WINDOW_MS;
    while (!stop?.aborted) {
      const page = await this.corps.pageActive(this.config.RECONCILE_PAGE_SIZE, after);
      if (!page.length) break;
      corps += page.length;
      after = page[page.length - 1].id;
      const wanted: TokenKey[] = [];
      for (const c of page) {
        wanted.push({ kind: 'corp', suiteId: c.suiteId, corpId: c.corpId });
        if (c.jssdkUsedAt && c.jssdkUsedAt.getTime() > recentJssdk) {
          wanted.push({ kind: 'jsapi', suiteId: c.suiteId, corpId: c.corpId }, { kind: 'agent', suiteId: c.suiteId, corpId: c.corpId });
        }
      }
      // A restart with Redis intact finds everything present and reads no expiries at all.
      const missing = await this.schedule.missing(wanted);
      const entries: { token: TokenKey; dueMs: number }[] = [];
      for (const [group, tokens] of groupBy(missing, (t) => `${t.kind}|${t.suiteId}`)) {
        const [kind, suiteId] = group.split('|') as [TokenKind, string];
        const expiries = await this.storedTokens.corpTokenExpiries(suiteId, tokens.map((t) => t.corpId!), kind);
        for (const token of tokens) entries.push({ token, dueMs: this.dueMs(expiries.get(token.corpId!)) });
      }
      added += await this.schedule.addMissing(entries);
      await onPage?.({ after, corps, added });
    }
    const report = { suites: suites.length, corps, added, ms: Date.now() - started, resumed: resume !== undefined, resumedAt: resume?.corps ?? 0, stopped: stop?.aborted ?? false };
    if (report.stopped) this.logger.log({ msg: 'refresh schedule reconciliation stopped by shutdown', ...report });
    else this.logger.log({ msg: 'refresh schedule reconciled', ...report });
    return report;
  }

  private dueMs(expiresAt: Date | undefined): number {
    return expiresAt ? this.schedule.dueTime(expiresAt) : Date.now() + Math.floor(Math.random() * (this.timing.jitterMs + 1));
  }
}

function suiteKey(suiteId: string): TokenKey {
  return { kind: 'suite', suiteId };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
