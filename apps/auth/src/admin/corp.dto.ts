import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../common/page.js';

const STATUSES = ['active', 'cancelled', 'suspended'] as const;
export type CorpStatusName = (typeof STATUSES)[number];

export class CorpListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: CorpStatusName;
}

export class TokenFreshnessDto {
  @ApiProperty({ nullable: true, type: Date, description: "Expiry of the corp's last stored access_token" })
  expiresAt: Date | null;

  @ApiProperty({ description: 'true when the token API can serve it without asking WeCom (at least 5 minutes left)' })
  fresh: boolean;
}

export class CorpSummaryDto {
  @ApiProperty() corpId: string;
  @ApiProperty({ nullable: true, type: String }) corpName: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty() installedAt: Date;
  @ApiProperty({ type: TokenFreshnessDto }) token: TokenFreshnessDto;
}

export class CorpPageDto {
  @ApiProperty({ type: [CorpSummaryDto] }) items: CorpSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class AgentDto {
  @ApiProperty() agentId: number;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ description: '0 admin authorization, 1 member authorization' }) authMode?: number;
  @ApiPropertyOptional({ description: "WeCom's privilege object as sent (level, allow_party, allow_user, allow_tag, extra_*)", type: Object })
  privilege?: Record<string, unknown>;
}

export class CorpDetailDto extends CorpSummaryDto {
  @ApiProperty({ nullable: true, type: String }) corpFullName: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the corp is not active' }) statusReason: string | null;
  @ApiProperty({ nullable: true, type: Number }) agentId: number | null;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) jssdkUsedAt: Date | null;
  @ApiProperty({ type: [AgentDto], description: 'Agents and their privileges, from auth_info' }) agents: AgentDto[];
  @ApiProperty({ nullable: true, type: Object, description: 'auth_corp_info as WeCom sent it' }) authCorpInfo: unknown;
  @ApiProperty({ nullable: true, type: Object, description: 'auth_info as WeCom sent it' }) authInfo: unknown;
  @ApiProperty({ nullable: true, type: Object, description: 'The installing admin (auth_user_info)' }) authUserInfo: unknown;
  @ApiProperty({ nullable: true, type: Object }) editionInfo: unknown;
  @ApiProperty({ nullable: true, type: Object }) dealerCorpInfo: unknown;
  @ApiProperty({ nullable: true, type: Object }) registerCodeInfo: unknown;
}
