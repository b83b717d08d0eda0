import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ID_MESSAGE, WECOM_ID } from '../common/ids.js';

export class RegisterSuiteDto {
  @ApiProperty({ example: 'wwsuite1234567890' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('suiteId') })
  suiteId: string;

  @ApiPropertyOptional({ description: 'Display name; default the suite id' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiProperty({ description: 'suite_secret (stored encrypted, never returned)', writeOnly: true })
  @IsString()
  @Length(1, 256)
  secret: string;

  @ApiProperty({ description: 'Callback Token', writeOnly: true })
  @IsString()
  @Length(1, 128)
  token: string;

  @ApiProperty({ description: 'Callback EncodingAESKey, 43 characters (stored encrypted, never returned)', writeOnly: true })
  @Matches(/^[A-Za-z0-9+/]{43}$/, { message: 'encodingAesKey must be 43 base64 characters' })
  encodingAesKey: string;

  @ApiPropertyOptional({ description: 'Where a completed install sends the browser (with suite_id, corp_id, state)', nullable: true, type: String })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'successUrl must be an absolute http(s) URL' })
  @MaxLength(2048)
  successUrl?: string | null;

  @ApiPropertyOptional({ enum: [0, 1], default: 0, description: 'set_session_info auth_type when /install is not told: 1 = test install' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1])
  defaultAuthType?: 0 | 1;

  @ApiPropertyOptional({ description: "The owning provider's corpid (a provider record is created if there is none; see /api/v1/admin/providers)" })
  @ValidateIf((o: RegisterSuiteDto) => o.providerCorpId !== undefined || o.providerSecret !== undefined)
  @IsDefined({ message: 'providerSecret needs providerCorpId' })
  @Matches(WECOM_ID, { message: ID_MESSAGE('providerCorpId') })
  providerCorpId?: string;

  @ApiPropertyOptional({ description: "provider_secret, stored on the provider (encrypted, never returned; needs providerCorpId); omitted: the provider's secret is kept", writeOnly: true })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  providerSecret?: string;

  @ApiPropertyOptional({
    type: [String],
    description: "Origins an OAuth login of this suite may send its result to (besides PUBLIC_BASE_URL's and successUrl's), e.g. https://app.example.com",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^https?:\/\/[^/?#\s]+$/, { each: true, message: 'redirectOrigins must be origins like https://app.example.com (no path)' })
  redirectOrigins?: string[];

  @ApiPropertyOptional({ description: 'Install page: logo image URL', nullable: true, type: String })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'logoUrl must be an absolute http(s) URL' })
  @MaxLength(2048)
  logoUrl?: string | null;

  @ApiPropertyOptional({ description: 'Install page: a short text under the name', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  description?: string | null;

  @ApiPropertyOptional({ description: 'A 代开发 (customized app) template: corp tokens from gettoken with the permanent code as secret, member login through the corp\'s own OAuth. Template ids starting `dk` are templates whatever this says' })
  @IsOptional()
  @IsBoolean()
  customizedApp?: boolean;
}

export class SuiteDto {
  @ApiProperty() suiteId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) successUrl: string | null;
  @ApiProperty({ enum: [0, 1] }) defaultAuthType: number;
  @ApiProperty({ nullable: true, type: String }) providerCorpId: string | null;
  @ApiProperty() hasProviderSecret: boolean;
  @ApiProperty({ type: [String] }) redirectOrigins: string[];
  @ApiProperty({ nullable: true, type: String }) logoUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class SuiteTicketStatusDto {
  @ApiProperty({ nullable: true, type: Date, description: 'When the latest suite_ticket arrived; null if none yet' })
  receivedAt: Date | null;

  @ApiProperty({ description: 'true while younger than 30 minutes, i.e. a suite_access_token can be fetched' })
  fresh: boolean;
}

export class SuiteDetailDto extends SuiteDto {
  @ApiProperty({ type: SuiteTicketStatusDto })
  suiteTicket: SuiteTicketStatusDto;
}

export class SuitePageDto {
  @ApiProperty({ type: [SuiteDto] }) items: SuiteDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
