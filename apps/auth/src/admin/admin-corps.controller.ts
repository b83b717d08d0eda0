import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams, SuiteParams } from '../common/ids.js';
import { CorpDetailDto, CorpListQueryDto, CorpPageDto } from './corp.dto.js';
import { CorpsAdminService } from './corps-admin.service.js';

@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field; invalid_cursor' })
@ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found, corp_not_found' })
@Controller('api/v1/admin/suites/:suiteId/corps')
export class AdminCorpsController {
  constructor(private readonly corps: CorpsAdminService) {}

  @Get()
  @ApiOperation({ summary: "A suite's corps, newest install first, with status and token freshness" })
  @ApiOkResponse({ type: CorpPageDto })
  list(@Param() params: SuiteParams, @Query() query: CorpListQueryDto): Promise<CorpPageDto> {
    return this.corps.list(params.suiteId, query);
  }

  @Get(':corpId')
  @ApiOperation({ summary: 'One corp: auth info, agents and privileges, installing admin, edition and dealer info' })
  @ApiOkResponse({ type: CorpDetailDto })
  show(@Param() params: CorpParams): Promise<CorpDetailDto> {
    return this.corps.show(params.suiteId, params.corpId);
  }
}
