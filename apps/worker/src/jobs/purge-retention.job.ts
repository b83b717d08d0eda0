import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, WorkerConfig } from '@app/config';
import { RetentionRepository } from '@app/store';

const BATCH = 1000;
/** Bounds one tick's work; what is left goes at the next tick. */
const MAX_BATCHES_PER_KIND = 50;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface PurgeReport {
  events: number;
  installSessions: number;
  authCodeClaims: number;
}

/**
 * The `purge-retention` tick: deletes finished inbox events older than INBOX_RETENTION_DAYS, install sessions
 * expired more than INSTALL_SESSION_RETENTION_HOURS ago and auth_code claims older than AUTH_CODE_CLAIM_RETENTION_DAYS,
 * in batches of 1,000 rows, so the inbox can take millions of events a day without growing for ever.
 */
@Injectable()
export class PurgeRetentionJob {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly retention: RetentionRepository,
    @Inject(APP_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async purge(now = Date.now()): Promise<PurgeReport> {
    const report: PurgeReport = {
      events: await drain((limit) => this.retention.deleteFinishedEvents(new Date(now - this.config.INBOX_RETENTION_DAYS * DAY_MS), limit)),
      installSessions: await drain((limit) =>
        this.retention.deleteExpiredInstallSessions(new Date(now - this.config.INSTALL_SESSION_RETENTION_HOURS * HOUR_MS), limit),
      ),
      authCodeClaims: await drain((limit) => this.retention.deleteAuthCodeClaims(new Date(now - this.config.AUTH_CODE_CLAIM_RETENTION_DAYS * DAY_MS), limit)),
    };
    if (report.events || report.installSessions || report.authCodeClaims) this.logger.log({ msg: 'retention purge', ...report });
    return report;
  }
}

async function drain(step: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES_PER_KIND; i++) {
    const deleted = await step(BATCH);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}
