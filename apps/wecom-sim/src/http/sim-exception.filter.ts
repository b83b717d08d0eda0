import { ArgumentsHost, Catch, ExceptionFilter, HttpException, LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomHex } from '../core/ids.js';
import { SimClock } from '../core/sim-clock.js';
import { ControlError, WecomError, errmsgFor } from '../core/wecom-error.js';

/**
 * WeCom errors are HTTP 200 with `{ errcode, errmsg }`; control errors are `{ error }` with a status;
 * unknown routes are a 404 JSON; anything unexpected is a 500 with an errorId that is also logged.
 */
@Catch()
export class SimExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly clock: SimClock,
    private readonly logger: LoggerService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (exception instanceof WecomError) {
      void reply.code(200).send({ errcode: exception.errcode, errmsg: errmsgFor(exception.errcode, this.clock.nowSeconds(), exception.detail) });
      return;
    }
    if (exception instanceof ControlError) {
      void reply.code(exception.status).send({ error: exception.message });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const path = request.url.split('?')[0];
      const message = status === 404 ? `no such API: ${request.method} ${path}` : exception.message;
      void reply.code(status).send({ errcode: status, errmsg: message });
      return;
    }
    const status = SimExceptionFilter.statusOf(exception);
    if (status !== undefined && status < 500) {
      void reply.code(status).send({ errcode: status, errmsg: exception instanceof Error ? exception.message : 'bad request' });
      return;
    }
    const errorId = randomHex(8);
    this.logger.error(`unexpected error ${errorId} on ${request.method} ${request.url.split('?')[0]}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    void reply.code(500).send({ errcode: -1, errmsg: 'system error', errorId });
  }

  /** Fastify's own errors (body too large, bad content) carry a statusCode. */
  private static statusOf(exception: unknown): number | undefined {
    if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
      const code = (exception as { statusCode: unknown }).statusCode;
      if (typeof code === 'number') return code;
    }
    return undefined;
  }
}
