import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobOf } from '@app/queues';
import { RefreshSchedule } from '@app/tokens';
import { ReconcileCursor, ReconcileReport, ScheduleReconciler } from '../refresh/schedule-reconciler.js';

/**
 * How long the "reconciled" marker outlives the last running worker (ms). Running workers extend it every third
 * of this; once every worker has been gone this long, the next start walks again (tenants stored while no worker
 * ran are then scheduled). A Redis that loses its data loses the marker with the index, so the walk runs again.
 */
export const RECONCILED_MARKER_TTL_MS = 60_000;

/**
 * The `reconcile-schedule` job: one walk of the tenants per cluster that refills the due-time index
 * (ScheduleReconciler). There is one job id (RECONCILE_SCHEDULE_JOB_ID), so replicas starting together add one
 * job and one of them runs it. The cursor is the job's progress, saved after each page: a replica killed mid-walk
 * loses its lock, BullMQ hands the job to another (stalled), which goes on from the cursor; a replica stopped by
 * SIGTERM fails the attempt and the retry goes on from the cursor too. When it finishes it sets the marker, and a
 * job that finds the marker set (a duplicate added just after a walk finished) does nothing.
 */
@Injectable()
export class ReconcileScheduleJob {
  private readonly logger = new Logger('ScheduleReconcile');
  private readonly stopping = new AbortController();

  constructor(
    private readonly reconciler: ScheduleReconciler,
    private readonly schedule: RefreshSchedule,
  ) {}

  /** Returns the walk's report, or null when the marker says this Redis was already reconciled. Throws when stopped mid-walk. */
  async handle(job: Job<JobOf<'reconcile-schedule'>>): Promise<ReconcileReport | null> {
    if (await this.schedule.isReconciled()) {
      this.logger.log({ msg: 'refresh schedule already reconciled; not walking again' });
      return null;
    }
    const progress = job.progress;
    const resume = typeof progress === 'object' && progress !== null && 'corps' in progress ? (progress as unknown as ReconcileCursor) : undefined;
    const report = await this.reconciler.reconcile(this.stopping.signal, resume, (cursor) => job.updateProgress({ ...cursor }));
    if (report.stopped) throw new Error('schedule reconciliation stopped by shutdown; a retry goes on from the saved cursor');
    await this.schedule.markReconciled(RECONCILED_MARKER_TTL_MS);
    return report;
  }

  /** Shutdown: ends a running walk after its current page (the cursor is saved). */
  stop(): void {
    this.stopping.abort();
  }
}
