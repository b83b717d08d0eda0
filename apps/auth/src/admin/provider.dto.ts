import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ID_MESSAGE, WECOM_ID } from '../common/ids.js';

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/**
 * Registers a provider (服务商) or changes what is given: omitted fields keep their stored value, so rotating the
 * provider_secret or the system-event keys is a PATCH naming only them.
 */
export class UpdateProviderDto {
  @ApiPropertyOptional({ description: 'Display name; default the provider corpid' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ description: 'ProviderSecret (服务商信息 → 基本信息; stored encrypted, never returned)', writeOnly: true })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  providerSecret?: string;

  @ApiPropertyOptional({ description: 'Token of the system-event URL (系统事件接收URL); needs encodingAesKey', writeOnly: true })
  @ValidateIf((o: UpdateProviderDto) => o.token !== undefined || o.encodingAesKey !== undefined)
  @IsString({ message: 'token and encodingAesKey go together' })
  @Length(1, 128)
  token?: string;

  @ApiPropertyOptional({ description: 'EncodingAESKey of the system-event URL, 43 characters (stored encrypted, never returned); needs token', writeOnly: true })
  @ValidateIf((o: UpdateProviderDto) => o.token !== undefined || o.encodingAesKey !== undefined)
  @Matches(AES_KEY, { message: 'encodingAesKey must be 43 base64 characters (token and encodingAesKey go together)' })
  encodingAesKey?: string;
}

export class RegisterProviderDto extends UpdateProviderDto {
  @ApiProperty({ example: 'wwprovider1234567', description: "The provider's corpid (服务商 CorpID)" })
  @Matches(WECOM_ID, { message: ID_MESSAGE('providerCorpId') })
  providerCorpId: string;
}

export class ProviderDto {
  @ApiProperty() providerCorpId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'A provider_secret is registered: the provider token can be fetched' }) hasProviderSecret: boolean;
  @ApiProperty({ description: 'The system-event URL has its token and EncodingAESKey' }) systemEventsConfigured: boolean;
  @ApiProperty({ description: 'Path of the system-event URL to paste into WeCom (prefix the callback app\'s public base URL)' }) systemEventPath: string;
  @ApiProperty({ type: [String], description: 'Suites and 代开发 templates this provider owns' }) suiteIds: string[];
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class ProviderListDto {
  @ApiProperty({ type: [ProviderDto] }) items: ProviderDto[];
}

/** get_customized_auth_url (代开发 带参授权链接). */
export class CustomizedAuthUrlRequestDto {
  @ApiProperty({ type: [String], example: ['dk1234567890abcdef'], description: '代开发 template ids the link authorizes' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(WECOM_ID, { each: true, message: 'templateIds must each be a template id' })
  templateIds: string[];

  @ApiPropertyOptional({ description: 'Comes back on the tenant (create_auth `State`): at most 32 letters and digits', example: 'promo2026' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{1,32}$/, { message: 'state must be 1-32 letters and digits (WeCom: ≤ 32 bytes, [a-zA-Z0-9])' })
  state?: string;
}

export class CustomizedAuthUrlDto {
  @ApiProperty({ description: "The authorization link (WeCom's qrcode_url): show it as a link or a QR code to the corp's admin" }) url: string;
  @ApiProperty({ description: 'Seconds the link stays valid' }) expiresIn: number;
}
