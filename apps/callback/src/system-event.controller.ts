import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { SignatureQuery } from './callback-request.js';
import { SystemEventIntakeService } from './system-event-intake.service.js';

/** The provider's 系统事件接收URL: `/callback/providers/:providerCorpId/system`, answers in plain text as WeCom expects. */
@Controller('callback/providers/:providerCorpId/system')
export class SystemEventController {
  constructor(private readonly intake: SystemEventIntakeService) {}

  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  verify(@Param('providerCorpId') providerCorpId: string, @Query() query: SignatureQuery): Promise<string> {
    return this.intake.verifyUrl(providerCorpId, query);
  }

  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(@Param('providerCorpId') providerCorpId: string, @Query() query: SignatureQuery, @Body() body: unknown): Promise<string> {
    await this.intake.receive(providerCorpId, query, body);
    return 'success';
  }
}
