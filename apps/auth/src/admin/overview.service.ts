import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { CallbackEventRepository, ConsoleStatsRepository, SuiteRepository, SuiteTicketRepository } from '@app/store';
import { SUITE_TICKET_MAX_AGE_MS } from '@app/tokens';
import type { OverviewDto } from './overview.dto.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The console's first screen: everything an operator checks when "our app stopped working" comes in. */
@Injectable()
export class OverviewService {
  constructor(
    private readonly stats: ConsoleStatsRepository,
    private readonly events: CallbackEventRepository,
    private readonly suites: SuiteRepository,
    private readonly tickets: SuiteTicketRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** `days`: how many UTC days of install history, today included. */
  async overview(days: number): Promise<OverviewDto> {
    const now = new Date();
    const firstDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
    const firstHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);
    const marginMs = this.config.TOKEN_SERVE_MARGIN_SECONDS * 1000;
    // One query after another: eight at once would take eight pool connections per request, and a few operators
    // refreshing the overview could starve the token API of connections.
    const tenants = await this.stats.corpsByStatus();
    const byStatus = await this.stats.eventsByStatus();
    const oldest = await this.events.oldestPendingAgeSeconds();
    const installs = await this.stats.installsPerDay(firstDay);
    const hourly = await this.stats.eventsPerHour(firstHour);
    const suites = await this.suites.list();
    const ticketTimes = await this.tickets.receivedTimes();
    const tokens = await this.stats.corpTokenFreshness(marginMs);
    const deliveries = await this.stats.webhookDeliveriesSince(new Date(now.getTime() - DAY_MS));
    const settled = deliveries.delivered + deliveries.failed;
    const installsByDay = new Map(installs.installs.map((d) => [d.day, d.count]));
    const cancelsByDay = new Map(installs.cancellations.map((d) => [d.day, d.count]));
    const receivedByHour = new Map(hourly.received.map((h) => [h.hour, h.count]));
    const processedByHour = new Map(hourly.processed.map((h) => [h.hour, h.count]));
    return {
      generatedAt: now,
      tenants,
      perDay: Array.from({ length: days }, (_, i) => {
        const day = new Date(firstDay.getTime() + i * DAY_MS).toISOString().slice(0, 10);
        return { day, installs: installsByDay.get(day) ?? 0, cancellations: cancelsByDay.get(day) ?? 0 };
      }),
      events: {
        byStatus,
        backlog: byStatus.received + byStatus.queued + byStatus.processing,
        oldestPendingAgeSeconds: Math.round(oldest),
        perHour: Array.from({ length: 24 }, (_, i) => {
          const hour = new Date(firstHour.getTime() + i * HOUR_MS).toISOString();
          return { hour, received: receivedByHour.get(hour) ?? 0, processed: processedByHour.get(hour) ?? 0 };
        }),
      },
      suites: suites.map((s) => {
        const at = ticketTimes.get(s.suiteId) ?? null;
        const age = at ? now.getTime() - at.getTime() : null;
        return { suiteId: s.suiteId, name: s.name, ticketReceivedAt: at, ticketAgeSeconds: age === null ? null : Math.round(age / 1000), fresh: age !== null && age < SUITE_TICKET_MAX_AGE_MS };
      }),
      tokens: { marginSeconds: this.config.TOKEN_SERVE_MARGIN_SECONDS, ...tokens },
      webhooks: { ...deliveries, successRate: settled ? deliveries.delivered / settled : null },
    };
  }
}
