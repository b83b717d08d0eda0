import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import type { TargetPolicy } from './webhook-target.js';
import type { WebhookHeaders } from './webhook-signer.js';

export interface SenderOptions extends TargetPolicy {
  /** Whole-attempt timeout (connect + send + response headers and excerpt), ms. Default 15,000. */
  timeoutMs: number;
  /** Response bytes kept for the attempt record. Default 1,024; the rest is not read. */
  excerptBytes?: number;
}

/** What one POST came to. `status` is null when no HTTP answer came (refused, timeout, blocked target). */
export interface SendResult {
  status: number | null;
  durationMs: number;
  /** The start of the response body (UTF-8, at most `excerptBytes`), or the network error. */
  excerpt: string;
  /** `timeout`, `blocked_target`, `network`, or undefined when an HTTP answer came. */
  error?: 'timeout' | 'blocked_target' | 'network';
}

/**
 * POSTs signed webhook bodies. Safety: the agents (`request-filtering-agent`) check every address the host name
 * resolves to at connect time, so DNS rebinding cannot reach a private address; redirects are never followed (a 3xx
 * is an answer like any other non-2xx); only the first `excerptBytes` of a response are read. Connections are kept
 * alive per host. Never throws for what the receiver does.
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly excerptBytes: number;

  constructor(private readonly options: SenderOptions) {
    const filter = { allowPrivateIPAddress: false, allowMetaIPAddress: false, allowIPAddressList: [...options.allowPrivate] };
    const pool = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: options.timeoutMs };
    this.httpAgent = new RequestFilteringHttpAgent({ ...pool, ...filter });
    this.httpsAgent = new RequestFilteringHttpsAgent({ ...pool, ...filter });
    this.excerptBytes = options.excerptBytes ?? 1024;
  }

  send(url: string, body: string, headers: WebhookHeaders): Promise<SendResult> {
    const started = performance.now();
    const target = new URL(url);
    const isHttps = target.protocol === 'https:';
    if (!isHttps && !(target.protocol === 'http:' && this.options.allowHttp)) {
      return Promise.resolve({ status: null, durationMs: 0, excerpt: 'http is not allowed (WEBHOOK_ALLOW_HTTP)', error: 'blocked_target' });
    }
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: Math.round((performance.now() - started) * 10) / 10 });
      };
      const request = (isHttps ? https : http).request(target, {
        method: 'POST',
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'wecom-isv-platform-webhooks/1',
          ...headers,
        },
      });
      const timer = setTimeout(() => {
        finish({ status: null, excerpt: `no answer within ${this.options.timeoutMs} ms`, error: 'timeout' });
        request.destroy();
      }, this.options.timeoutMs);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (): void => {
          finish({ status: response.statusCode ?? null, excerpt: Buffer.concat(chunks).subarray(0, this.excerptBytes).toString('utf8') });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // Enough for the record: stop reading (and drop the connection) rather than take an unbounded body.
          if (size >= this.excerptBytes) {
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', done);
        response.on('aborted', done);
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        const blocked = /is not allowed/.test(err.message);
        finish({ status: null, excerpt: `${err.code ?? err.name}: ${err.message}`.slice(0, this.excerptBytes), error: blocked ? 'blocked_target' : 'network' });
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
