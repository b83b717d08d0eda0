import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { eventCatalogue } from '@app/events';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import {
  CreateEndpointDto,
  DeliveryDetailDto,
  DeliveryListQueryDto,
  DeliveryPageDto,
  DeliveryParams,
  EndpointDto,
  EndpointListDto,
  EndpointParams,
  EndpointWithSecretDto,
  EventTypeDto,
  ReplayDto,
  WebhookReplayResultDto,
  ResendResultDto,
  RotateSecretDto,
  UpdateEndpointDto,
} from './webhook.dto.js';
import { WebhooksAdminService } from './webhooks-admin.service.js';

@ApiTags('webhooks')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field; invalid_endpoint_url; invalid_cursor' })
@Controller('api/v1/admin')
export class AdminWebhooksController {
  constructor(private readonly webhooks: WebhooksAdminService) {}

  @Post('suites/:suiteId/webhook-endpoints')
  @PERMISSION('manage')
  @ApiOperation({ summary: 'Register an endpoint for a suite\'s events; the answer holds its signing secret, shown once' })
  @ApiCreatedResponse({ type: EndpointWithSecretDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'suite_not_found' })
  create(@Param() params: SuiteParams, @Body() body: CreateEndpointDto): Promise<EndpointWithSecretDto> {
    return this.webhooks.create(params.suiteId, body);
  }

  @Get('suites/:suiteId/webhook-endpoints')
  @ApiOperation({ summary: 'A suite\'s endpoints (never their secrets)' })
  @ApiOkResponse({ type: EndpointListDto })
  async list(@Param() params: SuiteParams): Promise<EndpointListDto> {
    return { items: await this.webhooks.list(params.suiteId) };
  }

  @Get('webhook-endpoints/:id')
  @ApiOperation({ summary: 'One endpoint' })
  @ApiOkResponse({ type: EndpointDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'endpoint_not_found' })
  show(@Param() params: EndpointParams): Promise<EndpointDto> {
    return this.webhooks.show(params.id);
  }

  @Patch('webhook-endpoints/:id')
  @PERMISSION('manage')
  @ApiOperation({ summary: 'Change an endpoint; `enabled: true` re-enables one the platform disabled and sends what it is owed' })
  @ApiOkResponse({ type: EndpointDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'endpoint_not_found' })
  update(@Param() params: EndpointParams, @Body() body: UpdateEndpointDto): Promise<EndpointDto> {
    return this.webhooks.update(params.id, body);
  }

  @Delete('webhook-endpoints/:id')
  @PERMISSION('manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint and the deliveries it is still owed' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto, description: 'endpoint_not_found' })
  async remove(@Param() params: EndpointParams): Promise<void> {
    await this.webhooks.remove(params.id);
  }

  @Post('webhook-endpoints/:id/rotate-secret')
  @PERMISSION('manage')
  @ApiOperation({ summary: 'New signing secret (shown once); the old one keeps signing too for overlapSeconds (default 1 day)' })
  @ApiCreatedResponse({ type: EndpointWithSecretDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'endpoint_not_found' })
  rotate(@Param() params: EndpointParams, @Body() body: RotateSecretDto): Promise<EndpointWithSecretDto> {
    return this.webhooks.rotateSecret(params.id, body.overlapSeconds);
  }

  @Get('webhook-endpoints/:id/deliveries')
  @ApiOperation({ summary: 'An endpoint\'s deliveries, newest first' })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'endpoint_not_found' })
  deliveries(@Param() params: EndpointParams, @Query() query: DeliveryListQueryDto): Promise<DeliveryPageDto> {
    return this.webhooks.listDeliveries(params.id, query);
  }

  @Post('webhook-endpoints/:id/replay')
  @PERMISSION('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send every matching event since a time again (new deliveries, or existing ones started over)' })
  @ApiAcceptedResponse({ type: WebhookReplayResultDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'endpoint_not_found' })
  replay(@Param() params: EndpointParams, @Body() body: ReplayDto): Promise<WebhookReplayResultDto> {
    return this.webhooks.replay(params.id, new Date(body.since));
  }

  @Get('webhook-deliveries/:id')
  @ApiOperation({ summary: 'One delivery with every attempt (status, duration, response excerpt)' })
  @ApiOkResponse({ type: DeliveryDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'delivery_not_found' })
  delivery(@Param() params: DeliveryParams): Promise<DeliveryDetailDto> {
    return this.webhooks.showDelivery(params.id);
  }

  @Post('webhook-deliveries/:id/resend')
  @PERMISSION('operate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send one delivery again now, with a fresh retry schedule' })
  @ApiAcceptedResponse({ type: ResendResultDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'delivery_not_found' })
  resend(@Param() params: DeliveryParams): Promise<ResendResultDto> {
    return this.webhooks.resend(params.id);
  }

  @Get('event-types')
  @ApiOperation({ summary: 'The event catalogue: every type with its WeCom source and typed fields' })
  @ApiOkResponse({ type: [EventTypeDto] })
  eventTypes(): EventTypeDto[] {
    return eventCatalogue();
  }
}
