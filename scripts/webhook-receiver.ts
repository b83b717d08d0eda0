/**
 * A small webhook receiver the way a vendor writes one: reads the raw body, verifies it with the
 * `standardwebhooks` package, keeps what arrived. Used by the demo (prints each event), the tests, the fault
 * suite and the event-delivery bench. `behaviour` lets those make it fail: answer a status, hang, or refuse.
 *
 *   node dist/scripts/webhook-receiver.js <port> <whsec_…>     (prints one line per verified event)
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  /** `webhook-id`: the event id, the same on every attempt of the event. */
  id: string;
  event: { id: string; type: string; corpId: string | null; data: Record<string, unknown>; receivedAt: string; [key: string]: unknown };
  /** ms since the epoch when it arrived */
  at: number;
}

/** What to do with the next request: answer it (a status), hang (never answer), verify and accept (after a delay). */
export type Behaviour = { status: number } | { delayMs: number } | 'hang' | 'accept';

export interface WebhookReceiver {
  url: string;
  /** Every verified delivery, in arrival order (duplicates included). */
  received: ReceivedWebhook[];
  /** Requests whose signature did not verify. */
  rejected: number;
  /** Requests answered with a failure (set by `behave`). */
  failedOnPurpose: number;
  behave(next: Behaviour | ((req: IncomingMessage) => Behaviour)): void;
  /** Rotation: accept signatures by any of these secrets. */
  setSecrets(secrets: string[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret: string; port?: number; host?: string; onEvent?: (w: ReceivedWebhook) => void }): Promise<WebhookReceiver> {
  let verifiers = [new Webhook(options.secret)];
  let behaviour: Behaviour | ((req: IncomingMessage) => Behaviour) = 'accept';
  const hanging = new Set<ServerResponse>();
  const state = { rejected: 0, failedOnPurpose: 0 };
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = typeof behaviour === 'function' ? behaviour(req) : behaviour;
      if (now === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (typeof now === 'object' && 'status' in now) {
        state.failedOnPurpose++;
        res.writeHead(now.status, { 'content-type': 'text/plain' }).end(`failing on purpose: ${now.status}`);
        return;
      }
      if (typeof now === 'object') setTimeout(() => accept(req, res, chunks), now.delayMs);
      else accept(req, res, chunks);
    });
  });
  /** Verifies with `standardwebhooks` (each secret in turn, for rotations); 204 when it verifies, 400 otherwise. */
  const accept = (req: IncomingMessage, res: ServerResponse, chunks: Buffer[]): void => {
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = req.headers as Record<string, string>;
    for (const wh of verifiers) {
      try {
        const event = wh.verify(body, headers) as ReceivedWebhook['event'];
        const item = { id: headers['webhook-id'], event, at: Date.now() };
        received.push(item);
        options.onEvent?.(item);
        res.writeHead(204).end();
        return;
      } catch {
        /* try the next secret */
      }
    }
    state.rejected++;
    res.writeHead(400, { 'content-type': 'text/plain' }).end('signature did not verify');
  };
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    get rejected() {
      return state.rejected;
    },
    get failedOnPurpose() {
      return state.failedOnPurpose;
    },
    behave(next) {
      behaviour = next;
    },
    setSecrets(secrets) {
      verifiers = secrets.map((s) => new Webhook(s));
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, secret] = process.argv.slice(2);
  if (!port || !secret) {
    process.stderr.write('usage: node dist/scripts/webhook-receiver.js <port> <whsec_…>\n');
    process.exit(2);
  }
  const receiver = await startWebhookReceiver({
    secret,
    port: Number(port),
    onEvent: (w) => process.stdout.write(`verified ${w.id} ${w.event.type} corp=${w.event.corpId ?? '-'} ${JSON.stringify(w.event.data).slice(0, 160)}\n`),
  });
  process.stdout.write(`webhook receiver listening on ${receiver.url}\n`);
}
