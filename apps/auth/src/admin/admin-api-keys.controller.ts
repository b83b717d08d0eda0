import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { ApiKeyScope } from '@app/store';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { PageQueryDto } from '../common/page.js';
import { ApiKeyPageDto, ApiKeyParams, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto.js';
import { ApiKeysAdminService } from './api-keys-admin.service.js';

@ApiTags('admin')
@AdminAccess('manage')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field' })
@Controller('api/v1/admin/api-keys')
export class AdminApiKeysController {
  constructor(private readonly keys: ApiKeysAdminService) {}

  @Post()
  @ApiOperation({ summary: 'Create a key; the answer holds the key itself, once' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    // The DTO has checked every scope against admin | suite:<id>.
    return this.keys.create(body.name, body.scopes as ApiKeyScope[]);
  }

  @Get()
  @ApiOperation({ summary: 'Keys, oldest first (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(@Query() query: PageQueryDto): Promise<ApiKeyPageDto> {
    return this.keys.list(query.limit, query.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key; it stops working at once' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto, description: 'api_key_not_found' })
  async revoke(@Param() params: ApiKeyParams): Promise<void> {
    await this.keys.revoke(params.id);
  }
}
