import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiFoundResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { WecomRedirectQuery } from '../common/lenient-query.decorator.js';
import { CompleteInstallQueryDto, InstallResultDto, StartInstallQueryDto } from './install.dto.js';
import { InstallService } from './install.service.js';

/** Browser routes: no API key; the state binds the completion to an install this platform started. */
@ApiTags('install')
@Controller('install/:suiteId')
export class InstallController {
  constructor(private readonly installs: InstallService) {}

  @Get()
  @ApiOperation({ summary: "Start an install: 302 to WeCom's install page" })
  @ApiFoundResponse({ description: 'Location: {WECOM_INSTALL_BASE}/3rdapp/install?suite_id&pre_auth_code&redirect_uri&state' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  async start(@Param() params: SuiteParams, @Query() query: StartInstallQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const location = await this.installs.start(params.suiteId, { callerState: query.state, authType: query.auth_type });
    await reply.code(302).header('location', location).header('cache-control', 'no-store').send();
  }

  @Get('complete')
  @ApiOperation({ summary: "WeCom's redirect after approval: exchange the auth_code, then 302 to the suite's success URL (or JSON)" })
  @ApiFoundResponse({ description: 'Location: the success URL with suite_id, corp_id and the caller state' })
  @ApiOkResponse({ type: InstallResultDto, description: 'When the suite has no success URL' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid_install_state, invalid_auth_code, or a missing parameter' })
  @ApiQuery({ type: CompleteInstallQueryDto })
  async complete(@Param() params: SuiteParams, @WecomRedirectQuery() query: CompleteInstallQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const outcome = await this.installs.complete(params.suiteId, query.auth_code, query.state);
    if ('redirect' in outcome) {
      await reply.code(302).header('location', outcome.redirect).header('cache-control', 'no-store').send();
    } else {
      await reply.code(200).header('cache-control', 'no-store').send(outcome.result);
    }
  }
}
