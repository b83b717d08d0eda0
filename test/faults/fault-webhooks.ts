import { WebhookEndpointRepository, SecretCipher } from '@app/store';
import { newSigningSecret } from '@app/events';
import { startWebhookReceiver, ReceivedWebhook, WebhookReceiver } from '../../scripts/webhook-receiver.js';
import { TEST_SECRET_KEY } from '../support/env.js';
import type { FaultRig } from './fault-rig.js';

/** Webhook settings for a short scenario: 1 s receiver timeout, retries every few seconds, a sweep every second. */
export const WEBHOOK_FAULT_ENV: Record<string, string> = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '0,1,2,3,3,3,3,3,3,3,3,3,3,3,3',
  WEBHOOK_SWEEP_INTERVAL_MS: '1000',
  WEBHOOK_SWEEP_GRACE_MS: '2000',
};

export interface WebhookFigures {
  /** platform events published for the suite */
  events: number;
  /** distinct webhook-ids the receiver verified */
  delivered: number;
  /** verified deliveries beyond the first per webhook-id (at-least-once) */
  duplicates: number;
  /** events never verified by the receiver */
  lost: number;
  /** duplicates whose body differed from the first delivery of the same webhook-id (must be 0) */
  mismatched: number;
}

/**
 * A vendor's receiver for one fault scenario, restartable on the same port (to be "down" for a while), with
 * the endpoint registered in the rig's database and every verified delivery kept across restarts.
 */
export class FaultReceiver {
  readonly received: ReceivedWebhook[] = [];
  receiver!: WebhookReceiver;
  private port = 0;
  private secret = newSigningSecret();

  constructor(private readonly rig: FaultRig) {}

  async start(): Promise<this> {
    this.receiver = await startWebhookReceiver({ secret: this.secret, port: this.port, onEvent: (w) => this.received.push(w) });
    this.port = Number(new URL(this.receiver.url).port);
    return this;
  }

  async register(maxConcurrency = 20): Promise<void> {
    const endpoints = new WebhookEndpointRepository(this.rig.prisma, new SecretCipher(TEST_SECRET_KEY));
    await endpoints.create(this.rig.suite.suiteId, { url: this.receiver.url, description: 'fault suite', eventTypes: ['contact.*'], corpIds: [], enabled: true, orderedByCorp: false, maxConcurrency }, this.secret);
  }

  async stop(): Promise<void> {
    await this.receiver.close();
  }

  async figures(): Promise<WebhookFigures> {
    const events = await this.rig.prisma.client.platformEvent.findMany({ where: { suiteId: this.rig.suite.suiteId, type: { startsWith: 'contact.' } }, select: { id: true } });
    const first = new Map<string, string>();
    let duplicates = 0;
    let mismatched = 0;
    for (const r of this.received) {
      const body = JSON.stringify(r.event);
      const seen = first.get(r.id);
      if (seen === undefined) first.set(r.id, body);
      else {
        duplicates++;
        if (seen !== body || r.event.id !== r.id) mismatched++;
      }
    }
    const lost = events.filter((e) => !first.has(`evt_${e.id}`)).length;
    return { events: events.length, delivered: first.size, duplicates, lost, mismatched };
  }

  /** Waits until every published event has been verified by the receiver (or the timeout). */
  async waitDelivered(expectedEvents: number, timeoutMs = 60_000): Promise<WebhookFigures> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.figures();
      if ((f.events >= expectedEvents && f.lost === 0) || Date.now() > deadline) return f;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
