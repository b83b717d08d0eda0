import { Controller, DynamicModule, Get, Inject, Injectable, Module, OnModuleInit, Res, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

export interface HealthCheckResult {
  ok: boolean;
  detail?: Record<string, unknown>;
}

/** Something /health checks: the database, Redis, or an app's own condition. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<HealthCheckResult>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService implements OnModuleInit {
  private checks: HealthCheck[] = [];

  constructor(
    @Inject(HEALTH_CHECKS) private readonly checkTypes: Type<HealthCheck>[],
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {}

  /** The checks are providers of the app or of the infrastructure modules (StoreModule, RedisModule). */
  onModuleInit(): void {
    this.checks = this.checkTypes.map((type) => this.moduleRef.get(type, { strict: false }));
  }

  async report(): Promise<{ status: 'ok' | 'error'; checks: Record<string, HealthCheckResult> }> {
    const results = await Promise.all(this.checks.map((c) => runCheck(c)));
    const checks = Object.fromEntries(this.checks.map((c, i) => [c.name, results[i]]));
    return { status: results.every((r) => r.ok) ? 'ok' : 'error', checks };
  }
}

async function runCheck(check: HealthCheck): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: { error: `timed out after ${CHECK_TIMEOUT_MS} ms` } }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.check(), timeout]);
  } catch (err) {
    return { ok: false, detail: { error: err instanceof Error ? err.message : String(err) } };
  } finally {
    clearTimeout(timer);
  }
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  /**
   * Liveness (`/health/live`): the process answers, nothing else. It must not depend on PostgreSQL or Redis, or an
   * outage of either would have every replica restarted; readiness is `/health`.
   */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 200 when every check (PostgreSQL, Redis, …) is ok, else 503 with the report. */
  @Get()
  async get(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.health.report();
    await reply.status(report.status === 'ok' ? 200 : 503).send(report);
  }
}

/**
 * /health for an app: `HealthModule.forRoot({ checks: [DatabaseHealthCheck, RedisHealthCheck, ...] })`. Each check
 * is a provider of the app or of a module it imports (StoreModule exports DatabaseHealthCheck, RedisModule
 * RedisHealthCheck); the report lists them in this order. 200 when every check is ok, else 503.
 */
@Module({})
export class HealthModule {
  static forRoot(options: { checks: Type<HealthCheck>[] }): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: HEALTH_CHECKS, useValue: options.checks }, HealthService],
    };
  }
}
