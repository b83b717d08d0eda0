export type RateScope = 'global' | 'suite' | 'corp';
export const RATE_SCOPES: readonly RateScope[] = ['global', 'suite', 'corp'];

export interface RateLimitRule {
  scope: RateScope;
  perMinute: number;
}

interface Window {
  startedAt: number;
  count: number;
  blockedUntil: number;
}

/** Who a call is made for; unknown parts (e.g. a bad token) are simply absent. */
export interface CallSubject {
  suiteId?: string;
  corpId?: string;
}

const MINUTE_MS = 60_000;

/**
 * Per-minute limits the way WeCom applies them: calls are counted in a one-minute window per key; the call
 * that goes over the limit starts a lockout of 60 s during which every call is refused with 45009, whatever
 * the window. Times are simulated milliseconds, so a test can `advance` past a lockout.
 */
export class RateLimiter {
  private readonly rules = new Map<RateScope, number>();
  private readonly windows = new Map<string, Window>();
  private limitedTotal = 0;

  set(rule: RateLimitRule): void {
    if (!RATE_SCOPES.includes(rule.scope)) throw new RangeError(`scope must be one of ${RATE_SCOPES.join(', ')}`);
    if (!Number.isInteger(rule.perMinute) || rule.perMinute < 1) throw new RangeError('per_minute must be a positive integer');
    this.rules.set(rule.scope, rule.perMinute);
    for (const key of this.windows.keys()) if (key.startsWith(`${rule.scope}:`)) this.windows.delete(key);
  }

  clear(): void {
    this.rules.clear();
    this.windows.clear();
  }

  list(): RateLimitRule[] {
    return [...this.rules].map(([scope, perMinute]) => ({ scope, perMinute }));
  }

  get limited(): number {
    return this.limitedTotal;
  }

  resetStats(): void {
    this.limitedTotal = 0;
  }

  /** Counts a call against every applicable rule; false when it must be refused. */
  admit(scope: RateScope, subject: CallSubject, now: number): boolean {
    const limit = this.rules.get(scope);
    if (limit === undefined) return true;
    const id = scope === 'global' ? '*' : scope === 'suite' ? subject.suiteId : subject.corpId;
    if (id === undefined) return true;
    const key = `${scope}:${id}`;
    let window = this.windows.get(key);
    if (!window) {
      window = { startedAt: now, count: 0, blockedUntil: 0 };
      this.windows.set(key, window);
    }
    if (now < window.blockedUntil) return this.refuse();
    if (now - window.startedAt >= MINUTE_MS) {
      window.startedAt = now;
      window.count = 0;
    }
    window.count++;
    if (window.count > limit) {
      window.blockedUntil = now + MINUTE_MS;
      window.startedAt = window.blockedUntil;
      window.count = 0;
      return this.refuse();
    }
    return true;
  }

  get hasRules(): boolean {
    return this.rules.size > 0;
  }

  private refuse(): false {
    this.limitedTotal++;
    return false;
  }
}
