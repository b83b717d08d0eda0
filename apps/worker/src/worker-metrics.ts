import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MetricsRegistry } from '@app/platform';

/** Time-to-expiry buckets (seconds): the refresh margin sits at 900, the serve margin at 300. */
const EXPIRY_BUCKETS = [0, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200];
const LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** The worker's own metrics; gauges that need a query (queue depths, inbox age) are read at scrape time. */
@Injectable()
export class WorkerMetrics {
  readonly registry: Registry;
  /** One per WeCom token fetch (TokenBroker.onFetch). */
  readonly tokenFetches: Counter<'kind' | 'outcome'>;
  /** One per refresh job: refreshed, fresh (another process had renewed it), dropped, unavailable, rate_limited, failed. */
  readonly refreshJobs: Counter<'kind' | 'result'>;
  readonly timeToExpiry: Histogram<'kind'>;
  readonly refreshedAfterExpiry: Counter<'kind'>;
  readonly sweepDuration: Histogram;
  readonly sweepTaken: Counter;
  readonly wecomCalls: Counter<'path' | 'outcome'>;
  readonly rateLimited: Counter<'queue'>;
  readonly eventsProcessed: Counter<'type' | 'outcome'>;
  readonly eventLatency: Histogram<'type'>;
  readonly eventAttemptDuration: Histogram<'type'>;
  readonly suitesWithoutTicket: Gauge;
  readonly licenseUnlicensedMembers: Gauge;
  readonly licenseExpiringSoon: Gauge;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.registry = metrics.registry;
    this.tokenFetches = new Counter({
      name: 'wecom_token_refreshes_total',
      help: 'Token fetches from WeCom, by token kind and outcome (ok, error)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.refreshJobs = new Counter({
      name: 'wecom_refresh_jobs_total',
      help: 'Refresh jobs by token kind and result (refreshed, fresh, dropped, unavailable, rate_limited, failed)',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.timeToExpiry = new Histogram({
      name: 'wecom_token_time_to_expiry_seconds',
      help: 'Time the current token had left when its refresh job ran (0 or below: it went stale)',
      labelNames: ['kind'],
      buckets: EXPIRY_BUCKETS,
      registers,
    });
    this.refreshedAfterExpiry = new Counter({
      name: 'wecom_tokens_refreshed_after_expiry_total',
      help: 'Renewals later than due after the token expired (due: expiry + 1 s + jitter; should stay 0)',
      labelNames: ['kind'],
      registers,
    });
    this.sweepDuration = new Histogram({
      name: 'wecom_refresh_sweep_duration_seconds',
      help: 'Time one sweep of the due-time index took (take due tokens + queue their jobs)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.sweepTaken = new Counter({
      name: 'wecom_refresh_sweep_taken_total',
      help: 'Tokens taken from the due-time index by sweeps',
      registers,
    });
    this.wecomCalls = new Counter({
      name: 'wecom_api_calls_total',
      help: 'HTTP attempts against WeCom by path and outcome',
      labelNames: ['path', 'outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'wecom_rate_limited_total',
      help: 'Times WeCom answered 45009 and a queue was paused',
      labelNames: ['queue'],
      registers,
    });
    this.eventsProcessed = new Counter({
      name: 'wecom_callback_events_processed_total',
      help: 'Callback event jobs by event type and outcome (processed, duplicate, retry, failed)',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.eventLatency = new Histogram({
      name: 'wecom_callback_event_latency_seconds',
      help: 'From receipt of a callback to the end of its processing',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.eventAttemptDuration = new Histogram({
      name: 'wecom_callback_event_processing_seconds',
      help: 'Duration of one processing attempt of a callback event',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.suitesWithoutTicket = new Gauge({
      name: 'wecom_suites_without_fresh_ticket',
      help: 'Suites whose suite_ticket is missing or older than 30 minutes (no suite token can be fetched)',
      registers,
    });
    this.licenseUnlicensedMembers = new Gauge({
      name: 'wecom_license_unlicensed_members',
      help: 'Members WeCom reported using an app without a valid account license (unlicensed_notify), not licensed since; alert when > 0',
      registers,
    });
    this.licenseExpiringSoon = new Gauge({
      name: 'wecom_license_accounts_expiring_7d',
      help: 'Valid account licenses expiring within 7 days, all tenants',
      registers,
    });
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gaugeAtScrape<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<Array<{ labels: Partial<Record<L, string>>; value: number }>>,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { labels, value } of await read()) this.set(labels, value);
      },
    });
  }
}
