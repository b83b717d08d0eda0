import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@app/platform';

@Injectable()
export class AuthMetrics {
  readonly tokenRequests: Counter<'kind' | 'outcome'>;
  readonly tokenFetches: Counter<'kind' | 'outcome'>;
  readonly wecomCalls: Counter<'path' | 'outcome'>;
  readonly installs: Counter<'outcome'>;
  readonly logins: Counter<'outcome'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.tokenRequests = new Counter({
      name: 'auth_token_requests_total',
      help: 'Token API and JS-SDK requests by token kind and outcome (served, or the error code)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.tokenFetches = new Counter({
      name: 'wecom_token_fetches_total',
      help: 'Tokens and tickets fetched from WeCom by this process, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.wecomCalls = new Counter({
      name: 'wecom_api_calls_total',
      help: 'HTTP attempts against the WeCom API by path and outcome',
      labelNames: ['path', 'outcome'],
      registers,
    });
    this.installs = new Counter({ name: 'auth_installs_total', help: 'Install completions by outcome', labelNames: ['outcome'], registers });
    this.logins = new Counter({ name: 'auth_oauth_logins_total', help: 'Third-party OAuth logins by outcome', labelNames: ['outcome'], registers });
  }
}
