import { Injectable } from '@nestjs/common';
import type { WebhookEndpoint } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export type { WebhookEndpoint };

/** An endpoint as the admin API shows it: never its secrets. */
export type WebhookEndpointInfo = Omit<WebhookEndpoint, 'secret' | 'previousSecret'> & { rotating: boolean };

export interface EndpointSettings {
  url: string;
  description: string;
  eventTypes: string[];
  corpIds: string[];
  enabled: boolean;
  orderedByCorp: boolean;
  maxConcurrency: number;
}

export function endpointInfo(row: WebhookEndpoint, now = new Date()): WebhookEndpointInfo {
  const { secret: _secret, previousSecret: _previous, ...info } = row;
  return { ...info, rotating: !!row.previousSecret && !!row.previousSecretExpiresAt && row.previousSecretExpiresAt > now };
}

/** Webhook endpoints; signing secrets are sealed at rest and opened only for signing. */
@Injectable()
export class WebhookEndpointRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  async create(suiteId: string, settings: EndpointSettings, secret: string): Promise<WebhookEndpoint> {
    return this.prisma.client.webhookEndpoint.create({ data: { suiteId, ...settings, secret: this.cipher.seal(secret) } });
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    return this.prisma.client.webhookEndpoint.findUnique({ where: { id } });
  }

  async listBySuite(suiteId?: string): Promise<WebhookEndpoint[]> {
    return this.prisma.client.webhookEndpoint.findMany({ where: { suiteId }, orderBy: { createdAt: 'asc' } });
  }

  /** Enabled endpoints of a suite: the candidates for a new event. */
  async listEnabled(suiteId: string): Promise<WebhookEndpoint[]> {
    return this.prisma.client.webhookEndpoint.findMany({ where: { suiteId, enabled: true } });
  }

  /** Changes settings; enabling clears the platform's reason and failure streak. Null for an unknown id. */
  async update(id: string, changes: Partial<EndpointSettings>): Promise<WebhookEndpoint | null> {
    const extra = changes.enabled === true ? { disabledReason: null, disabledAt: null, failingSince: null } : changes.enabled === false ? { disabledAt: new Date() } : {};
    const { count } = await this.prisma.client.webhookEndpoint.updateMany({ where: { id }, data: { ...changes, ...extra } });
    return count ? this.findById(id) : null;
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.client.webhookEndpoint.deleteMany({ where: { id } });
    if (count) await this.prisma.client.webhookDelivery.deleteMany({ where: { endpointId: id, status: { in: ['pending', 'delivering'] } } });
    return count > 0;
  }

  /** New secret; the old one keeps being signed with until `overlapSeconds` from now. Null for an unknown id. */
  async rotateSecret(id: string, secret: string, overlapSeconds: number): Promise<WebhookEndpoint | null> {
    const current = await this.findById(id);
    if (!current) return null;
    return this.prisma.client.webhookEndpoint.update({
      where: { id },
      data: {
        secret: this.cipher.seal(secret),
        previousSecret: overlapSeconds > 0 ? current.secret : null,
        previousSecretExpiresAt: overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000) : null,
      },
    });
  }

  /** The secrets to sign with now: the current one, and the previous one during a rotation's overlap. */
  signingSecrets(endpoint: WebhookEndpoint, now = new Date()): string[] {
    const secrets = [this.cipher.open(endpoint.secret)];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) secrets.push(this.cipher.open(endpoint.previousSecret));
    return secrets;
  }

  /** After a 2xx: the failure streak ends. One cheap statement, skipped by the caller when already healthy. */
  async markHealthy(id: string): Promise<void> {
    await this.prisma.client.webhookEndpoint.updateMany({ where: { id, failingSince: { not: null } }, data: { failingSince: null } });
  }

  /** After a failed attempt: starts the streak if none; returns when it started. */
  async markFailing(id: string, at: Date): Promise<Date> {
    await this.prisma.client.webhookEndpoint.updateMany({ where: { id, failingSince: null }, data: { failingSince: at } });
    const row = await this.prisma.client.webhookEndpoint.findUnique({ where: { id }, select: { failingSince: true } });
    return row?.failingSince ?? at;
  }

  /** The platform disables an endpoint (410 Gone, failing for days); returns false if it was already disabled. */
  async disable(id: string, reason: string): Promise<boolean> {
    const { count } = await this.prisma.client.webhookEndpoint.updateMany({ where: { id, enabled: true }, data: { enabled: false, disabledReason: reason, disabledAt: new Date() } });
    return count > 0;
  }
}
