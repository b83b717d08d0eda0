import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

export type ClaimState = { state: 'claimed' } | { state: 'in-progress' } | { state: 'finished'; corpId: string };

/**
 * An exchange waits at most ~20 s for the suite token and a few WeCom timeouts; a claim unfinished after a
 * minute was abandoned.
 */
export const ABANDONED_CLAIM_MS = 60_000;

const hashCode = (suiteId: string, authCode: string): string =>
  createHash('sha256').update(`${suiteId}\n${authCode}`).digest('hex');

/**
 * An auth_code is single-use and arrives twice (browser redirect and create_auth callback). The primary key on
 * its hash lets exactly one caller exchange it; the other sees the claim and waits for or reads its result.
 */
@Injectable()
export class AuthCodeClaimRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims the code, or takes over a claim left unfinished for longer than any exchange takes: its holder
   * died mid-exchange (a killed worker) and would otherwise block the code for good. WeCom consumes a code
   * only when it answers, so the taker-over can still exchange it within its 600 s.
   */
  async claim(suiteId: string, authCode: string): Promise<ClaimState> {
    const codeHash = hashCode(suiteId, authCode);
    const staleBefore = new Date(Date.now() - ABANDONED_CLAIM_MS);
    const inserted = await this.prisma.client.$executeRaw`
      INSERT INTO "AuthCodeClaim" ("codeHash", "suiteId") VALUES (${codeHash}, ${suiteId})
      ON CONFLICT ("codeHash") DO UPDATE SET "claimedAt" = now()
        WHERE "AuthCodeClaim"."finishedAt" IS NULL AND "AuthCodeClaim"."claimedAt" < ${staleBefore}`;
    if (inserted > 0) return { state: 'claimed' };
    return this.read(suiteId, authCode);
  }

  async read(suiteId: string, authCode: string): Promise<ClaimState> {
    const row = await this.prisma.client.authCodeClaim.findUnique({ where: { codeHash: hashCode(suiteId, authCode) } });
    if (!row) return { state: 'in-progress' };
    return row.finishedAt && row.corpId ? { state: 'finished', corpId: row.corpId } : { state: 'in-progress' };
  }

  async finish(suiteId: string, authCode: string, corpId: string): Promise<void> {
    await this.prisma.client.authCodeClaim.update({
      where: { codeHash: hashCode(suiteId, authCode) },
      data: { corpId, finishedAt: new Date() },
    });
  }

  /** Gives the code back after a failed exchange so the other path (or a retry) may try. */
  async release(suiteId: string, authCode: string): Promise<void> {
    await this.prisma.client.authCodeClaim.deleteMany({ where: { codeHash: hashCode(suiteId, authCode), finishedAt: null } });
  }
}
