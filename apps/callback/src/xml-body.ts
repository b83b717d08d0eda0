import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** WeCom posts XML, sometimes with no or an odd content type: take every body as a string, within the limit. */
export function acceptXmlBodies(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
}
