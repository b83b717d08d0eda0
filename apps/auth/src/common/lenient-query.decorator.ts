import { createParamDecorator, ExecutionContext, ValidationPipe } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const QueryObject = createParamDecorator((_data: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<FastifyRequest>().query);

/**
 * The query of a redirect WeCom sends the browser back with. Validated like any input, but parameters we do
 * not know are dropped rather than refused: WeCom may add some, and the user must not see a 400 for it.
 * (The global pipe leaves custom decorators alone, so this pipe is the only one that runs.)
 */
export const WecomRedirectQuery = (): ParameterDecorator =>
  QueryObject(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, transform: true, validateCustomDecorators: true }));
