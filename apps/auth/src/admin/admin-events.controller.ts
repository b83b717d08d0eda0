import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { PERMISSION } from '../access/admin-access.guard.js';
import { ErrorDto } from '../common/error.dto.js';
import { BatchReplayDto, BatchReplayResultDto, EventDetailDto, EventListQueryDto, EventPageDto, EventParams, ReplayResultDto } from './event.dto.js';
import { EventsAdminService } from './events-admin.service.js';

@ApiTags('admin')
@AdminAccess('read')
@ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors, one message per bad field; invalid_cursor' })
@Controller('api/v1/admin/events')
export class AdminEventsController {
  constructor(private readonly events: EventsAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Callback inbox, newest first; filter by suite, corp, type, status, kind and time' })
  @ApiOkResponse({ type: EventPageDto })
  list(@Query() query: EventListQueryDto): Promise<EventPageDto> {
    return this.events.list(query);
  }

  @Post('replay')
  @HttpCode(202)
  @PERMISSION('operate')
  @ApiOperation({ summary: 'Replay a filtered batch: the newest `max` matching events (default status failed), one job each' })
  @ApiAcceptedResponse({ type: BatchReplayResultDto })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'queue_unavailable' })
  replayMany(@Body() body: BatchReplayDto): Promise<BatchReplayResultDto> {
    return this.events.replayMany(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One inbox event with its (redacted) payload' })
  @ApiOkResponse({ type: EventDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'event_not_found' })
  show(@Param() params: EventParams): Promise<EventDetailDto> {
    return this.events.show(params.id);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @PERMISSION('operate')
  @ApiOperation({ summary: 'Process an event again: back to queued, onto the callback-events queue' })
  @ApiAcceptedResponse({ type: ReplayResultDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'event_not_found' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'queue_unavailable' })
  replay(@Param() params: EventParams): Promise<ReplayResultDto> {
    return this.events.replay(params.id);
  }
}
