import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { enqueueTokenRefreshes, QueueName, RefreshJob } from '@app/queues';
import { RefreshSchedule } from '@app/tokens';
import { WorkerMetrics } from '../worker-metrics.js';
import { REFRESH_TIMING, refreshJobFor, RefreshTiming } from '../refresh/refresh-timing.js';

const BATCH = 1000;

/**
 * The `sweep-due-tokens` tick: moves due tokens from the due-time index into refresh jobs. Each batch is one
 * Lua call (ZRANGEBYSCORE … LIMIT, then one ZADD per member taken) and one addBulk, so a tick costs
 * O(log N + due) in Redis whatever the number of tenants N. One scheduler, any number of workers: the
 * take is atomic, so each due token is taken by one sweep, and its job id collapses any duplicate.
 */
@Injectable()
export class SweepDueTokensJob {
  private readonly logger = new Logger('RefreshSweep');

  constructor(
    private readonly schedule: RefreshSchedule,
    @InjectQueue(QueueName.TokenRefresh) private readonly queue: Queue,
    @Inject(REFRESH_TIMING) private readonly timing: RefreshTiming,
    private readonly metrics: WorkerMetrics,
  ) {}

  async sweep(now = Date.now()): Promise<{ taken: number }> {
    const stop = this.metrics.sweepDuration.startTimer();
    let taken = 0;
    try {
      while (taken < this.timing.takeLimit) {
        const members = await this.schedule.takeDue(now, Math.min(BATCH, this.timing.takeLimit - taken), this.timing.leaseMs);
        taken += members.length;
        await enqueueTokenRefreshes(this.queue, this.toJobs(members));
        if (members.length < BATCH) break;
      }
    } finally {
      stop();
      this.metrics.sweepTaken.inc(taken);
    }
    return { taken };
  }

  private toJobs(members: readonly string[]): RefreshJob[] {
    const jobs: RefreshJob[] = [];
    for (const member of members) {
      const job = refreshJobFor(member);
      if (job) jobs.push(job);
      else {
        this.logger.warn({ msg: 'dropping a malformed member of the due-time index', member });
        void this.schedule.removeMembers([member]).catch(() => undefined);
      }
    }
    return jobs;
  }
}
