import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';
import type { LoginClaims, OAuthScope } from './login-token.js';

export class AuthorizeQueryDto {
  @ApiPropertyOptional({
    description:
      'Absolute http(s) URL to send the result to as `?wecom_login=<token>`; its origin must be PUBLIC_BASE_URL\'s, the suite success URL\'s or listed in OAUTH_REDIRECT_ORIGINS. Without it the callback answers JSON.',
    example: 'https://app.example.com/wecom/login',
  })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'redirect must be an absolute http(s) URL' })
  @MaxLength(2048)
  redirect?: string;

  @ApiPropertyOptional({ enum: ['snsapi_base', 'snsapi_privateinfo'], default: 'snsapi_base' })
  @IsOptional()
  @IsIn(['snsapi_base', 'snsapi_privateinfo'])
  scope?: OAuthScope;

  @ApiPropertyOptional({ description: '代开发 templates only (required there): the corp whose members log in — a 代开发 app logs in through the corp\'s own OAuth (appid = corp id, agentid = the app\'s)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'corpId must be a WeCom corp id' })
  corpId?: string;
}

export class OAuthCallbackQueryDto {
  @ApiProperty({ description: 'Single-use OAuth code from WeCom' })
  @IsString()
  @Length(1, 512)
  code: string;

  @ApiProperty()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,128}$/, { message: 'state must be 1-128 characters [A-Za-z0-9]' })
  state: string;
}

export class VerifyLoginTokenDto {
  @ApiProperty({ description: 'The `wecom_login` value the browser brought back' })
  @IsString()
  @Length(1, 8192)
  token: string;

  @ApiProperty({
    description:
      "The origin of the site that received the token (its `aud`: the redirect's origin, or PUBLIC_BASE_URL's when the callback answered JSON). A token handed to one site is refused when another presents it.",
    example: 'https://app.example.com',
  })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'audience must be an http(s) origin' })
  @MaxLength(2048)
  audience: string;
}

export class LoginClaimsDto implements LoginClaims {
  @ApiProperty() suiteId: string;
  @ApiProperty({ enum: ['snsapi_base', 'snsapi_privateinfo'] }) scope: OAuthScope;
  @ApiProperty({
    description:
      'true only for a member of a corp that is an active tenant of this suite; false for a WeChat user outside any corp (only openId is set) or a member of a corp that has not installed the suite or cancelled (corpId and openUserId set, no userId)',
  })
  member: boolean;
  @ApiPropertyOptional() corpId?: string;
  @ApiPropertyOptional() userId?: string;
  @ApiPropertyOptional() openUserId?: string;
  @ApiPropertyOptional() openId?: string;
  @ApiPropertyOptional({ description: 'snsapi_privateinfo only, when WeCom gives it (it no longer does for third-party apps)' }) name?: string;
  @ApiPropertyOptional({ description: 'snsapi_privateinfo only: "0" unknown, "1" male, "2" female' }) gender?: string;
  @ApiPropertyOptional({ description: 'snsapi_privateinfo only' }) avatar?: string;
  @ApiProperty({ description: "Origin of the site the token was handed to (the redirect's, or PUBLIC_BASE_URL's)" }) aud: string;
  @ApiProperty({ description: 'Issued at, unix seconds' }) iat: number;
  @ApiProperty({ description: 'Expires at, unix seconds' }) exp: number;
  @ApiProperty({ description: 'Token id; a token verifies once' }) jti: string;
}

export class OAuthResultDto {
  @ApiProperty({ description: 'Signed login token; verify it with POST /api/v1/suites/{suiteId}/login-tokens/verify' })
  token: string;

  @ApiProperty({ type: LoginClaimsDto })
  user: LoginClaimsDto;
}
