import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * A new endpoint signing secret, Standard Webhooks style: `whsec_` + base64 of 32 random bytes.
 * Shown once to the vendor; stored sealed.
 */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** True for a secret the `standardwebhooks` package accepts (`whsec_` + base64 of 24 to 64 bytes). */
export function isSigningSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** The three Standard Webhooks headers of one delivery attempt. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a body with every given secret (the current one, and during a rotation's overlap the previous one):
 * `webhook-signature` lists one `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated,
 * as the Standard Webhooks spec allows, so a receiver holding either secret verifies it.
 * `timestamp` is the attempt's time (receivers refuse timestamps over 5 minutes off).
 */
export function signWebhook(secrets: readonly string[], msgId: string, body: string, timestamp: Date): WebhookHeaders {
  if (!secrets.length) throw new Error('signWebhook needs at least one secret');
  const signature = secrets.map((secret) => new Webhook(secret).sign(msgId, timestamp, body)).join(' ');
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
