import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { ProviderParams } from '../common/ids.js';
import { CustomizedAuthUrlDto, CustomizedAuthUrlRequestDto, ProviderDto, ProviderListDto, RegisterProviderDto, UpdateProviderDto } from './provider.dto.js';
import { ProvidersAdminService } from './providers-admin.service.js';

@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field' })
@Controller('api/v1/admin/providers')
export class AdminProvidersController {
  constructor(private readonly providers: ProvidersAdminService) {}

  @Post()
  @PERMISSION('manage')
  @ApiOperation({ summary: 'Register a provider (服务商) or change the fields given; secrets are stored encrypted and never returned' })
  @ApiCreatedResponse({ type: ProviderDto })
  register(@Body() body: RegisterProviderDto): Promise<ProviderDto> {
    return this.providers.register(body);
  }

  @Get()
  @ApiOperation({ summary: 'Providers in corpid order, with the suites they own' })
  @ApiOkResponse({ type: ProviderListDto })
  list(): Promise<ProviderListDto> {
    return this.providers.list();
  }

  @Get(':providerCorpId')
  @ApiOperation({ summary: 'One provider' })
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'provider_not_found' })
  show(@Param() params: ProviderParams): Promise<ProviderDto> {
    return this.providers.show(params.providerCorpId);
  }

  @Post(':providerCorpId/customized-auth-url')
  @PERMISSION('operate')
  @ApiOperation({ summary: '代开发: an authorization link (get_customized_auth_url) for some of this provider\'s templates; its state is stored on the tenant it installs' })
  @ApiCreatedResponse({ type: CustomizedAuthUrlDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'provider_not_found; suite_not_found (a template the provider does not own)' })
  customizedAuthUrl(@Param() params: ProviderParams, @Body() body: CustomizedAuthUrlRequestDto): Promise<CustomizedAuthUrlDto> {
    return this.providers.customizedAuthUrl(params.providerCorpId, body);
  }

  @Patch(':providerCorpId')
  @PERMISSION('manage')
  @ApiOperation({ summary: 'Rotate the provider_secret and/or the system-event token + EncodingAESKey (only the fields given change)' })
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'provider_not_found' })
  update(@Param() params: ProviderParams, @Body() body: UpdateProviderDto): Promise<ProviderDto> {
    return this.providers.update(params.providerCorpId, body);
  }
}
