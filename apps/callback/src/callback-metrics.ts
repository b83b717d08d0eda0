import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '@app/platform';

@Injectable()
export class CallbackMetrics {
  readonly callbacks: Counter<'kind' | 'type' | 'outcome'>;
  readonly latency: Histogram<'kind'>;

  constructor(metrics: MetricsRegistry) {
    this.callbacks = new Counter({
      name: 'wecom_callbacks_total',
      help: 'Callbacks received, by kind (command/data), type (InfoType, MsgType or event) and outcome',
      labelNames: ['kind', 'type', 'outcome'],
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'wecom_callback_duration_seconds',
      help: 'Time from request to answer for callback POSTs',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    });
  }
}
