import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ApiAccess } from '../access/api-access.decorator.js';
import { AuthAppError } from '../auth-errors.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams, ProviderParams } from '../common/ids.js';
import { ConvertedIdsDto, CorpIdDto, ExternalUserIdsDto, OpenCorpIdDto, TmpExternalUserIdsDto, UnionIdDto, UnionIdResultDto, UserIdsDto } from './id-convert.dto.js';
import { ConversionFailed, IdConvertService } from './id-convert.service.js';

async function converting<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ConversionFailed) throw new AuthAppError('id_conversion_failed', `WeCom answered errcode ${err.errcode} to the conversion`);
    throw err;
  }
}

/** Typed routes for WeCom's id conversions of a corp, cached per suite (never shared: ids differ per caller). */
@ApiTags('ids')
@ApiAccess('suite')
@ApiBadGatewayResponse({ type: ErrorDto, description: "id_conversion_failed: WeCom's errcode in the message" })
@ApiTooManyRequestsResponse({ type: ErrorDto, description: "the gateway's limits (corp_api_rate_limited, …)" })
@Controller('api/v1/suites/:suiteId/corps/:corpId/ids')
export class IdConvertController {
  constructor(private readonly ids: IdConvertService) {}

  @Post('open-userids')
  @HttpCode(200)
  @ApiOperation({ summary: 'userid → open_userid (batch/userid_to_openuserid)' })
  @ApiOkResponse({ type: ConvertedIdsDto })
  openUserIds(@Param() p: CorpParams, @Body() body: UserIdsDto): Promise<ConvertedIdsDto> {
    return converting(this.ids.openUserIds(p.suiteId, p.corpId, body.userids));
  }

  @Post('new-external-userids')
  @HttpCode(200)
  @ApiOperation({ summary: 'external_userid → the new external_userid (externalcontact/get_new_external_userid; with chat_id the group chat variant)' })
  @ApiOkResponse({ type: ConvertedIdsDto })
  newExternalUserIds(@Param() p: CorpParams, @Body() body: ExternalUserIdsDto): Promise<ConvertedIdsDto> {
    return converting(this.ids.newExternalUserIds(p.suiteId, p.corpId, body.external_userids, body.chat_id));
  }

  @Post('tmp-external-userids')
  @HttpCode(200)
  @ApiOperation({ summary: 'tmp_external_userid → external_userid (idconvert/convert_tmp_external_userid)' })
  @ApiOkResponse({ type: ConvertedIdsDto })
  tmpExternalUserIds(@Param() p: CorpParams, @Body() body: TmpExternalUserIdsDto): Promise<ConvertedIdsDto> {
    return converting(this.ids.tmpExternalUserIds(p.suiteId, p.corpId, body.business_type, body.user_type, body.tmp_external_userids));
  }

  @Post('unionid-external-userid')
  @HttpCode(200)
  @ApiOperation({ summary: 'unionid + openid → external_userid and pending_id (idconvert/unionid_to_external_userid)' })
  @ApiOkResponse({ type: UnionIdResultDto })
  unionId(@Param() p: CorpParams, @Body() body: UnionIdDto): Promise<UnionIdResultDto> {
    return converting(this.ids.unionIdToExternalUserId(p.suiteId, p.corpId, { unionid: body.unionid, openid: body.openid, subjectType: body.subject_type }));
  }
}

/** corpid → open_corpid for a provider, cached per provider. */
@ApiTags('ids')
@ApiAccess('provider')
@Controller('api/v1/providers/:providerCorpId/ids')
export class ProviderIdConvertController {
  constructor(private readonly ids: IdConvertService) {}

  @Post('open-corpid')
  @HttpCode(200)
  @ApiOperation({ summary: 'corpid → open_corpid (service/corpid_to_opencorpid, provider token)' })
  @ApiOkResponse({ type: OpenCorpIdDto })
  @ApiBadGatewayResponse({ type: ErrorDto, description: 'id_conversion_failed' })
  async openCorpId(@Param() p: ProviderParams, @Body() body: CorpIdDto): Promise<OpenCorpIdDto> {
    return { open_corpid: await converting(this.ids.openCorpId(p.providerCorpId, body.corpid)) };
  }
}
