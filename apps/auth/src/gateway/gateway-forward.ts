import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerContentType } from './gateway-body.js';
import { GatewayRefusal } from './gateway-refusal.js';
import type { GatewayCall, GatewayService } from './gateway.service.js';

/**
 * Forwards the caller's request to WeCom for `target` (a corp, or a provider with empty suite and corp): WeCom's path
 * is what `prefix`'s group takes from the URL as sent, the method GET or POST, query and body as they came. Replies
 * with WeCom's answer as is, or the gateway's refusal as `{ statusCode, error, message }` (Retry-After on a 429);
 * other errors are thrown to the app's filter.
 */
export async function forwardToWecom(
  gateway: GatewayService,
  target: Pick<GatewayCall, 'suiteId' | 'corpId' | 'providerCorpId'>,
  prefix: RegExp,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const url = request.url;
  const q = url.indexOf('?');
  try {
    const answer = await gateway.call({
      ...target,
      method: request.method === 'POST' ? 'POST' : 'GET',
      path: prefix.exec(url)?.[1] ?? '',
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      contentType: callerContentType(request),
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
    });
    await reply.code(answer.status).headers(answer.headers).send(answer.body ?? '');
  } catch (err) {
    if (!(err instanceof GatewayRefusal)) throw err;
    if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
    await reply.code(err.status).send({ statusCode: err.status, error: err.code, message: err.message });
  }
}
