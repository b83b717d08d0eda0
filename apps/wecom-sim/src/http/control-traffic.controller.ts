import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import type { CallCounts } from '../core/call-counter.js';
import type { CallbackKind, PushOutcome } from '../core/callback-pusher.js';
import type { JsSdkCheck } from '../core/corp-api.js';
import { FaultInputError, FaultRule, FaultRuleInput } from '../core/fault-injector.js';
import { QueryParams, queryParam } from '../core/params.js';
import { RATE_SCOPES, RateScope } from '../core/rate-limiter.js';
import type { ResponsePatchInput } from '../core/response-patches.js';
import { EXPIRES_IN_MODES, ExpiresInMode } from '../core/sim-clock.js';
import { InvalidateKind, SimCore } from '../core/sim-core.js';
import { ControlError } from '../core/wecom-error.js';
import { controlBody, optNumber, optString, queryInt, reqString } from './control-input.js';

export interface ClockView {
  now: number;
  now_iso: string;
  time_factor: number;
  ticket_interval_seconds: number;
  expires_in_mode: ExpiresInMode;
}

/** Control API for time, faults, rate limits, counts, the push log and resets (`/sim/...`). */
@Controller('sim')
export class ControlTrafficController {
  constructor(@Inject(SimCore) private readonly core: SimCore) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('clock')
  clock(): ClockView {
    const now = this.core.clock.now();
    return { now, now_iso: new Date(now).toISOString(), time_factor: this.core.clock.timeFactor, ticket_interval_seconds: this.core.ticketInterval, expires_in_mode: this.core.clock.expiresInMode };
  }

  @Post('clock')
  @HttpCode(200)
  setClock(@Body() body: unknown): ClockView {
    const obj = controlBody(body);
    const factor = optNumber(obj, 'time_factor');
    const interval = optNumber(obj, 'ticket_interval_seconds');
    const mode = optString(obj, 'expires_in_mode');
    if (mode !== undefined && !EXPIRES_IN_MODES.includes(mode as ExpiresInMode)) throw new ControlError(400, `expires_in_mode must be one of ${EXPIRES_IN_MODES.join(', ')}`);
    if (factor !== undefined) {
      if (factor <= 0) throw new ControlError(400, 'time_factor must be > 0');
      this.core.clock.setTimeFactor(factor);
    }
    if (interval !== undefined) this.core.setTicketInterval(interval);
    if (mode !== undefined) this.core.clock.expiresInMode = mode as ExpiresInMode;
    return this.clock();
  }

  @Post('clock/advance')
  @HttpCode(200)
  advance(@Body() body: unknown): ClockView {
    const seconds = optNumber(controlBody(body), 'seconds');
    if (seconds === undefined || seconds < 0) throw new ControlError(400, 'seconds must be a number >= 0');
    this.core.clock.advance(seconds);
    return this.clock();
  }

  @Post('tokens/invalidate')
  @HttpCode(200)
  invalidate(@Body() body: unknown): { invalidated: number } {
    const obj = controlBody(body);
    const invalidated = this.core.invalidate({
      kind: optString(obj, 'kind') as InvalidateKind | undefined,
      suite_id: optString(obj, 'suite_id'),
      corp_id: optString(obj, 'corp_id'),
    });
    return { invalidated };
  }

  @Get('faults')
  faults(): { faults: FaultRule[]; injected: number } {
    return { faults: this.core.faults.list(this.core.clock.now()), injected: this.core.faults.injected };
  }

  @Post('faults')
  @HttpCode(200)
  addFault(@Body() body: unknown): FaultRule {
    try {
      return this.core.faults.add(controlBody(body) as FaultRuleInput);
    } catch (err) {
      if (err instanceof FaultInputError) throw new ControlError(400, err.message);
      throw err;
    }
  }

  @Delete('faults')
  clearFaults(): { cleared: true } {
    this.core.faults.clear();
    return { cleared: true };
  }

  /** Successful answers changed in informational fields, as WeCom's vary from its samples. */
  @Post('response-patches')
  @HttpCode(200)
  addResponsePatch(@Body() body: unknown): { patches: number } {
    this.core.patches.add(controlBody(body) as unknown as ResponsePatchInput);
    return { patches: this.core.patches.size };
  }

  @Delete('response-patches')
  clearResponsePatches(): { cleared: true } {
    this.core.patches.clear();
    return { cleared: true };
  }

  @Get('rate-limits')
  rateLimits(): { rate_limits: Array<{ scope: RateScope; per_minute: number }>; limited: number } {
    return { rate_limits: this.core.limiter.list().map((r) => ({ scope: r.scope, per_minute: r.perMinute })), limited: this.core.limiter.limited };
  }

  @Post('rate-limits')
  @HttpCode(200)
  setRateLimit(@Body() body: unknown): { scope: RateScope; per_minute: number } {
    const obj = controlBody(body);
    const scope = (optString(obj, 'scope') ?? 'global') as RateScope;
    const perMinute = optNumber(obj, 'per_minute');
    if (!RATE_SCOPES.includes(scope)) throw new ControlError(400, `scope must be one of ${RATE_SCOPES.join(', ')}`);
    if (perMinute === undefined || !Number.isInteger(perMinute) || perMinute < 1) throw new ControlError(400, 'per_minute must be a positive integer');
    this.core.limiter.set({ scope, perMinute });
    return { scope, per_minute: perMinute };
  }

  @Delete('rate-limits')
  clearRateLimits(): { cleared: true } {
    this.core.limiter.clear();
    return { cleared: true };
  }

  @Get('calls')
  calls(): CallCounts & { faults_injected: number; rate_limited: number } {
    return { ...this.core.counter.snapshot(), faults_injected: this.core.faults.injected, rate_limited: this.core.limiter.limited };
  }

  @Delete('calls')
  resetCalls(): { reset: true } {
    this.core.counter.reset();
    this.core.faults.resetStats();
    this.core.limiter.resetStats();
    return { reset: true };
  }

  @Get('callbacks')
  callbacks(@Query() query: QueryParams): { callbacks: PushOutcome[] } {
    const kind = queryParam(query, 'kind');
    if (kind !== undefined && kind !== 'command' && kind !== 'data' && kind !== 'system') throw new ControlError(400, 'kind must be command, data or system');
    return {
      callbacks: this.core.pusher.outcomes({
        suiteId: queryParam(query, 'suite_id'),
        infoType: queryParam(query, 'info_type'),
        kind: kind as CallbackKind | undefined,
        limit: queryInt(queryParam(query, 'limit'), 100, 1000),
      }),
    };
  }

  @Delete('callbacks')
  clearCallbacks(): { cleared: true } {
    this.core.pusher.clearLog();
    return { cleared: true };
  }

  @Post('jssdk/verify')
  @HttpCode(200)
  verifyJsSdk(@Body() body: unknown): { valid: boolean; reason?: string } {
    const obj = controlBody(body);
    const timestamp = obj.timestamp;
    if (typeof timestamp !== 'number' && typeof timestamp !== 'string') throw new ControlError(400, 'timestamp is required');
    const check: JsSdkCheck = {
      suite_id: reqString(obj, 'suite_id'),
      corp_id: reqString(obj, 'corp_id'),
      kind: (optString(obj, 'kind') ?? 'config') as JsSdkCheck['kind'],
      url: reqString(obj, 'url'),
      noncestr: reqString(obj, 'noncestr'),
      timestamp,
      signature: reqString(obj, 'signature'),
    };
    return this.core.corpApi.verifyJsSdk(check);
  }

  @Post('reset')
  @HttpCode(200)
  reset(): { reset: true } {
    this.core.reset();
    return { reset: true };
  }
}
