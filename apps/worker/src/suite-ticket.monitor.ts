import { Injectable, Logger } from '@nestjs/common';
import { SuiteRepository, SuiteTicketRepository } from '@app/store';
import { SUITE_TICKET_MAX_AGE_MS } from '@app/tokens';
import { WorkerMetrics } from './worker-metrics.js';

export interface SuiteTicketLapse {
  suiteId: string;
  /** null when the suite has never received a ticket */
  ticketAgeSeconds: number | null;
}

/**
 * No suite_ticket, no suite token: WeCom pushes a ticket every 10 minutes and it is good for 30. A suite
 * without a fresh one is surfaced (health detail, metric, one warning per lapse) and its token is not asked
 * for, rather than hammering WeCom with requests that can only fail.
 */
@Injectable()
export class SuiteTicketMonitor {
  private readonly logger = new Logger('SuiteTicket');
  private readonly warned = new Set<string>();

  constructor(
    private readonly suites: SuiteRepository,
    private readonly tickets: SuiteTicketRepository,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** A refresh found no usable ticket for this suite: warn the first time in a lapse. */
  noteMissing(suiteId: string, ticketAgeSeconds: number | null): void {
    if (this.warned.has(suiteId)) return;
    this.warned.add(suiteId);
    this.logger.warn({
      msg: 'suite has no fresh suite_ticket; its suite token will not be fetched until one arrives',
      suiteId,
      ticketAgeSeconds,
    });
  }

  /** A suite token was fetched: the suite has a usable ticket again, so a later lapse is warned about anew. */
  noteFetched(suiteId: string): void {
    if (this.warned.delete(suiteId)) this.logger.log({ msg: 'suite_ticket received again', suiteId });
  }

  /** Suites without a fresh ticket now; ends the lapse (and logs it) for suites that have one again. */
  async lapses(now = Date.now()): Promise<SuiteTicketLapse[]> {
    const [suiteIds, received] = await Promise.all([this.suites.listIds(), this.tickets.receivedTimes()]);
    const lapses: SuiteTicketLapse[] = [];
    for (const suiteId of suiteIds) {
      const at = received.get(suiteId);
      const ageMs = at ? now - at.getTime() : null;
      if (ageMs === null || ageMs > SUITE_TICKET_MAX_AGE_MS) {
        const ticketAgeSeconds = ageMs === null ? null : Math.round(ageMs / 1000);
        lapses.push({ suiteId, ticketAgeSeconds });
        this.noteMissing(suiteId, ticketAgeSeconds);
      } else if (this.warned.delete(suiteId)) {
        this.logger.log({ msg: 'suite_ticket received again', suiteId });
      }
    }
    this.metrics.suitesWithoutTicket.set(lapses.length);
    return lapses;
  }

  /** The ticket age of one suite, for the warning when a refresh is refused. */
  async ageSeconds(suiteId: string, now = Date.now()): Promise<number | null> {
    const at = (await this.tickets.receivedTimes()).get(suiteId);
    return at ? Math.round((now - at.getTime()) / 1000) : null;
  }
}
