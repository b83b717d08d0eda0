import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MEDIA_RULES, MEDIA_UPLOAD_PATHS, MediaType } from './media-check.js';

/** The content type the gateway's requests are parsed as: bytes, whatever the caller declared. */
const GATEWAY_CONTENT_TYPE = 'application/x-wecom-gateway-body';
/** Above WeCom's largest upload (20 MB file) plus multipart framing. */
export const GATEWAY_BODY_LIMIT = 21 * 1024 * 1024;
/** `/api/v1/suites/:suiteId/corps/:corpId/wecom/...` and `/api/v1/providers/:providerCorpId/wecom/...` */
export const GATEWAY_URL = /^\/api\/v1\/(suites\/[^/?]+\/corps|providers)\/[^/?]+\/wecom\//;

/** Room for multipart framing (boundaries, part headers) around an upload's bytes. */
const MULTIPART_SLACK_BYTES = 64 * 1024;
const UPLOAD_URL = /\/wecom(\/cgi-bin\/[^?]*)\?(?:.*&)?type=([a-z]+)/;

const declared = new WeakMap<FastifyRequest, string>();

/** The Content-Type the caller sent to a gateway route (the parser saw another one). */
export function callerContentType(request: FastifyRequest): string | undefined {
  return declared.get(request);
}

/**
 * Gateway requests are passed on as the caller sent them, so their bodies must not go through the app's JSON parser
 * (which would re-serialize them, and refuses multipart): before parsing, their Content-Type is set aside and the body
 * read as bytes (up to GATEWAY_BODY_LIMIT). Every other route keeps its parsers.
 *
 * Bodies are buffered rather than streamed, by choice: a JSON body (≤ 2 MB) must be sent again after a token errcode;
 * an upload (≤ WeCom's 20 MB) is checked whole before WeCom sees a byte — its magic bytes, its size, and for a voice
 * its length, which needs every AMR frame — and could not be sent again either if it had been streamed. What streaming
 * would save, memory for bodies in flight, is bounded here instead: an upload whose declared Content-Length is already
 * over its media type's limit is refused (413 `media_too_large`) before a byte of it is read.
 */
export function registerGatewayBody(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const type = request.headers['content-type'];
    if (type === undefined || !GATEWAY_URL.test(request.url)) return;
    const tooLarge = uploadOverLimit(request);
    if (tooLarge) {
      await reply.code(413).send({ statusCode: 413, error: 'media_too_large', message: tooLarge });
      return reply;
    }
    declared.set(request, type);
    request.headers['content-type'] = GATEWAY_CONTENT_TYPE;
  });
  fastify.addContentTypeParser(GATEWAY_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: GATEWAY_BODY_LIMIT }, (_request, body, done) => done(null, body));
}

/** Why an upload is refused before it is read (its Content-Length is over its type's limit), or null. */
function uploadOverLimit(request: FastifyRequest): string | null {
  const match = UPLOAD_URL.exec(request.url);
  if (!match || !MEDIA_UPLOAD_PATHS.has(match[1]) || !(match[2] in MEDIA_RULES)) return null;
  const length = Number(request.headers['content-length']);
  const { maxBytes } = MEDIA_RULES[match[2] as MediaType];
  if (!Number.isFinite(length) || length <= maxBytes + MULTIPART_SLACK_BYTES) return null;
  return `${match[2]} uploads are at most ${maxBytes} bytes; this request declares ${length}`;
}
