import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { WECOM_ID } from '../common/ids.js';

export class SuiteSetupDto {
  @ApiProperty({ description: "指令回调URL: paste into the suite's callback settings in WeCom's console" }) commandCallbackUrl: string;
  @ApiProperty({ description: '数据回调URL' }) dataCallbackUrl: string;
  @ApiProperty({ description: 'Host WeCom must allow as the install redirect domain (授权完成回调域名 / 可信域名)' }) redirectDomain: string;
  @ApiProperty({ description: 'Where WeCom sends the browser after an install (our completion route)' }) installRedirectUrl: string;
  @ApiProperty({ description: "Install link for sales: starts the install with the suite's default auth_type" }) installUrl: string;
  @ApiProperty({ description: 'Install link for a test install (auth_type=1)' }) testInstallUrl: string;
}

/** Changes to a registered suite; absent fields keep their value, secrets are write-only. */
export class UpdateSuiteDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'A new suite_secret' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  secret?: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'A new callback Token' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  token?: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'A new EncodingAESKey (43 characters)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}$/, { message: 'encodingAesKey must be 43 base64 characters' })
  encodingAesKey?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it' })
  @ValidateIf((o: UpdateSuiteDto) => o.successUrl !== null && o.successUrl !== undefined)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'successUrl must be an absolute http(s) URL' })
  @MaxLength(2048)
  successUrl?: string | null;

  @ApiPropertyOptional({ enum: [0, 1], description: '1 = installs are test installs unless the link says otherwise' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([0, 1])
  defaultAuthType?: 0 | 1;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(WECOM_ID, { message: 'providerCorpId must be 1-64 characters [A-Za-z0-9_-]' })
  providerCorpId?: string;

  @ApiPropertyOptional({ writeOnly: true })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  providerSecret?: string;
}
