import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The content type the gateway's requests are parsed as: bytes, whatever the caller declared. */
const GATEWAY_CONTENT_TYPE = 'application/x-wecom-gateway-body';
/** Above WeCom's largest upload (20 MB file) plus multipart framing. */
export const GATEWAY_BODY_LIMIT = 21 * 1024 * 1024;
/** `/api/v1/suites/:suiteId/corps/:corpId/wecom/...` and `/api/v1/providers/:providerCorpId/wecom/...` */
export const GATEWAY_URL = /^\/api\/v1\/(suites\/[^/?]+\/corps|providers)\/[^/?]+\/wecom\//;

const declared = new WeakMap<FastifyRequest, string>();

/** The Content-Type the caller sent to a gateway route (the parser saw another one). */
export function callerContentType(request: FastifyRequest): string | undefined {
  return declared.get(request);
}

/**
 * Gateway requests are passed on as the caller sent them, so their bodies must not go through the app's JSON parser
 * (which would re-serialize them, and refuses multipart): before parsing, their Content-Type is set aside and the body
 * read as bytes (up to GATEWAY_BODY_LIMIT). Every other route keeps its parsers. Bodies are read whole rather than
 * streamed: a token errcode needs the same body sent again, and an upload is checked before WeCom sees a byte.
 */
export function registerGatewayBody(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    if (type === undefined || !GATEWAY_URL.test(request.url)) return;
    declared.set(request, type);
    request.headers['content-type'] = GATEWAY_CONTENT_TYPE;
  });
  fastify.addContentTypeParser(GATEWAY_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: GATEWAY_BODY_LIMIT }, (_request, body, done) => done(null, body));
}
