import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { SuiteDto } from './suite.dto.js';
import { SuiteSetupDto, UpdateSuiteDto } from './suite-setup.dto.js';
import { SuiteSetupService } from './suite-setup.service.js';

@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field' })
@ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
@Controller('api/v1/admin/suites/:suiteId')
export class AdminSuiteSetupController {
  constructor(private readonly setup: SuiteSetupService) {}

  @Get('setup')
  @ApiOperation({ summary: "The callback URLs, redirect domain and install links to paste into WeCom's console and give to sales" })
  @ApiOkResponse({ type: SuiteSetupDto })
  show(@Param() params: SuiteParams): Promise<SuiteSetupDto> {
    return this.setup.setup(params.suiteId);
  }

  @Patch()
  @PERMISSION('manage')
  @ApiOperation({ summary: 'Change some of a suite\'s settings; secrets not sent are kept (and never returned)' })
  @ApiOkResponse({ type: SuiteDto })
  update(@Param() params: SuiteParams, @Body() body: UpdateSuiteDto): Promise<SuiteDto> {
    return this.setup.update(params.suiteId, body);
  }
}
