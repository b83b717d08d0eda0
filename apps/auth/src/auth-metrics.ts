import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '@app/platform';

@Injectable()
export class AuthMetrics {
  readonly tokenRequests: Counter<'kind' | 'outcome'>;
  readonly tokenFetches: Counter<'kind' | 'outcome'>;
  readonly wecomCalls: Counter<'path' | 'outcome'>;
  readonly installs: Counter<'outcome'>;
  readonly logins: Counter<'outcome'>;
  readonly gatewayCalls: Counter<'path' | 'errcode' | 'corp_class'>;
  readonly gatewayDuration: Histogram<'path'>;

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
    this.gatewayCalls = new Counter({
      name: 'wecom_gateway_calls_total',
      help: "Calls through the WeCom gateway by WeCom path, outcome (WeCom's errcode, or the gateway's refusal code) and corp size class",
      labelNames: ['path', 'errcode', 'corp_class'],
      registers,
    });
    this.gatewayDuration = new Histogram({
      name: 'wecom_gateway_call_seconds',
      help: 'Time a gateway call took in all (WeCom included), by WeCom path',
      labelNames: ['path'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}
