/** A fault to inject into WeCom API calls, as given to `POST /sim/faults`. */
export interface FaultRuleInput {
  /** Answer `{ errcode, errmsg }` (HTTP 200 unless http_status is given too). */
  errcode?: number;
  /** Answer with this HTTP status (an HTML error page, as WeCom's gateway sends, unless errcode is given). */
  http_status?: number;
  /** Close the connection without answering (a network failure for the client). */
  drop?: boolean;
  /** Delay before answering (alone: a slow but otherwise normal answer). */
  latency_ms?: number;
  /** Only the next N matching calls. */
  count?: number;
  /** Only this share (0..1] of matching calls. */
  ratio?: number;
  /** Path prefixes the fault applies to (default: every WeCom API path). */
  paths?: string[];
  /** Simulated epoch ms after which the fault stops (see `GET /sim/clock`). */
  until_ms?: number;
}

export interface FaultRule {
  id: number;
  errcode?: number;
  httpStatus?: number;
  drop: boolean;
  latencyMs: number;
  remaining?: number;
  ratio?: number;
  paths?: string[];
  untilMs?: number;
  injected: number;
}

export type FaultDecision =
  | { action: 'delay'; latencyMs: number; ruleId: number }
  | { action: 'errcode'; latencyMs: number; ruleId: number; errcode: number; httpStatus: number }
  | { action: 'http'; latencyMs: number; ruleId: number; httpStatus: number }
  | { action: 'drop'; latencyMs: number; ruleId: number };

export class FaultInputError extends Error {}

/**
 * Decides, per WeCom API call, whether a configured fault applies. Pure logic: the HTTP layer carries the
 * decision out. The random source is injectable so tests of ratios are deterministic.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private injectedTotal = 0;

  constructor(private readonly random: () => number = Math.random) {}

  add(input: FaultRuleInput): FaultRule {
    const rule = FaultInjector.validate(input, this.nextId);
    this.nextId++;
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(now: number): FaultRule[] {
    this.expire(now);
    return this.rules.map((r) => ({ ...r }));
  }

  get injected(): number {
    return this.injectedTotal;
  }

  resetStats(): void {
    this.injectedTotal = 0;
  }

  decide(path: string, now: number): FaultDecision | undefined {
    if (this.rules.length === 0) return undefined;
    this.expire(now);
    for (const rule of this.rules) {
      if (rule.paths && !rule.paths.some((prefix) => path.startsWith(prefix))) continue;
      if (rule.ratio !== undefined && this.random() >= rule.ratio) continue;
      rule.injected++;
      this.injectedTotal++;
      if (rule.remaining !== undefined) {
        rule.remaining--;
        if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      }
      return FaultInjector.decisionOf(rule);
    }
    return undefined;
  }

  private expire(now: number): void {
    if (this.rules.some((r) => r.untilMs !== undefined && r.untilMs <= now)) {
      this.rules = this.rules.filter((r) => r.untilMs === undefined || r.untilMs > now);
    }
  }

  private static decisionOf(rule: FaultRule): FaultDecision {
    const base = { latencyMs: rule.latencyMs, ruleId: rule.id };
    if (rule.drop) return { action: 'drop', ...base };
    if (rule.errcode !== undefined) return { action: 'errcode', ...base, errcode: rule.errcode, httpStatus: rule.httpStatus ?? 200 };
    if (rule.httpStatus !== undefined) return { action: 'http', ...base, httpStatus: rule.httpStatus };
    return { action: 'delay', ...base };
  }

  static validate(input: FaultRuleInput, id: number): FaultRule {
    const { errcode, http_status, drop, latency_ms, count, ratio, paths, until_ms } = input;
    if (errcode !== undefined && !Number.isInteger(errcode)) throw new FaultInputError('errcode must be an integer');
    if (http_status !== undefined && (!Number.isInteger(http_status) || http_status < 200 || http_status > 599)) {
      throw new FaultInputError('http_status must be an HTTP status 200..599');
    }
    if (drop !== undefined && typeof drop !== 'boolean') throw new FaultInputError('drop must be a boolean');
    if (latency_ms !== undefined && (!Number.isFinite(latency_ms) || latency_ms < 0 || latency_ms > 120_000)) {
      throw new FaultInputError('latency_ms must be between 0 and 120000');
    }
    if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new FaultInputError('count must be a positive integer');
    if (ratio !== undefined && (!Number.isFinite(ratio) || ratio <= 0 || ratio > 1)) throw new FaultInputError('ratio must be in (0, 1]');
    if (paths !== undefined && (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || !p.startsWith('/')))) {
      throw new FaultInputError('paths must be an array of path prefixes starting with /');
    }
    if (until_ms !== undefined && !Number.isFinite(until_ms)) throw new FaultInputError('until_ms must be a number');
    if (errcode === undefined && http_status === undefined && !drop && !latency_ms) {
      throw new FaultInputError('give at least one of errcode, http_status, drop, latency_ms');
    }
    return {
      id,
      errcode,
      httpStatus: http_status,
      drop: drop ?? false,
      latencyMs: latency_ms ?? 0,
      remaining: count,
      ratio,
      paths: paths?.length ? [...paths] : undefined,
      untilMs: until_ms,
      injected: 0,
    };
  }
}
