import { Body, Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { AuthCorpRepository } from '@app/store';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { AuthAppError } from '../auth-errors.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams } from '../common/ids.js';

export class CorpCallbackKeysDto {
  @ApiProperty({ description: "Token this corp's data callbacks are signed with", writeOnly: true })
  @IsString()
  @Length(1, 128)
  token: string;

  @ApiProperty({ description: 'Their EncodingAESKey, 43 characters (stored encrypted, never returned)', writeOnly: true })
  @Matches(/^[A-Za-z0-9+/]{43}$/, { message: 'encodingAesKey must be 43 base64 characters' })
  encodingAesKey: string;
}

export class CorpCallbackKeysStatusDto {
  @ApiProperty() corpId: string;
  @ApiProperty({ description: "true: this corp's data callbacks use their own keys" }) override: boolean;
}

/**
 * 代开发 apps may configure one corp's data callbacks with their own Token and EncodingAESKey: the callback app then
 * checks that corp's callbacks (ToUserName) with them instead of the suite's. Picked up within 30 s by every
 * callback process.
 */
@ApiTags('admin')
@AdminAccess('manage')
@Controller('api/v1/admin/suites/:suiteId/corps/:corpId/callback-keys')
export class AdminCorpCallbackKeysController {
  constructor(private readonly corps: AuthCorpRepository) {}

  @Put()
  @PERMISSION('manage')
  @ApiOperation({ summary: "Set a corp-level callback Token/EncodingAESKey override (代开发 data callbacks)" })
  @ApiOkResponse({ type: CorpCallbackKeysStatusDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'corp_not_found' })
  async set(@Param() params: CorpParams, @Body() body: CorpCallbackKeysDto): Promise<CorpCallbackKeysStatusDto> {
    if (!(await this.corps.setCallbackKeys(params.suiteId, params.corpId, { token: body.token, encodingAesKey: body.encodingAesKey }))) throw notFound(params);
    return { corpId: params.corpId, override: true };
  }

  @Delete()
  @HttpCode(204)
  @PERMISSION('manage')
  @ApiOperation({ summary: "Drop the override: the corp's data callbacks use the suite's keys again" })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto, description: 'corp_not_found' })
  async clear(@Param() params: CorpParams): Promise<void> {
    if (!(await this.corps.setCallbackKeys(params.suiteId, params.corpId, null))) throw notFound(params);
  }
}

function notFound(params: CorpParams): AuthAppError {
  return new AuthAppError('corp_not_found', `corp ${params.corpId} has not authorized suite ${params.suiteId}`);
}
