import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { HealthCheck, HealthCheckResult } from '@app/platform';
import { QueueName } from '@app/queues';
import { CallbackEventRepository } from '@app/store';
import { RefreshSchedule } from '@app/tokens';
import { SuiteTicketMonitor } from './suite-ticket.monitor.js';

/**
 * The inbox backlog, in detail. It does not fail health: a backlog means WeCom or the database is slow or a
 * handler keeps failing, which restarting the worker would not fix.
 */
@Injectable()
export class InboxHealthCheck implements HealthCheck {
  readonly name = 'inbox';

  constructor(
    private readonly events: CallbackEventRepository,
    @InjectQueue(QueueName.CallbackEvents) private readonly queue: Queue,
  ) {}

  async check(): Promise<HealthCheckResult> {
    const [oldestPendingAgeSeconds, jobs] = await Promise.all([
      this.events.oldestPendingAgeSeconds(),
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
    ]);
    return { ok: true, detail: { oldestPendingAgeSeconds: Math.round(oldestPendingAgeSeconds), jobs } };
  }
}

/**
 * Suites without a fresh suite_ticket and the state of the due-time index. A stale ticket is reported, not
 * failed on: it is WeCom's push (or the callback URL) that needs attention, not this process.
 */
@Injectable()
export class TokenHealthCheck implements HealthCheck {
  readonly name = 'tokens';

  constructor(
    private readonly tickets: SuiteTicketMonitor,
    private readonly schedule: RefreshSchedule,
    @InjectQueue(QueueName.TokenRefresh) private readonly queue: Queue,
  ) {}

  async check(): Promise<HealthCheckResult> {
    const now = Date.now();
    const [lapses, scheduled, dueNow, jobs] = await Promise.all([
      this.tickets.lapses(now),
      this.schedule.size(),
      this.schedule.countDue(now),
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    ]);
    return {
      ok: true,
      detail: { suitesWithoutFreshTicket: lapses, scheduledTokens: scheduled, dueNow, refreshJobs: jobs },
    };
  }
}
