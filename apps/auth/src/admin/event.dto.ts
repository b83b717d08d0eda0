import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../common/page.js';
import { ID_MESSAGE, WECOM_ID } from '../common/ids.js';

const STATUSES = ['received', 'queued', 'processing', 'processed', 'failed', 'awaiting_tenant', 'orphan'] as const;
const KINDS = ['command', 'data', 'system'] as const;

export class EventListQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(WECOM_ID, { message: ID_MESSAGE('suiteId') })
  suiteId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(WECOM_ID, { message: ID_MESSAGE('corpId') })
  corpId?: string;

  @ApiPropertyOptional({
    description: 'InfoType (create_auth, …), MsgType, or event:<Event>; up to 10 of them separated by commas match any',
    example: 'create_auth,change_auth,cancel_auth',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[^,]+(,[^,]+){0,9}$/, { message: 'type must be one type or up to 10 separated by commas' })
  type?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ enum: KINDS })
  @IsOptional()
  @IsIn(KINDS)
  kind?: (typeof KINDS)[number];

  @ApiPropertyOptional({ description: 'Received at or after (ISO time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Received before (ISO time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class EventParams {
  @ApiProperty({ description: 'Inbox event id', example: '42' })
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'id must be a positive integer' })
  id: string;
}

export class EventSummaryDto {
  @ApiProperty({ description: 'Inbox id (a string: it is a 64-bit integer)' }) id: string;
  @ApiProperty() suiteId: string;
  @ApiProperty({ enum: KINDS }) kind: string;
  @ApiProperty() type: string;
  @ApiProperty({ nullable: true, type: String }) corpId: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty() receivedAt: Date;
  @ApiProperty({ nullable: true, type: Date }) queuedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) processedAt: Date | null;
}

export class EventDetailDto extends EventSummaryDto {
  @ApiProperty({ description: 'The decrypted XML; one-time codes and tickets replaced by [redacted]' }) payload: string;
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'The typed event parsed at intake (infoType, authCorpId, … for command callbacks; msgType, event, … for data), one-time codes replaced by [redacted]; null for events stored before it was kept',
  })
  event: Record<string, unknown> | null;
}

export class EventPageDto {
  @ApiProperty({ type: [EventSummaryDto] }) items: EventSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ReplayResultDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
  @ApiProperty({ description: 'The new BullMQ job id' }) jobId: string;
}

/** The list's filters (status defaults to `failed` here) and how many to replay. */
export class BatchReplayDto extends OmitType(EventListQueryDto, ['limit', 'cursor'] as const) {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100, description: 'At most this many events, newest first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  max?: number;
}

export class BatchReplayResultDto {
  @ApiProperty({ type: [String], description: 'Ids of the events put back on the queue' }) ids: string[];
  @ApiProperty({ description: 'More events matched than `max`' }) truncated: boolean;
}
