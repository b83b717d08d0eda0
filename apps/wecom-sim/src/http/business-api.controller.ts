import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CorpCallWindow } from '../core/corp-call-log.js';
import { IdConvertPath } from '../core/idconvert-api.js';
import { MediaPath, UploadResponse } from '../core/media-api.js';
import { MessagePath, MessageStats, SendResponse } from '../core/message-api.js';
import { bodyObject, QueryParams, queryParam } from '../core/params.js';
import { Ok } from '../core/service-api.js';
import { SimCore } from '../core/sim-core.js';
import { readFilePart } from './multipart.js';

/**
 * The business APIs a vendor's services call through the platform's gateway: app messages, temporary media and the id
 * conversions, with WeCom's limits and errcodes (routing only; the behaviour lives in the core). Also their `/sim`
 * views: messages delivered and dropped, uploads, and the calls made for one corp per minute.
 */
@Controller()
export class BusinessApiController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Post(MessagePath.send)
  @HttpCode(200)
  sendMessage(@Query() query: QueryParams, @Body() body: unknown): SendResponse {
    return this.core.messages.send(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Post(MediaPath.upload)
  @HttpCode(200)
  async uploadMedia(@Query() query: QueryParams, @Req() request: FastifyRequest): Promise<UploadResponse> {
    const contentType = String(request.headers['content-type'] ?? '');
    const file = Buffer.isBuffer(request.body) ? await readFilePart(request.body, contentType) : null;
    return this.core.media.upload(queryParam(query, 'access_token'), queryParam(query, 'type'), file);
  }

  /** 获取临时素材: the file as an HTTP download (WeCom's headers), or WeCom's JSON error. */
  @Get(MediaPath.get)
  async getMedia(@Query() query: QueryParams, @Res() reply: FastifyReply): Promise<void> {
    const media = this.core.media.get(queryParam(query, 'access_token'), queryParam(query, 'media_id'));
    await reply
      .headers({ 'content-type': media.contentType, 'content-disposition': media.contentDisposition, 'cache-control': 'no-cache, must-revalidate' })
      .send(media.data);
  }

  @Post(IdConvertPath.corpidToOpenCorpid)
  @HttpCode(200)
  corpidToOpenCorpid(@Query() query: QueryParams, @Body() body: unknown): Ok & { open_corpid: string } {
    return this.core.idConvert.corpidToOpenCorpid(queryParam(query, 'provider_access_token'), bodyObject(body));
  }

  @Post(IdConvertPath.useridToOpenUserid)
  @HttpCode(200)
  useridToOpenUserid(@Query() query: QueryParams, @Body() body: unknown): Ok {
    return this.core.idConvert.useridToOpenUserid(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Post(IdConvertPath.newExternalUserid)
  @HttpCode(200)
  newExternalUserid(@Query() query: QueryParams, @Body() body: unknown): Ok {
    return this.core.idConvert.newExternalUserid(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Post(IdConvertPath.groupchatNewExternalUserid)
  @HttpCode(200)
  groupchatNewExternalUserid(@Query() query: QueryParams, @Body() body: unknown): Ok {
    return this.core.idConvert.groupchatNewExternalUserid(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Post(IdConvertPath.unionidToExternalUserid)
  @HttpCode(200)
  unionidToExternalUserid(@Query() query: QueryParams, @Body() body: unknown): Ok {
    return this.core.idConvert.unionidToExternalUserid(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Post(IdConvertPath.convertTmpExternalUserid)
  @HttpCode(200)
  convertTmpExternalUserid(@Query() query: QueryParams, @Body() body: unknown): Ok {
    return this.core.idConvert.convertTmpExternalUserid(queryParam(query, 'access_token'), bodyObject(body));
  }

  @Get('sim/messages')
  messageStats(): { by_corp: Record<string, MessageStats> } {
    return { by_corp: this.core.messages.snapshot() };
  }

  @Get('sim/media')
  mediaStats(): { uploads_by_corp: Record<string, number> } {
    return { uploads_by_corp: this.core.media.snapshot() };
  }

  /** `?path=` narrows `total` and `max_in_any_minute` to one WeCom path. */
  @Get('sim/calls/corps/:corpId')
  corpCalls(@Param('corpId') corpId: string, @Query() query: QueryParams): CorpCallWindow {
    return this.core.counter.corpLog.window(corpId, queryParam(query, 'path'));
  }
}
