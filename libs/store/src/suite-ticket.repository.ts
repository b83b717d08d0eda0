import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

export interface StoredSuiteTicket {
  ticket: string;
  wecomTime: number;
  receivedAt: Date;
}

@Injectable()
export class SuiteTicketRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Keeps the newest ticket: a delayed retry of an older push must not replace a newer ticket.
   * Returns whether the stored ticket changed.
   */
  async save(suiteId: string, ticket: string, wecomTime: number): Promise<boolean> {
    const ticketEnc = this.cipher.seal(ticket);
    const changed = await this.prisma.client.$executeRaw`
      INSERT INTO "SuiteTicket" ("suiteId", "ticketEnc", "wecomTime", "receivedAt")
      VALUES (${suiteId}, ${ticketEnc}, ${wecomTime}, now())
      ON CONFLICT ("suiteId") DO UPDATE
        SET "ticketEnc" = EXCLUDED."ticketEnc", "wecomTime" = EXCLUDED."wecomTime", "receivedAt" = now()
        WHERE "SuiteTicket"."wecomTime" <= EXCLUDED."wecomTime"`;
    return changed > 0;
  }

  async find(suiteId: string): Promise<StoredSuiteTicket | null> {
    const row = await this.prisma.client.suiteTicket.findUnique({ where: { suiteId } });
    return row ? { ticket: this.cipher.open(row.ticketEnc), wecomTime: row.wecomTime, receivedAt: row.receivedAt } : null;
  }

  /** Receipt times of every suite's ticket (no secrets), for health and metrics. */
  async receivedTimes(): Promise<Map<string, Date>> {
    const rows = await this.prisma.client.suiteTicket.findMany({ select: { suiteId: true, receivedAt: true } });
    return new Map(rows.map((r) => [r.suiteId, r.receivedAt]));
  }
}
