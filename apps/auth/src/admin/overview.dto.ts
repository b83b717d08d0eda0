import { ApiProperty } from '@nestjs/swagger';

export class CountsByCorpStatusDto {
  @ApiProperty() active: number;
  @ApiProperty() cancelled: number;
  @ApiProperty() suspended: number;
}

export class CountsByEventStatusDto {
  @ApiProperty() received: number;
  @ApiProperty() queued: number;
  @ApiProperty() processing: number;
  @ApiProperty() processed: number;
  @ApiProperty() failed: number;
}

export class DayActivityDto {
  @ApiProperty({ example: '2026-11-30', description: 'UTC day' }) day: string;
  @ApiProperty() installs: number;
  @ApiProperty() cancellations: number;
}

export class HourActivityDto {
  @ApiProperty({ description: 'Start of the UTC hour' }) hour: string;
  @ApiProperty({ description: 'Callbacks stored in the inbox' }) received: number;
  @ApiProperty({ description: 'Events the worker finished' }) processed: number;
}

export class EventsOverviewDto {
  @ApiProperty({ type: CountsByEventStatusDto }) byStatus: CountsByEventStatusDto;
  @ApiProperty({ description: 'Events not yet processed (received + queued + processing)' }) backlog: number;
  @ApiProperty({ description: 'Age in seconds of the oldest unprocessed event (0 when none)' }) oldestPendingAgeSeconds: number;
  @ApiProperty({ type: [HourActivityDto], description: 'The last 24 hours, oldest first, every hour present' }) perHour: HourActivityDto[];
}

export class SuiteTicketAgeDto {
  @ApiProperty() suiteId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: Date }) ticketReceivedAt: Date | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds since the latest suite_ticket arrived' }) ticketAgeSeconds: number | null;
  @ApiProperty({ description: 'Younger than 30 minutes: suite_access_token can be fetched' }) fresh: boolean;
}

export class TokenFreshnessOverviewDto {
  @ApiProperty({ description: 'Serve margin in seconds (TOKEN_SERVE_MARGIN_SECONDS)' }) marginSeconds: number;
  @ApiProperty({ description: 'At least the margin left' }) fresh: number;
  @ApiProperty({ description: 'Alive, within the margin: due for refresh' }) withinMargin: number;
  @ApiProperty() expired: number;
  @ApiProperty({ description: 'Active corps with no stored access_token' }) missing: number;
}

export class WebhookDeliveryOverviewDto {
  @ApiProperty({ description: 'Deliveries created in the last 24 hours and delivered' }) delivered: number;
  @ApiProperty({ description: '… that failed for good (retries exhausted, endpoint gone)' }) failed: number;
  @ApiProperty({ description: '… still owed (pending or being delivered)' }) pending: number;
  @ApiProperty({ nullable: true, type: Number, description: 'delivered / (delivered + failed), 0..1; null when none settled' }) successRate: number | null;
}

export class OverviewDto {
  @ApiProperty() generatedAt: Date;
  @ApiProperty({ type: CountsByCorpStatusDto }) tenants: CountsByCorpStatusDto;
  @ApiProperty({ type: [DayActivityDto], description: 'Installs and cancellations per UTC day, oldest first, every day present' }) perDay: DayActivityDto[];
  @ApiProperty({ type: EventsOverviewDto }) events: EventsOverviewDto;
  @ApiProperty({ type: [SuiteTicketAgeDto] }) suites: SuiteTicketAgeDto[];
  @ApiProperty({ type: TokenFreshnessOverviewDto, description: "Active corps' access_tokens" }) tokens: TokenFreshnessOverviewDto;
  @ApiProperty({ type: WebhookDeliveryOverviewDto, description: 'Webhook deliveries of the last 24 hours' }) webhooks: WebhookDeliveryOverviewDto;
}
