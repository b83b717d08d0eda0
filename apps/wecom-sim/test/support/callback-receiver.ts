import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
}

export type Responder = (request: ReceivedRequest) => { status: number; body: string };

/** A tiny HTTP server standing in for the platform's callback app: records requests, answers `success`. */
export class CallbackReceiver {
  readonly requests: ReceivedRequest[] = [];
  responder: Responder = () => ({ status: 200, body: 'success' });
  private server?: Server;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.responder = () => ({ status: 200, body: 'success' });
  }

  /** Waits until `count` requests matching the predicate have arrived; returns them. */
  async waitFor(predicate: (r: ReceivedRequest) => boolean, count = 1, timeoutMs = 5000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.requests.filter(predicate);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} callback(s); got ${matching.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(request);
      const { status, body } = this.responder(request);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
  }
}

/** The text of `<Name>` in a WeCom XML payload, with or without CDATA (whitespace trimmed). */
export function xmlField(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${name}>`).exec(xml);
  if (!match) return undefined;
  return (match[1] ?? match[2]).trim();
}
