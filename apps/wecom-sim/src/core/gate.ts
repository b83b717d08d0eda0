import { CallCounter } from './call-counter.js';
import { SimClock } from './sim-clock.js';
import { CallSubject, RateLimiter } from './rate-limiter.js';
import { Errcode, WecomError } from './wecom-error.js';

/**
 * Where a WeCom API call meets the per-caller rules once the caller is known: attributes the call to its
 * suite and corp for the counts, and applies the suite- and corp-scoped rate limits (the global one is
 * applied to every call before it is routed).
 */
export class Gate {
  constructor(
    private readonly clock: SimClock,
    private readonly counter: CallCounter,
    private readonly limiter: RateLimiter,
  ) {}

  admit(path: string, subject: CallSubject): void {
    this.counter.attribute(path, subject);
    if (!this.limiter.hasRules) return;
    const now = this.clock.now();
    if (!this.limiter.admit('suite', subject, now) || !this.limiter.admit('corp', subject, now)) {
      throw new WecomError(Errcode.RATE_LIMITED);
    }
  }
}
