import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { WebhookSender } from './webhook-sender.js';
import { checkEndpointUrl, EndpointUrlError } from './webhook-target.js';
import { isSigningSecret, newSigningSecret, signWebhook } from './webhook-signer.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver the way a vendor writes one: read the raw body, verify with `standardwebhooks`, answer. */
function receiver(answer: (req: Received, res: ServerResponse) => void): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      answer(r, res);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received })));
}

const allowLoopback = { allowHttp: true, allowPrivate: ['127.0.0.1/32'], timeoutMs: 2000 };

describe('webhook signing (Standard Webhooks, verified with the standardwebhooks package on the receiving side)', () => {
  it('makes whsec_ secrets the package accepts', () => {
    const secret = newSigningSecret();
    expect(isSigningSecret(secret)).toBe(true);
    expect(() => new Webhook(secret)).not.toThrow();
    expect(isSigningSecret('whsec_short')).toBe(false);
    expect(isSigningSecret('sk_abc')).toBe(false);
  });

  it('produces headers a receiver verifies, and that fail with another secret or a changed body', () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ id: 'evt_1', type: 'message.text', data: { content: '你好' } });
    const headers = signWebhook([secret], 'evt_1', body, new Date());
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body.replace('你好', 'hi'), { ...headers })).toThrow(WebhookVerificationError);
  });

  it('during a rotation overlap sends both signatures, so either secret verifies', () => {
    const [next, previous] = [newSigningSecret(), newSigningSecret()];
    const body = '{"id":"evt_2"}';
    const headers = signWebhook([next, previous], 'evt_2', body, new Date());
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(next).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
  });
});

describe('WebhookSender', () => {
  const servers: Server[] = [];
  const senders: WebhookSender[] = [];
  afterAll(() => {
    servers.forEach((s) => s.close());
    senders.forEach((s) => s.close());
  });
  const sender = (options = allowLoopback): WebhookSender => {
    const s = new WebhookSender(options);
    senders.push(s);
    return s;
  };

  it('POSTs the body with the signature headers; the receiver verifies it', async () => {
    const secret = newSigningSecret();
    const verified: unknown[] = [];
    const { server, url } = await receiver((r, res) => {
      verified.push(new Webhook(secret).verify(r.body, r.headers as Record<string, string>));
      res.writeHead(204).end();
    });
    servers.push(server);
    const body = JSON.stringify({ id: 'evt_3', type: 'tenant.installed' });
    const result = await sender().send(url, body, signWebhook([secret], 'evt_3', body, new Date()));
    expect(result).toMatchObject({ status: 204, excerpt: '' });
    expect(verified).toEqual([{ id: 'evt_3', type: 'tenant.installed' }]);
  });

  it('refuses loopback targets unless allowed, at connect time', async () => {
    const { server, url, received } = await receiver((_r, res) => res.end('ok'));
    servers.push(server);
    const result = await sender({ allowHttp: true, allowPrivate: [], timeoutMs: 2000 }).send(url, '{}', signWebhook([newSigningSecret()], 'evt_4', '{}', new Date()));
    expect(result).toMatchObject({ status: null, error: 'blocked_target' });
    const byName = await sender({ allowHttp: true, allowPrivate: [], timeoutMs: 2000 }).send(url.replace('127.0.0.1', 'localhost'), '{}', signWebhook([newSigningSecret()], 'evt_4', '{}', new Date()));
    expect(byName).toMatchObject({ status: null, error: 'blocked_target' });
    expect(received).toHaveLength(0);
  });

  it('does not follow redirects: a 3xx is an answer to retry', async () => {
    const { server, url } = await receiver((_r, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end());
    servers.push(server);
    expect(await sender().send(url, '{}', signWebhook([newSigningSecret()], 'evt_5', '{}', new Date()))).toMatchObject({ status: 302 });
  });

  it('keeps only the first KiB of a response', async () => {
    const { server, url } = await receiver((_r, res) => res.writeHead(500).end('x'.repeat(5_000_000)));
    servers.push(server);
    const result = await sender().send(url, '{}', signWebhook([newSigningSecret()], 'evt_6', '{}', new Date()));
    expect(result.status).toBe(500);
    expect(result.excerpt).toHaveLength(1024);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const { server, url } = await receiver(() => undefined);
    servers.push(server);
    const result = await sender({ ...allowLoopback, timeoutMs: 300 }).send(url, '{}', signWebhook([newSigningSecret()], 'evt_7', '{}', new Date()));
    expect(result).toMatchObject({ status: null, error: 'timeout' });
    server.closeAllConnections();
  });

  it('reports a refused connection as a network error', async () => {
    const result = await sender().send('http://127.0.0.1:1/x', '{}', signWebhook([newSigningSecret()], 'evt_8', '{}', new Date()));
    expect(result).toMatchObject({ status: null, error: 'network' });
  });
});

describe('endpoint URL checks at registration', () => {
  const prod = { allowHttp: false, allowPrivate: [] };
  it('wants https in production, no credentials, no fragments, no literal private addresses', () => {
    expect(checkEndpointUrl('https://hooks.example.com/wecom', prod)).toBe('https://hooks.example.com/wecom');
    for (const bad of ['http://hooks.example.com/', 'ftp://x/', 'https://u:p@hooks.example.com/', 'https://hooks.example.com/#x', 'https://127.0.0.1/', 'https://10.1.2.3/', 'https://169.254.169.254/', 'https://[::1]/', 'https://localhost/', 'not a url']) {
      expect(() => checkEndpointUrl(bad, prod)).toThrow(EndpointUrlError);
    }
    expect(checkEndpointUrl('http://127.0.0.1:4400/hooks', { allowHttp: true, allowPrivate: ['127.0.0.1/32'] })).toBe('http://127.0.0.1:4400/hooks');
  });
});
