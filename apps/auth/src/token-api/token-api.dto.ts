import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';

export class AccessTokenDto {
  @ApiProperty({ description: 'suite_access_token or the corp access_token; at least 5 minutes left' })
  access_token: string;

  @ApiProperty({ description: 'ISO time', example: '2026-11-25T12:00:00.000Z' })
  expires_at: string;
}

export class InvalidateTokenDto {
  @ApiPropertyOptional({
    description: 'The token WeCom refused. When given, it is dropped only while it is still the current one, so a late report keeps a replacement',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  access_token?: string;
}

export class InvalidateResultDto {
  @ApiProperty({ description: 'false when the reported token had already been replaced' })
  invalidated: boolean;
}

export class JssdkRequestDto {
  @ApiProperty({ description: 'The page URL (any #fragment is ignored)', example: 'https://app.example.com/page?x=1' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an absolute http(s) URL' })
  @MaxLength(2048)
  url: string;
}

export class JssdkConfigDto {
  @ApiProperty() corpId: string;
  @ApiProperty({ description: 'unix seconds' }) timestamp: number;
  @ApiProperty() nonceStr: string;
  @ApiProperty({ description: 'SHA1 over the corp jsapi_ticket' }) signature: string;
}

export class JssdkAgentConfigDto extends JssdkConfigDto {
  @ApiProperty() agentId: number;
  @ApiProperty({ description: 'SHA1 over the agent (agent_config) ticket' }) declare signature: string;
}

export class JssdkSignaturesDto {
  @ApiProperty({ type: JssdkConfigDto, description: 'for wx.config' })
  config: JssdkConfigDto;

  @ApiProperty({ type: JssdkAgentConfigDto, description: 'for wx.agentConfig' })
  agentConfig: JssdkAgentConfigDto;
}
