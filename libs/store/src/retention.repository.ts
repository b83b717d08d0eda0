import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

/**
 * Deletes what has outlived its retention, a bounded batch per call, so a purge never holds long locks or one huge
 * transaction even when the inbox takes millions of events a day. Each method returns how many rows it deleted;
 * callers repeat while a full batch comes back.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Inbox events finished (processed, or failed for good) and received before `cutoff`. Events still waiting or in
   * work are never deleted, however old. Uses the (status, receivedAt) index.
   */
  async deleteFinishedEvents(cutoff: Date, limit: number): Promise<number> {
    return this.prisma.client.$executeRaw`
      DELETE FROM "CallbackEvent" WHERE "id" IN (
        SELECT "id" FROM "CallbackEvent"
        WHERE "status" IN ('processed', 'failed') AND "receivedAt" < ${cutoff}
        ORDER BY "receivedAt" LIMIT ${limit})`;
  }

  /** Install sessions that expired before `cutoff` (used or not): they only bound an install link's life. */
  async deleteExpiredInstallSessions(cutoff: Date, limit: number): Promise<number> {
    return this.prisma.client.$executeRaw`
      DELETE FROM "InstallSession" WHERE "id" IN (
        SELECT "id" FROM "InstallSession" WHERE "expiresAt" < ${cutoff} LIMIT ${limit})`;
  }

  /**
   * auth_code claims made before `cutoff`. A claim makes a repeated exchange of one code a no-op; WeCom's auth_code
   * lives 600 s, so a claim far older than that protects nothing (a replayed callback is also refused by its age).
   */
  async deleteAuthCodeClaims(cutoff: Date, limit: number): Promise<number> {
    return this.prisma.client.$executeRaw`
      DELETE FROM "AuthCodeClaim" WHERE "codeHash" IN (
        SELECT "codeHash" FROM "AuthCodeClaim" WHERE "claimedAt" < ${cutoff} LIMIT ${limit})`;
  }
}
