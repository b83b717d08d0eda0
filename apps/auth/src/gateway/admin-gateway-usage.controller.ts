import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { AuthCorpRepository } from '@app/store';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { AuthAppError } from '../auth-errors.js';
import { ErrorDto } from '../common/error.dto.js';
import { CorpParams } from '../common/ids.js';
import { GatewayLimits } from './gateway-limits.js';
import { corpUserMax, dailyMessageLimit } from './gateway.service.js';

export class GatewayUsageDto {
  @ApiProperty({ description: "App-message person-times used today (China's calendar day), this suite in this corp" })
  messagesToday: number;

  @ApiProperty({ description: "Today's budget: corp_user_max × GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY" })
  messagesDailyLimit: number;

  @ApiProperty({ description: "corp_user_max from the corp's auth info (or the configured default)" })
  corpUserMax: number;

  @ApiProperty({ description: 'Per WeCom API and minute (GATEWAY_CORP_API_PER_MINUTE)' })
  corpApiPerMinuteLimit: number;

  @ApiProperty({ description: "Seconds the corp's calls are still held after WeCom's 45009/45033; 0 when not held" })
  slowedDownForSeconds: number;
}

/** A tenant's use of the gateway's quotas, for the admin API and the console's tenant screen. */
@ApiTags('admin')
@AdminAccess('read')
@ApiNotFoundResponse({ type: ErrorDto, description: 'corp_not_found' })
@Controller('api/v1/admin/suites/:suiteId/corps/:corpId/gateway-usage')
export class AdminGatewayUsageController {
  constructor(
    private readonly limits: GatewayLimits,
    private readonly corps: AuthCorpRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: "A corp's use of the WeCom gateway's quotas: app messages today, and whether WeCom's lockout holds its calls" })
  @ApiOkResponse({ type: GatewayUsageDto })
  async usage(@Param() params: CorpParams): Promise<GatewayUsageDto> {
    const corp = await this.corps.find(params.suiteId, params.corpId);
    if (!corp) throw new AuthAppError('corp_not_found', `corp ${params.corpId} has not authorized suite ${params.suiteId}`);
    const used = await this.limits.usage(params.suiteId, params.corpId);
    return {
      messagesToday: used.messagesToday,
      messagesDailyLimit: dailyMessageLimit(corp, this.config),
      corpUserMax: corpUserMax(corp, this.config),
      corpApiPerMinuteLimit: this.config.GATEWAY_CORP_API_PER_MINUTE,
      slowedDownForSeconds: used.slowedDownForSeconds,
    };
  }
}
