import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, IsUUID, Length, Matches } from 'class-validator';
import { WECOM_ID } from '@app/wecom';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing-service' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ type: [String], example: ['suite:wwsuite1234567890'], description: '`admin`, `suite:<suiteId>` for that suite\'s tokens and signatures, or `provider:<providerCorpId>` for that provider\'s token' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(new RegExp(`^(admin|(suite|provider):${WECOM_ID.source.slice(1, -1)})$`), { each: true, message: 'scopes must each be admin, suite:<suiteId> or provider:<providerCorpId>' })
  scopes: string[];
}

export class ApiKeyParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'First characters of the key, to tell keys apart' }) keyPrefix: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) revokedAt: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown this once, only its hash is stored' }) key: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] }) items: ApiKeyDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
