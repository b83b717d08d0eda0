import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { SecretCipher } from './secret-cipher.js';

/**
 * What the caller of `claim` may do:
 * - `claimed`: exchange the code. `keptAnswer` is WeCom's answer a previous holder kept before it died: use it,
 *   never call WeCom again. `sent` says a previous holder sent the code and kept no answer: it may be spent.
 * - `in-progress`: another caller holds it; `finished`: done, here is the corp; `failed`: given up, for good.
 */
export type ClaimState =
  | { state: 'claimed'; keptAnswer?: string; sent: boolean }
  | { state: 'in-progress' }
  | { state: 'finished'; corpId: string }
  | { state: 'failed'; failure: string };

/**
 * An exchange waits at most ~20 s for the suite token and its one WeCom call (WECOM_ONE_TIME_CODE_TIMEOUT_MS,
 * 30 s); a claim unfinished after a minute and a half was abandoned.
 */
export const ABANDONED_CLAIM_MS = 90_000;

/** The claim's key: a hash, so the table never holds a usable code. */
export const authCodeHash = (suiteId: string, authCode: string): string =>
  createHash('sha256').update(`${suiteId}\n${authCode}`).digest('hex');

/**
 * An auth_code is single-use and arrives twice (browser redirect and create_auth callback). The primary key on
 * its hash lets exactly one caller exchange it; the other sees the claim and waits for or reads its result.
 * The row also records that the code was sent (`sentAt`) and WeCom's answer (`answerEnc`, sealed) the moment it
 * arrives, so a caller that dies mid-way is succeeded by one that completes from the kept answer and never sends
 * a spent code again.
 */
@Injectable()
export class AuthCodeClaimRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Claims the code, or takes over a claim left unfinished for longer than any exchange takes (its holder died
   * mid-exchange, a killed worker) or handed back with its answer kept (`releaseKeepingAnswer`).
   */
  async claim(suiteId: string, authCode: string): Promise<ClaimState> {
    const codeHash = authCodeHash(suiteId, authCode);
    const staleBefore = new Date(Date.now() - ABANDONED_CLAIM_MS);
    const rows = await this.prisma.client.$queryRaw<{ answerEnc: string | null; sentAt: Date | null }[]>`
      INSERT INTO "AuthCodeClaim" ("codeHash", "suiteId") VALUES (${codeHash}, ${suiteId})
      ON CONFLICT ("codeHash") DO UPDATE SET "claimedAt" = now()
        WHERE "AuthCodeClaim"."finishedAt" IS NULL AND "AuthCodeClaim"."failure" IS NULL AND "AuthCodeClaim"."claimedAt" < ${staleBefore}
      RETURNING "answerEnc", "sentAt"`;
    if (rows.length > 0) {
      const [row] = rows;
      return { state: 'claimed', sent: row.sentAt !== null, ...(row.answerEnc ? { keptAnswer: this.cipher.open(row.answerEnc) } : {}) };
    }
    return this.read(suiteId, authCode);
  }

  async read(suiteId: string, authCode: string): Promise<ClaimState> {
    const row = await this.prisma.client.authCodeClaim.findUnique({ where: { codeHash: authCodeHash(suiteId, authCode) } });
    if (!row) return { state: 'in-progress' };
    if (row.failure) return { state: 'failed', failure: row.failure };
    return row.finishedAt && row.corpId ? { state: 'finished', corpId: row.corpId } : { state: 'in-progress' };
  }

  /** Just before the code goes to WeCom: from here on it may be spent. */
  async markSent(suiteId: string, authCode: string): Promise<void> {
    await this.prisma.client.authCodeClaim.update({ where: { codeHash: authCodeHash(suiteId, authCode) }, data: { sentAt: new Date() } });
  }

  /** WeCom's successful answer (with the permanent code), sealed, the moment it arrives. */
  async keepAnswer(suiteId: string, authCode: string, answer: string): Promise<void> {
    await this.prisma.client.authCodeClaim.update({
      where: { codeHash: authCodeHash(suiteId, authCode) },
      data: { answerEnc: this.cipher.seal(answer) },
    });
  }

  async finish(suiteId: string, authCode: string, corpId: string): Promise<void> {
    await this.prisma.client.authCodeClaim.update({
      where: { codeHash: authCodeHash(suiteId, authCode) },
      data: { corpId, finishedAt: new Date() },
    });
  }

  /**
   * Gives the code back after a failed exchange that did not spend it (not sent, or WeCom answered with an errcode),
   * so the other path (or a retry) may try.
   */
  async release(suiteId: string, authCode: string): Promise<void> {
    await this.prisma.client.authCodeClaim.deleteMany({ where: { codeHash: authCodeHash(suiteId, authCode), finishedAt: null, answerEnc: null } });
  }

  /**
   * Hands back a claim whose answer is kept (storing the tenant failed): the next claim takes it over at once and
   * completes from the kept answer.
   */
  async releaseKeepingAnswer(suiteId: string, authCode: string): Promise<void> {
    await this.prisma.client.authCodeClaim.updateMany({
      where: { codeHash: authCodeHash(suiteId, authCode), finishedAt: null, answerEnc: { not: null } },
      data: { claimedAt: new Date(0) },
    });
  }

  /** The exchange cannot be completed (outcome unknown, code refused): recorded for people, never retried. */
  async markFailed(suiteId: string, authCode: string, failure: string): Promise<void> {
    await this.prisma.client.authCodeClaim.updateMany({
      where: { codeHash: authCodeHash(suiteId, authCode), finishedAt: null },
      data: { failure: failure.slice(0, 1000) },
    });
  }

  /** cancel_auth: the kept answers hold the corp's permanent code; WeCom asks for it to be deleted. */
  async wipeAnswers(suiteId: string, corpId: string): Promise<void> {
    await this.prisma.client.authCodeClaim.updateMany({ where: { suiteId, corpId, answerEnc: { not: null } }, data: { answerEnc: null } });
  }
}
