import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AdminAccess } from '../access/admin-access.decorator.js';
import { OverviewDto } from './overview.dto.js';
import { OverviewService } from './overview.service.js';

export class OverviewQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 14, description: 'UTC days of install history, today included' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  days?: number;
}

@ApiTags('admin')
@AdminAccess('read')
@Controller('api/v1/admin/overview')
export class AdminOverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({ summary: 'Tenants by status, installs per day, callback intake and processing per hour, backlog, ticket ages, token freshness' })
  @ApiOkResponse({ type: OverviewDto })
  get(@Query() query: OverviewQueryDto): Promise<OverviewDto> {
    return this.overview.overview(query.days ?? 14);
  }
}
