import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, JobOf, QUEUE_OF_JOB, QueueName } from '@app/queues';
import { NotifyLicenseExpiryJob } from './jobs/notify-license-expiry.job.js';
import { ProcessCallbackEventJob } from './jobs/process-callback-event.job.js';
import { ReconcileLicensesJob } from './jobs/reconcile-licenses.job.js';
import { PurgeRetentionJob } from './jobs/purge-retention.job.js';
import { SweepInboxJob } from './jobs/sweep-inbox.job.js';
import { SweepDueTokensJob } from './jobs/sweep-due-tokens.job.js';
import { RefreshTokenJob } from './jobs/refresh-token.job.js';
import { ReconcileScheduleJob } from './jobs/reconcile-schedule.job.js';
import { DeliverWebhookJob } from './webhooks/deliver-webhook.job.js';
import { SweepWebhooksJob } from './webhooks/sweep-webhooks.job.js';

export type JobHandler<N extends JobName> = (job: Job<JobOf<N>, unknown, N>) => Promise<unknown>;
/** Exactly one handler per job name: the type makes it so, `checkJobHandlers` proves it at start-up. */
export type JobHandlers = { [N in JobName]: JobHandler<N> };

/** Throws, naming each job name without a handler and each handler without a job name. */
export function checkJobHandlers(handlers: Readonly<Record<string, unknown>>): void {
  const names = Object.keys(QUEUE_OF_JOB);
  const missing = names.filter((n) => typeof handlers[n] !== 'function');
  const unknown = Object.keys(handlers).filter((n) => !names.includes(n));
  if (missing.length || unknown.length) {
    throw new Error(`job handlers do not match job names: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`);
  }
}

/** The job names a queue's worker serves. */
export function jobNamesOf(queue: QueueName): JobName[] {
  return (Object.keys(QUEUE_OF_JOB) as JobName[]).filter((n) => QUEUE_OF_JOB[n] === queue);
}

/**
 * Every job name's one handler, in one place: the processors dispatch through it, and building it fails the
 * start-up when a job name has no handler (or a handler no job name).
 */
@Injectable()
export class WorkerJobs {
  readonly handlers: JobHandlers;

  constructor(
    refresh: RefreshTokenJob,
    sweeper: SweepDueTokensJob,
    events: ProcessCallbackEventJob,
    inbox: SweepInboxJob,
    deliver: DeliverWebhookJob,
    sweepWebhooks: SweepWebhooksJob,
    retention: PurgeRetentionJob,
    reconcileLicenses: ReconcileLicensesJob,
    licenseExpiry: NotifyLicenseExpiryJob,
    reconcile: ReconcileScheduleJob,
  ) {
    this.handlers = {
      'process-callback-event': (job) => events.handle(job),
      'refresh-suite-token': (job) => refresh.handle(job.name, job.data),
      'refresh-provider-token': (job) => refresh.handle(job.name, job.data),
      'refresh-corp-token': (job) => refresh.handle(job.name, job.data),
      'refresh-jsapi-ticket': (job) => refresh.handle(job.name, job.data),
      'refresh-agent-ticket': (job) => refresh.handle(job.name, job.data),
      'sweep-due-tokens': () => sweeper.sweep(),
      'reconcile-schedule': (job) => reconcile.handle(job),
      'sweep-inbox': () => inbox.sweep(),
      'purge-retention': () => retention.purge(),
      'deliver-webhook': (job) => deliver.handle(job),
      'sweep-webhooks': () => sweepWebhooks.handle(),
      'reconcile-licenses': () => reconcileLicenses.handle(),
      'notify-license-expiry': () => licenseExpiry.handle(),
    };
    checkJobHandlers(this.handlers);
  }
}
