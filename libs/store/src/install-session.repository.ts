import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { InstallSession } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';

export type { InstallSession };

@Injectable()
export class InstallSessionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Starts an install; the returned `state` is random, bound to this session and usable once. Hex, because WeCom
   * accepts only [a-zA-Z0-9] (at most 128 bytes) in the install link's `state`.
   */
  async create(input: { suiteId: string; authType: number; callerState?: string; ttlSeconds: number }): Promise<InstallSession> {
    return this.prisma.client.installSession.create({
      data: {
        state: randomBytes(20).toString('hex'),
        suiteId: input.suiteId,
        authType: input.authType,
        callerState: input.callerState ?? null,
        expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
      },
    });
  }

  /** Consumes the session for this state: null when unknown, for another suite, expired or already used. */
  async consume(suiteId: string, state: string): Promise<InstallSession | null> {
    const rows = await this.prisma.client.$queryRaw<InstallSession[]>`
      UPDATE "InstallSession" SET "completedAt" = now()
      WHERE "state" = ${state} AND "suiteId" = ${suiteId} AND "completedAt" IS NULL AND "expiresAt" > now()
      RETURNING *`;
    return rows[0] ?? null;
  }

  /** The session of this state, used or not, expired or not; null when unknown or for another suite. */
  async findByState(suiteId: string, state: string): Promise<InstallSession | null> {
    const session = await this.prisma.client.installSession.findUnique({ where: { state } });
    return session?.suiteId === suiteId ? session : null;
  }

  async attachCorp(id: string, corpId: string): Promise<void> {
    await this.prisma.client.installSession.update({ where: { id }, data: { corpId } });
  }
}
