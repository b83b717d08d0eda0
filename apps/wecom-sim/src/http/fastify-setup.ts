import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidJsonBody } from '../core/params.js';
import { SimCore } from '../core/sim-core.js';
import { Errcode, errmsgFor } from '../core/wecom-error.js';

const BODY_LIMIT = 1024 * 1024;
/** media/upload takes files up to 20 MB; a little more is read so that an oversize file earns WeCom's errcode. */
const UPLOAD_BODY_LIMIT = 22 * 1024 * 1024;

/**
 * WeCom reads request bodies as JSON whatever the Content-Type, and answers 47001 for bodies that are not
 * JSON instead of an HTTP 400: one catch-all parser keeps malformed bodies as `InvalidJsonBody` so the
 * handlers can answer the way WeCom does.
 */
export function installBodyParser(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, new InvalidJsonBody(text));
    }
  });
  // Uploads (media/upload) stay bytes: the handler reads the multipart parts itself.
  instance.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: UPLOAD_BODY_LIMIT }, (_request, body, done) => done(null, body));
}

function gatewayPage(status: number): string {
  return `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>stgw</center></body></html>`;
}

/**
 * Before a WeCom API call is routed: count it, apply an injected fault (latency, errcode, HTTP status or a
 * dropped connection), then the global rate limit. Suite/corp-scoped limits are applied by the core once
 * the caller is known. Control routes (`/sim/...`) and the browser pages are never affected.
 */
export function installTrafficHook(instance: FastifyInstance, core: SimCore): void {
  instance.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    if (!url.startsWith('/cgi-bin/')) return;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    core.counter.call(path);
    const decision = core.faults.decide(path, core.clock.now());
    if (decision) {
      if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
      switch (decision.action) {
        case 'drop':
          reply.hijack();
          request.raw.socket.destroy();
          return;
        case 'errcode':
          return reply.code(decision.httpStatus).send({ errcode: decision.errcode, errmsg: errmsgFor(decision.errcode, core.clock.nowSeconds(), 'injected fault') });
        case 'http':
          return reply.code(decision.httpStatus).type('text/html').send(gatewayPage(decision.httpStatus));
        case 'delay':
          break;
      }
    }
    if (core.limiter.hasRules && !core.limiter.admit('global', {}, core.clock.now())) {
      return reply.code(200).send({ errcode: Errcode.RATE_LIMITED, errmsg: errmsgFor(Errcode.RATE_LIMITED, core.clock.nowSeconds()) });
    }
  });
}

/** Changes successful WeCom answers as `/sim/response-patches` rules say (never control routes or pages). */
export function installResponsePatchHook(instance: FastifyInstance, core: SimCore): void {
  instance.addHook('preSerialization', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    const url = request.url;
    if (!url.startsWith('/cgi-bin/') || core.patches.size === 0) return payload;
    const q = url.indexOf('?');
    return core.patches.apply(q === -1 ? url : url.slice(0, q), payload);
  });
}
