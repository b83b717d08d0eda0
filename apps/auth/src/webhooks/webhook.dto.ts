import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPE_PATTERN } from '@app/events';
import { WECOM_ID } from '../common/ids.js';
import { PageQueryDto } from '../common/page.js';

const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class EndpointSettingsDto {
  @ApiPropertyOptional({ description: 'What this endpoint is for', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ description: 'Event types: exact (`message.text`), `prefix.*` wildcards, or `*`; empty or absent = every type', example: ['tenant.*', 'contact.*'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: 'eventTypes must hold types like contact.user.created, prefixes like contact.*, or *' })
  eventTypes?: string[];

  @ApiPropertyOptional({ description: 'Only these corps; empty or absent = every corp', example: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(WECOM_ID, { each: true, message: 'corpIds must be 1-64 characters [A-Za-z0-9_-]' })
  corpIds?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Deliver each corp\'s events one at a time, in order (the next waits until the previous is delivered or failed)' })
  @IsOptional()
  @IsBoolean()
  orderedByCorp?: boolean;

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 200, description: 'Deliveries in flight at once to this endpoint' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  maxConcurrency?: number;
}

export class CreateEndpointDto extends EndpointSettingsDto {
  @ApiProperty({ description: 'https URL (http only with WEBHOOK_ALLOW_HTTP); private addresses only if WEBHOOK_ALLOW_PRIVATE_TARGETS lists them', example: 'https://crm.example.com/wecom-events' })
  @IsString()
  @MaxLength(2048)
  url: string;
}

export class UpdateEndpointDto extends EndpointSettingsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ default: 86400, minimum: 0, maximum: 604800, description: 'Seconds during which the old secret keeps signing too (0 = at once)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(604_800)
  overlapSeconds?: number;
}

export class ReplayDto {
  @ApiProperty({ description: 'Every event of the endpoint\'s suite published at or after this time (ISO) is sent again', example: '2026-11-30T00:00:00Z' })
  @IsISO8601({ strict: true })
  since: string;
}

export class EndpointParams {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'id must be a UUID' })
  id: string;
}

export class DeliveryParams {
  @ApiProperty({ description: 'Delivery id', example: '42' })
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'id must be a positive integer' })
  id: string;
}

export class DeliveryListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only the delivery of this event', example: 'evt_42' })
  @IsOptional()
  @Matches(/^evt_[1-9][0-9]{0,18}$/, { message: 'eventId must look like evt_42' })
  eventId?: string;
}

export class EndpointDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() suiteId: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String] }) eventTypes: string[];
  @ApiProperty({ type: [String] }) corpIds: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Why the platform disabled it (410 Gone, failing for days)' }) disabledReason: string | null;
  @ApiProperty({ nullable: true, type: Date }) disabledAt: Date | null;
  @ApiProperty() orderedByCorp: boolean;
  @ApiProperty() maxConcurrency: number;
  @ApiProperty({ description: 'A rotation overlap is running: two signatures are sent' }) rotating: boolean;
  @ApiProperty({ nullable: true, type: Date }) previousSecretExpiresAt: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Start of the current run of failed attempts' }) failingSince: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class EndpointWithSecretDto extends EndpointDto {
  @ApiProperty({ description: 'The signing secret (`whsec_…`): shown once, store it now', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret: string;
}

export class EndpointListDto {
  @ApiProperty({ type: [EndpointDto] }) items: EndpointDto[];
}

export class DeliveryDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ example: 'evt_42' }) eventId: string;
  @ApiProperty() suiteId: string;
  @ApiProperty({ nullable: true, type: String }) corpId: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ description: 'Attempts since creation or the last resend' }) attempts: number;
  @ApiProperty({ description: 'Next attempt (pending), or end of the current claim (delivering)' }) nextAttemptAt: Date;
  @ApiProperty({ nullable: true, type: Number }) lastStatus: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) deliveredAt: Date | null;
}

export class AttemptDto {
  @ApiProperty() attemptedAt: Date;
  @ApiProperty({ nullable: true, type: Number, description: 'HTTP status; null when no answer came' }) status: number | null;
  @ApiProperty() durationMs: number;
  @ApiProperty({ nullable: true, type: String, enum: ['timeout', 'network', 'blocked_target'] }) error: string | null;
  @ApiProperty({ description: 'Start of the response body (at most 1 KiB), or the network error' }) excerpt: string;
}

export class DeliveryDetailDto extends DeliveryDto {
  @ApiProperty({ type: [AttemptDto] }) attemptLog: AttemptDto[];
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ResendResultDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['pending'] }) status: 'pending';
}

export class WebhookReplayResultDto {
  @ApiProperty({ description: 'Deliveries created or started over' }) deliveries: number;
}

export class PullQueryDto {
  @ApiPropertyOptional({ description: 'Cursor: the `nextCursor` of the previous answer, or an event id (`evt_42`); absent = from the oldest event', example: 'evt_42' })
  @IsOptional()
  @Matches(/^(evt_)?[0-9]{1,19}$/, { message: 'after must be a nextCursor or an event id like evt_42' })
  after?: string;

  @ApiPropertyOptional({ description: 'Comma-separated types and `prefix.*` wildcards', example: 'tenant.*,message.text' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  types?: string;

  @ApiPropertyOptional({ description: 'Long-poll: wait up to this many seconds for an event when none is there (max EVENTS_MAX_WAIT_SECONDS)', default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  wait?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class PlatformEventDto {
  @ApiProperty({ example: 'evt_42', description: 'Stable id; the same as the webhook-id of its deliveries' }) id: string;
  @ApiProperty({ example: 'contact.user.created' }) type: string;
  @ApiProperty({ description: 'WeCom\'s time of the event (ISO)' }) timestamp: string;
  @ApiProperty({ description: 'When the platform received the callback (ISO)' }) receivedAt: string;
  @ApiProperty() suiteId: string;
  @ApiProperty({ nullable: true, type: String }) corpId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'WeCom\'s fields in camelCase; see docs/events.md' }) data: Record<string, unknown>;
}

export class EventStreamPageDto {
  @ApiProperty({ type: [PlatformEventDto] }) events: PlatformEventDto[];
  @ApiProperty({ description: 'Pass as `after` next time (the last event\'s id, or `after` again when none came)', example: 'evt_42' }) nextCursor: string;
}

export class EventTypeDto {
  @ApiProperty() type: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String] }) sources: string[];
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string' }, description: { type: 'string' } } } }) fields: { name: string; kind: string; description: string }[];
}
