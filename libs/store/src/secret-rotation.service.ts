import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { openPayload } from './callback-event.repository.js';
import { SecretCipher } from './secret-cipher.js';

export interface RotationReport {
  resealed: number;
  alreadyCurrent: number;
  /** values changed by someone else (a reinstall, a cancel, a token refresh) between read and write: left as written */
  changedMeanwhile: number;
}

const BATCH = 500;

/**
 * Re-seals every stored secret under the current SECRET_KEY, so old keys can then be retired. Each write is a
 * compare-and-set on the sealed value it read: a value another process wrote meanwhile (a reinstall's new
 * permanent_code, a cancel that cleared it, a refreshed token) is never overwritten by a re-sealed old one. Those
 * writers seal under SECRET_KEY themselves, so nothing is left under the old key once every process has the new one.
 */
@Injectable()
export class SecretRotationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  async rotateAll(): Promise<RotationReport> {
    const report: RotationReport = { resealed: 0, alreadyCurrent: 0, changedMeanwhile: 0 };
    const count = (changed: boolean): void => {
      if (changed) report.resealed++;
      else report.alreadyCurrent++;
    };
    /** Counts a compare-and-set that found the row changed: its resealed values were not written. */
    const raced = (written: number, values: number): void => {
      if (written) return;
      report.resealed -= values;
      report.changedMeanwhile += values;
    };
    const db = this.prisma.client;

    for (const suite of await db.suite.findMany()) {
      const secretEnc = this.cipher.reseal(suite.secretEnc);
      const encodingAesKeyEnc = this.cipher.reseal(suite.encodingAesKeyEnc);
      [secretEnc, encodingAesKeyEnc].forEach((v) => count(v !== null));
      if (secretEnc || encodingAesKeyEnc) {
        const { count: written } = await db.suite.updateMany({
          where: { id: suite.id, secretEnc: suite.secretEnc, encodingAesKeyEnc: suite.encodingAesKeyEnc },
          data: { secretEnc: secretEnc ?? undefined, encodingAesKeyEnc: encodingAesKeyEnc ?? undefined },
        });
        raced(written, [secretEnc, encodingAesKeyEnc].filter((v) => v !== null).length);
      }
    }

    for (const provider of await db.provider.findMany()) {
      const secretEnc = provider.secretEnc ? this.cipher.reseal(provider.secretEnc) : null;
      const encodingAesKeyEnc = provider.encodingAesKeyEnc ? this.cipher.reseal(provider.encodingAesKeyEnc) : null;
      const present = [...(provider.secretEnc ? [secretEnc] : []), ...(provider.encodingAesKeyEnc ? [encodingAesKeyEnc] : [])];
      present.forEach((v) => count(v !== null));
      if (secretEnc || encodingAesKeyEnc) {
        const { count: written } = await db.provider.updateMany({
          where: { corpId: provider.corpId, secretEnc: provider.secretEnc, encodingAesKeyEnc: provider.encodingAesKeyEnc },
          data: { secretEnc: secretEnc ?? undefined, encodingAesKeyEnc: encodingAesKeyEnc ?? undefined },
        });
        raced(written, present.filter((v) => v !== null).length);
      }
    }

    for (const ticket of await db.suiteTicket.findMany()) {
      const ticketEnc = this.cipher.reseal(ticket.ticketEnc);
      count(ticketEnc !== null);
      if (ticketEnc) raced((await db.suiteTicket.updateMany({ where: { suiteId: ticket.suiteId, ticketEnc: ticket.ticketEnc }, data: { ticketEnc } })).count, 1);
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
        if (permanentCodeEnc) {
          raced((await db.authCorp.updateMany({ where: { id: corp.id, permanentCodeEnc: corp.permanentCodeEnc }, data: { permanentCodeEnc } })).count, 1);
        }
      }
    }

    // Kept exchange answers (permanent_codes waiting to be stored): few, and unreadable once the old key is dropped.
    for (const claim of await db.authCodeClaim.findMany({ where: { answerEnc: { not: null } }, select: { codeHash: true, answerEnc: true } })) {
      const answerEnc = this.cipher.reseal(claim.answerEnc!);
      count(answerEnc !== null);
      if (answerEnc) raced((await db.authCodeClaim.updateMany({ where: { codeHash: claim.codeHash, answerEnc: claim.answerEnc }, data: { answerEnc } })).count, 1);
    }

    // 代开发 corp-level callback EncodingAESKeys.
    for (const corp of await db.authCorp.findMany({ where: { callbackAesKeyEnc: { not: null } }, select: { id: true, callbackAesKeyEnc: true } })) {
      const callbackAesKeyEnc = this.cipher.reseal(corp.callbackAesKeyEnc!);
      count(callbackAesKeyEnc !== null);
      if (callbackAesKeyEnc) {
        raced((await db.authCorp.updateMany({ where: { id: corp.id, callbackAesKeyEnc: corp.callbackAesKeyEnc }, data: { callbackAesKeyEnc } })).count, 1);
      }
    }

    // Inbox payloads: those under an old key, and any stored in clear before payloads were sealed.
    const current = `v1.${this.cipher.currentKeyId}.`;
    for (let afterId = -1n; ; ) {
      const events = await db.callbackEvent.findMany({
        where: { id: { gt: afterId }, NOT: { payload: { startsWith: current } } },
        select: { id: true, payload: true },
        orderBy: { id: 'asc' },
        take: BATCH,
      });
      if (!events.length) break;
      afterId = events[events.length - 1].id;
      for (const event of events) {
        const payload = this.cipher.seal(openPayload(this.cipher, event.payload));
        count(true);
        raced((await db.callbackEvent.updateMany({ where: { id: event.id, payload: event.payload }, data: { payload } })).count, 1);
      }
    }

    // Stored tokens are short-lived copies: re-seal them too so an old key can be dropped at once.
    for (const token of await db.storedToken.findMany()) {
      const valueEnc = this.cipher.reseal(token.valueEnc);
      count(valueEnc !== null);
      if (valueEnc) {
        const { count: written } = await db.storedToken.updateMany({
          where: { kind: token.kind, suiteId: token.suiteId, corpId: token.corpId, valueEnc: token.valueEnc },
          data: { valueEnc },
        });
        raced(written, 1);
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
    // License activation codes, in pages (a provider may hold hundreds of thousands); compare-and-set like the rest.
    for (let afterHash = ''; ; ) {
      const codes = await db.licenseActiveCode.findMany({ where: { codeHash: { gt: afterHash } }, select: { codeHash: true, sealedCode: true }, orderBy: { codeHash: 'asc' }, take: BATCH });
      if (!codes.length) break;
      afterHash = codes[codes.length - 1].codeHash;
      for (const code of codes) {
        const sealedCode = this.cipher.reseal(code.sealedCode);
        count(sealedCode !== null);
        if (sealedCode) raced((await db.licenseActiveCode.updateMany({ where: { codeHash: code.codeHash, sealedCode: code.sealedCode }, data: { sealedCode } })).count, 1);
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
