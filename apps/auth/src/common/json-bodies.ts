import type { FastifyInstance } from 'fastify';

/** Fastify's error for a body whose Content-Type no parser takes. */
const UNSUPPORTED_MEDIA_TYPE_CODE = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';

/**
 * The auth app's routes take JSON (and the install button's empty form post); gateway routes take any type
 * (`registerGatewayBody` sets theirs aside before parsing). Fastify parses `text/plain` too, which turned a JSON body
 * sent with the wrong Content-Type into a string and a misleading "url must be a string": without that parser it is a
 * 415 that says what to send (`unsupportedMediaType`).
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
}

/**
 * Whether `err` is Fastify's refusal of a body's Content-Type (answered 415 `unsupported_media_type`): as Nest's
 * Fastify adapter hands it to the filters, an HttpException whose `cause` is the Fastify error.
 */
export function isUnsupportedMediaType(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return [err, cause].some((e) => (e as { code?: unknown } | null)?.code === UNSUPPORTED_MEDIA_TYPE_CODE);
}
