import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export interface RotationReport {
  resealed: number;
  alreadyCurrent: number;
}

const BATCH = 500;

/** Re-seals every stored secret under the current SECRET_KEY, so old keys can then be retired. */
@Injectable()
export class SecretRotationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  async rotateAll(): Promise<RotationReport> {
    const report: RotationReport = { resealed: 0, alreadyCurrent: 0 };
    const count = (changed: boolean): void => {
      if (changed) report.resealed++;
      else report.alreadyCurrent++;
    };
    const db = this.prisma.client;

    for (const suite of await db.suite.findMany()) {
      const secretEnc = this.cipher.reseal(suite.secretEnc);
      const encodingAesKeyEnc = this.cipher.reseal(suite.encodingAesKeyEnc);
      const providerSecretEnc = suite.providerSecretEnc ? this.cipher.reseal(suite.providerSecretEnc) : null;
      [secretEnc, encodingAesKeyEnc, ...(suite.providerSecretEnc ? [providerSecretEnc] : [])].forEach((v) => count(v !== null));
      if (secretEnc || encodingAesKeyEnc || providerSecretEnc) {
        await db.suite.update({
          where: { id: suite.id },
          data: {
            secretEnc: secretEnc ?? undefined,
            encodingAesKeyEnc: encodingAesKeyEnc ?? undefined,
            providerSecretEnc: providerSecretEnc ?? undefined,
          },
        });
      }
    }

    for (const ticket of await db.suiteTicket.findMany()) {
      const ticketEnc = this.cipher.reseal(ticket.ticketEnc);
      count(ticketEnc !== null);
      if (ticketEnc) await db.suiteTicket.update({ where: { suiteId: ticket.suiteId }, data: { ticketEnc } });
    }

    for (let afterId: string | undefined; ; ) {
      const corps = await db.authCorp.findMany({
        where: { permanentCodeEnc: { not: null }, id: afterId ? { gt: afterId } : undefined },
        select: { id: true, permanentCodeEnc: true },
        orderBy: { id: 'asc' },
        take: BATCH,
      });
      if (!corps.length) break;
      afterId = corps[corps.length - 1].id;
      for (const corp of corps) {
        const permanentCodeEnc = this.cipher.reseal(corp.permanentCodeEnc!);
        count(permanentCodeEnc !== null);
        if (permanentCodeEnc) await db.authCorp.update({ where: { id: corp.id }, data: { permanentCodeEnc } });
      }
    }

    // Stored tokens are short-lived copies: re-seal them too so an old key can be dropped at once.
    for (const token of await db.storedToken.findMany()) {
      const valueEnc = this.cipher.reseal(token.valueEnc);
      count(valueEnc !== null);
      if (valueEnc) {
        await db.storedToken.update({
          where: { kind_suiteId_corpId: { kind: token.kind, suiteId: token.suiteId, corpId: token.corpId } },
          data: { valueEnc },
        });
      }
    }

    for (const endpoint of await db.webhookEndpoint.findMany({ select: { id: true, secret: true, previousSecret: true } })) {
      const secret = this.cipher.reseal(endpoint.secret);
      const previousSecret = endpoint.previousSecret ? this.cipher.reseal(endpoint.previousSecret) : null;
      [secret, ...(endpoint.previousSecret ? [previousSecret] : [])].forEach((v) => count(v !== null));
      if (secret || previousSecret) {
        await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { secret: secret ?? undefined, previousSecret: previousSecret ?? undefined } });
      }
    }
    // Platform event envelopes, in pages: there may be millions.
    for (let afterId = 0n; ; ) {
      const events = await db.platformEvent.findMany({ where: { id: { gt: afterId } }, select: { id: true, envelope: true }, orderBy: { id: 'asc' }, take: BATCH });
      if (!events.length) break;
      afterId = events[events.length - 1].id;
      for (const event of events) {
        const envelope = this.cipher.reseal(event.envelope);
        count(envelope !== null);
        if (envelope) await db.platformEvent.update({ where: { id: event.id }, data: { envelope } });
      }
    }
    return report;
  }
}
