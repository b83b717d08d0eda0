import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { PageQueryDto } from '../common/page.js';
import { RegisterSuiteDto, SuiteDetailDto, SuiteDto, SuitePageDto } from './suite.dto.js';
import { SuitesAdminService } from './suites-admin.service.js';

@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field' })
@Controller('api/v1/admin/suites')
export class AdminSuitesController {
  constructor(private readonly suites: SuitesAdminService) {}

  @Post()
  @PERMISSION('manage')
  @ApiOperation({ summary: 'Register a suite (or replace its settings and credentials); secrets are stored encrypted and never returned' })
  @ApiCreatedResponse({ type: SuiteDto })
  register(@Body() body: RegisterSuiteDto): Promise<SuiteDto> {
    return this.suites.register(body);
  }

  @Get()
  @ApiOperation({ summary: 'Suites in id order' })
  @ApiOkResponse({ type: SuitePageDto })
  list(@Query() query: PageQueryDto): Promise<SuitePageDto> {
    return this.suites.list(query.limit, query.cursor);
  }

  @Get(':suiteId')
  @ApiOperation({ summary: 'One suite, with the age of its suite_ticket' })
  @ApiOkResponse({ type: SuiteDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  show(@Param() params: SuiteParams): Promise<SuiteDetailDto> {
    return this.suites.show(params.suiteId);
  }
}
