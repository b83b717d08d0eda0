import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAccess } from '../access/api-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { LoginClaimsDto, VerifyLoginTokenDto } from './oauth.dto.js';
import { OAuthService } from './oauth.service.js';

/** The caller's backend turns the `wecom_login` its page received into a trusted identity here. */
@ApiTags('oauth')
@ApiAccess('suite')
@Controller('api/v1/suites/:suiteId/login-tokens')
export class LoginTokenController {
  constructor(private readonly oauth: OAuthService) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify a login token (signature, expiry, suite, audience) and return who logged in; once per token' })
  @ApiOkResponse({ type: LoginClaimsDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_login_token, login_token_expired' })
  @ApiConflictResponse({ type: ErrorDto, description: 'login_token_used' })
  verify(@Param() params: SuiteParams, @Body() body: VerifyLoginTokenDto): Promise<LoginClaimsDto> {
    return this.oauth.verify(params.suiteId, body.token, body.audience);
  }
}
