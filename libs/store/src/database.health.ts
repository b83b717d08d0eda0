import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

/** /health: can we run a query? */
@Injectable()
export class DatabaseHealthCheck {
  readonly name = 'database';

  constructor(private readonly prisma: PrismaService) {}

  async check(): Promise<{ ok: boolean; detail?: Record<string, unknown> }> {
    await this.prisma.ping();
    return { ok: true };
  }
}
