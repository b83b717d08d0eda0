import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { RefreshJobName } from '@app/queues';
import { AuthCorpRepository } from '@app/store';
import { EXPIRES_IN_GRANULARITY_MS, RefreshSchedule, Token, TokenBroker, TokenKey, TokenUnavailableError } from '@app/tokens';
import { InvalidCredentialError, PermanentCodeInvalidError, RateLimitedError } from '@app/wecom';
import { SuiteTicketMonitor } from '../suite-ticket.monitor.js';
import { WorkerMetrics } from '../worker-metrics.js';
import { REFRESH_TIMING, RefreshTiming, tokenKeyOfJob } from '../refresh/refresh-timing.js';

/** JS-SDK tickets are kept fresh only for corps that asked for a signature this recently. */
export const JSSDK_ACTIVE_WINDOW_MS = 24 * 3600 * 1000;

export type RefreshResult = 'refreshed' | 'fresh' | 'dropped' | 'suspended' | 'unavailable';

/**
 * One refresh job: renew one token unless another process just did, and put its next refresh in the
 * due-time index. Tokens that can no longer be had (corp cancelled or suspended, suite or provider
 * credentials gone, JS-SDK unused for a day) leave the index; a suite without a ticket waits for one.
 */
@Injectable()
export class RefreshTokenJob {
  private readonly logger = new Logger('TokenRefresh');

  constructor(
    private readonly broker: TokenBroker,
    private readonly schedule: RefreshSchedule,
    private readonly corps: AuthCorpRepository,
    private readonly tickets: SuiteTicketMonitor,
    private readonly metrics: WorkerMetrics,
    @Inject(REFRESH_TIMING) private readonly timing: RefreshTiming,
  ) {}

  async handle(name: RefreshJobName, data: { suiteId: string; corpId?: string }): Promise<RefreshResult> {
    const key = tokenKeyOfJob(name, data);
    try {
      const result = await this.refresh(key);
      this.metrics.refreshJobs.inc({ kind: key.kind, result });
      return result;
    } catch (err) {
      this.metrics.refreshJobs.inc({ kind: key.kind, result: err instanceof RateLimitedError ? 'rate_limited' : 'failed' });
      if (err instanceof InvalidCredentialError) {
        // A wrong secret or a ticket WeCom no longer accepts: sending it again will not help. The lease
        // brings the token back later; the log line is for a human.
        this.logger.warn({ msg: 'token refresh refused by WeCom', ...ids(key), errcode: err.errcode });
        throw new UnrecoverableError(err.message);
      }
      throw err;
    }
  }

  private async refresh(key: TokenKey): Promise<RefreshResult> {
    if ((key.kind === 'jsapi' || key.kind === 'agent') && !(await this.jssdkActive(key))) {
      await this.schedule.remove([key]);
      return 'dropped';
    }
    const current = await this.broker.current(key);
    let token: Token;
    try {
      // Fetches only once the current token has (nearly) expired: before that WeCom would hand back the same one,
      // and a token another process has just renewed is left alone.
      token = await this.broker.refresh(key);
    } catch (err) {
      if (err instanceof TokenUnavailableError) return this.unavailable(key, err);
      throw err;
    }
    if (key.kind === 'suite') this.tickets.noteFetched(key.suiteId);
    const renewed = current === null || token.value !== current.value || token.expiresAt.getTime() !== current.expiresAt.getTime();
    if (renewed && current) this.observeExpiry(key, current);
    await this.scheduleNext(key, token);
    return renewed ? 'refreshed' : 'fresh';
  }

  /**
   * The next refresh: when this token expires (WeCom hands back the same one until then, so polling earlier is
   * wasted), and never sooner than a few seconds away, in case WeCom gave the same token back at its very end.
   */
  private async scheduleNext(key: TokenKey, token: Token): Promise<void> {
    const earliest = Date.now() + EXPIRES_IN_GRANULARITY_MS;
    const due = this.schedule.dueTime(token.expiresAt);
    await this.schedule.scheduleAt(key, Math.max(due, earliest));
  }

  private async unavailable(key: TokenKey, err: TokenUnavailableError): Promise<RefreshResult> {
    switch (err.reason) {
      case 'no_suite_ticket':
        // Leave the token in the index: the lease brings it back, and a new ticket makes it due at once.
        this.tickets.noteMissing(key.suiteId, await this.tickets.ageSeconds(key.suiteId).catch(() => null));
        return 'unavailable';
      case 'busy':
      case 'wecom_error':
        throw err;
      case 'corp_cancelled':
      case 'corp_suspended':
      case 'corp_inactive':
      case 'corp_not_found':
      case 'suite_not_found':
      case 'no_provider_credentials':
      case 'provider_not_found':
        await this.schedule.remove([key]);
        this.logger.log({ msg: 'token no longer refreshed', ...ids(key), reason: err.reason });
        // The broker has marked the corp suspended, with the reason, when WeCom rejected its permanent code.
        return err.cause instanceof PermanentCodeInvalidError ? 'suspended' : 'dropped';
    }
  }

  private async jssdkActive(key: TokenKey): Promise<boolean> {
    const corp = key.corpId ? await this.corps.find(key.suiteId, key.corpId) : null;
    return corp !== null && corp.status === 'active' && corp.jssdkUsedAt !== null && Date.now() - corp.jssdkUsedAt.getTime() < JSSDK_ACTIVE_WINDOW_MS;
  }

  /**
   * Tokens are renewed just after they expire (WeCom hands out no other before): late means later than the due
   * time allows (granularity + jitter) plus a lease — the sweep or the queue fell behind.
   */
  private observeExpiry(key: TokenKey, previous: Token): void {
    const leftSeconds = (previous.expiresAt.getTime() - Date.now()) / 1000;
    this.metrics.timeToExpiry.observe({ kind: key.kind }, leftSeconds);
    const allowedMs = EXPIRES_IN_GRANULARITY_MS + this.timing.jitterMs + this.timing.leaseMs;
    if (-leftSeconds * 1000 > allowedMs) {
      this.metrics.refreshedAfterExpiry.inc({ kind: key.kind });
      this.logger.warn({ msg: 'token was renewed late after it expired', ...ids(key), secondsLate: -leftSeconds });
    }
  }
}

function ids(key: TokenKey): { kind: string; suiteId: string; corpId?: string } {
  return { kind: key.kind, suiteId: key.suiteId, corpId: key.corpId };
}
