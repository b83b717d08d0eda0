import { Body, Controller, Get, Header, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import type { CallbackKind } from '@app/store';
import { CallbackIntakeService, SignatureQuery } from './callback-intake.service.js';

function kindOf(kind: string): CallbackKind {
  if (kind === 'command' || kind === 'data') return kind;
  throw new NotFoundException(`no callback kind "${kind}": use command or data`);
}

/** WeCom's callbacks in; answers are plain text as WeCom expects. */
@Controller('callback/suites/:suiteId')
export class CallbackController {
  constructor(private readonly intake: CallbackIntakeService) {}

  @Get(':kind')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  verify(@Param('suiteId') suiteId: string, @Param('kind') kind: string, @Query() query: SignatureQuery): Promise<string> {
    return this.intake.verifyUrl(suiteId, kindOf(kind), query);
  }

  @Post(':kind')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(
    @Param('suiteId') suiteId: string,
    @Param('kind') kind: string,
    @Query() query: SignatureQuery,
    @Body() body: unknown,
  ): Promise<string> {
    await this.intake.receive(suiteId, kindOf(kind), query, body);
    return 'success';
  }
}
