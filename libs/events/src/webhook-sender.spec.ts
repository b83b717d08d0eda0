import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { WebhookSender } from './webhook-sender.js';
import { blockedAddress, checkEndpointTarget, checkEndpointUrl, EndpointUrlError } from './webhook-target.js';
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

  it('honours the allow-list exactly: a private address it does not name is refused even when the list is set', () => {
    const loopbackOnly = { allowHttp: true, allowPrivate: ['127.0.0.1/32'] };
    for (const refused of ['http://10.255.255.1:9/x', 'http://127.0.0.2/x', 'http://[::1]/x', 'http://169.254.169.254/x', 'http://100.64.0.1/x', 'http://0.0.0.0/x', 'http://[::ffff:127.0.0.1]/x', 'http://224.0.0.1/x']) {
      expect(() => checkEndpointUrl(refused, loopbackOnly)).toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS/);
    }
    expect(checkEndpointUrl('http://8.8.8.8/x', loopbackOnly)).toBe('http://8.8.8.8/x');
    expect(checkEndpointUrl('http://10.1.2.3/x', { allowHttp: true, allowPrivate: ['10.0.0.0/8', '::1/128'] })).toBe('http://10.1.2.3/x');
    expect(checkEndpointUrl('http://[::1]:8/x', { allowHttp: true, allowPrivate: ['10.0.0.0/8', '::1/128'] })).toBe('http://[::1]:8/x');
  });

  it('names the range it refuses, by the rule the sender applies (allow-list first, then public unicast only)', () => {
    expect(blockedAddress('127.0.0.1', [])).toBe('loopback');
    expect(blockedAddress('127.0.0.1', ['127.0.0.1'])).toBeNull();
    expect(blockedAddress('192.168.1.9', ['127.0.0.1/32'])).toBe('private');
    expect(blockedAddress('fe80::1', ['10.0.0.0/8'])).toBe('linkLocal');
    expect(blockedAddress('2001:4860:4860::8888', ['10.0.0.0/8'])).toBeNull();
  });

  it('resolves host names and refuses one whose addresses include a refused one; an unresolvable name passes', async () => {
    const policy = { allowHttp: false, allowPrivate: ['127.0.0.1/32'] };
    const resolvesTo = (...addresses: string[]) => () => Promise.resolve(addresses);
    await expect(checkEndpointTarget('https://intranet.example.com/x', policy, resolvesTo('93.184.216.34', '10.0.0.7'))).rejects.toThrow(/intranet\.example\.com \(10\.0\.0\.7\), a private address/);
    await expect(checkEndpointTarget('https://local.example.com/x', policy, resolvesTo('127.0.0.1'))).resolves.toBe('https://local.example.com/x');
    await expect(checkEndpointTarget('https://crm.example.com/x', policy, resolvesTo('93.184.216.34'))).resolves.toBe('https://crm.example.com/x');
    await expect(checkEndpointTarget('https://new.example.com/x', policy, () => Promise.reject(new Error('ENOTFOUND')))).resolves.toBe('https://new.example.com/x');
    await expect(checkEndpointTarget('https://10.0.0.7/x', policy, resolvesTo())).rejects.toThrow(EndpointUrlError);
  });
});
