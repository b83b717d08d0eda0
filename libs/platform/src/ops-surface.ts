import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** Routes for operators, not for the public: Prometheus metrics and the API documentation. */
function isOpsRoute(route: string): boolean {
  return route === '/metrics' || route === '/docs' || route.startsWith('/docs/') || route.startsWith('/docs-');
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

const NOT_FOUND = { statusCode: 404, error: 'Not Found', message: 'Not Found' };

/**
 * Keeps `/metrics`, `/docs` and the details of `/health` (which name the database and Redis and their errors) off the
 * public port. With `opsPort`, they are served on that second listener only — which serves nothing else — and the
 * public `/health` answers `{ status }` alone, for load balancers. Without it, only loopback peers (the TCP peer, never
 * X-Forwarded-For) get them. Call before `listen`; returns a starter for the ops listener to run after it.
 */
export function guardOpsSurface(app: NestFastifyApplication, opsPort: number | undefined): (host: string) => Promise<Server | null> {
  const fastify = app.getHttpAdapter().getInstance();
  const briefHealth = new WeakSet<FastifyRequest>();
  let listenerPort: number | undefined;
  let server: Server | null = null;
  fastify.addHook('onClose', async () => {
    const closing = server;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  });

  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? '';
    const trusted = opsPort === undefined ? isLoopback(request.raw.socket.remoteAddress) : request.raw.socket.localPort === listenerPort;
    if (opsPort !== undefined && trusted && !isOpsRoute(route) && route !== '/health') {
      await reply.code(404).send(NOT_FOUND);
      return reply;
    }
    if (trusted) return;
    if (isOpsRoute(route)) {
      await reply.code(404).send(NOT_FOUND);
      return reply;
    }
    if (route === '/health') briefHealth.add(request);
  });
  fastify.addHook('onSend', async (request, _reply, payload) => {
    if (!briefHealth.has(request) || typeof payload !== 'string') return payload;
    try {
      return JSON.stringify({ status: (JSON.parse(payload) as { status?: unknown }).status });
    } catch {
      return payload;
    }
  });

  return async (host) => {
    if (opsPort === undefined) return null;
    const listener = createServer((req, res) => fastify.routing(req, res));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(opsPort, host, () => resolve());
    });
    listenerPort = (listener.address() as AddressInfo).port;
    server = listener;
    return listener;
  };
}
