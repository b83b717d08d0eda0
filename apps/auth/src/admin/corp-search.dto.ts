import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { TOKEN_STATES, TokenState } from '@app/store';
import { WECOM_ID } from '../common/ids.js';
import { PageQueryDto } from '../common/page.js';
import { CorpSummaryDto } from './corp.dto.js';

const STATUSES = ['active', 'cancelled', 'suspended'] as const;
const TOKEN_KINDS = ['corp', 'jsapi', 'agent'] as const;

export class CorpSearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'A corp id (exact) or part of the corp name (case-insensitive)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(WECOM_ID, { message: 'suiteId must be 1-64 characters [A-Za-z0-9_-]' })
  suiteId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ description: "An edition id from the corp's edition_info (agent[].edition_id)" })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  editionId?: string;

  @ApiPropertyOptional({ description: 'Installed at or after (ISO time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  installedFrom?: string;

  @ApiPropertyOptional({ description: 'Installed before (ISO time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  installedTo?: string;

  @ApiPropertyOptional({
    enum: TOKEN_STATES,
    description: "Active corps by their stored access_token, as the overview counts them: fresh (at least the serve margin left), within_margin, expired, missing",
  })
  @IsOptional()
  @IsIn(TOKEN_STATES)
  tokenState?: TokenState;
}

export class TenantDto extends CorpSummaryDto {
  @ApiProperty() suiteId: string;
  @ApiProperty({ nullable: true, type: String }) corpFullName: string | null;
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantDto] }) items: TenantDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class StoredTokenStatusDto {
  @ApiProperty({ enum: TOKEN_KINDS, description: 'corp: access_token; jsapi: corp jsapi_ticket; agent: agent jsapi_ticket' }) kind: string;
  @ApiProperty({ nullable: true, type: Date }) expiresAt: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'When it was last fetched' }) updatedAt: Date | null;
  @ApiProperty({ description: 'At least the serve margin left' }) fresh: boolean;
}

export class CorpTokensDto {
  @ApiProperty({ type: [StoredTokenStatusDto], description: 'One entry per kind, in the order corp, jsapi, agent' }) items: StoredTokenStatusDto[];
}

export class RefreshTokenDto {
  @ApiPropertyOptional({ enum: TOKEN_KINDS, default: 'corp' })
  @IsOptional()
  @IsIn(TOKEN_KINDS)
  kind?: (typeof TOKEN_KINDS)[number];
}
