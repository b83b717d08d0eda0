import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the simulator that delivers every request but, for paths starting with one of
 * `holdPaths`, holds WeCom's answer for `holdMs` before passing it on — a slow network on the way back. A client
 * whose timeout is shorter sees a timeout for a call WeCom did process (the one-time code is spent).
 */
export class HoldingProxy {
  holdPaths: string[] = [];
  holdMs = 0;
  /** Requests whose answer was held, by path. */
  readonly held: string[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${this.target}${req.url ?? '/'}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
    });
    const body = await upstream.text();
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (this.holdPaths.some((p) => path.startsWith(p))) {
      this.held.push(path);
      await new Promise((resolve) => setTimeout(resolve, this.holdMs));
    }
    if (res.destroyed) return;
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
  }
}
