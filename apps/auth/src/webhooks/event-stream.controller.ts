import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAccess } from '../access/api-access.decorator.js';
import { ErrorDto } from '../common/error.dto.js';
import { SuiteParams } from '../common/ids.js';
import { EventStreamService } from './event-stream.service.js';
import { EventStreamPageDto, PullQueryDto } from './webhook.dto.js';

@ApiTags('events')
@ApiAccess('suite')
@Controller('api/v1/suites/:suiteId/events')
export class EventStreamController {
  constructor(private readonly stream: EventStreamService) {}

  @Get()
  @ApiOperation({
    summary: 'Pull a suite\'s events after a cursor, oldest first (the webhook envelope); `wait` long-polls',
    description: 'For services that cannot expose a URL. Loop: `GET …/events?after=<nextCursor>&wait=30`. Events are kept; each consumer keeps its own cursor.',
  })
  @ApiOkResponse({ type: EventStreamPageDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Validation errors; invalid_event_types' })
  pull(@Param() params: SuiteParams, @Query() query: PullQueryDto): Promise<EventStreamPageDto> {
    return this.stream.pull(params.suiteId, query);
  }
}
