/**
 * Simulated time: simulated now = base + (real elapsed × timeFactor). Every lifetime in the simulator
 * (tokens, codes, tickets, rate-limit windows) is measured on this clock, so a factor of 60 lets a test watch
 * a 7200 s token expire in two real minutes, and `advance()` jumps over a lifetime at once.
 */
/**
 * What `expires_in` says when a still-valid token is fetched again. WeCom's pages do not say; providers see both:
 * `remaining` — the lifetime left; `constant` — always the full lifetime (7200) although the token's real expiry
 * does not move. A client that computes "now + expires_in" on a repeated fetch is wrong under `constant`.
 */
export type ExpiresInMode = 'remaining' | 'constant';
export const EXPIRES_IN_MODES: readonly ExpiresInMode[] = ['remaining', 'constant'];

export class SimClock {
  /** How a repeated token fetch reports `expires_in`; see ExpiresInMode. */
  expiresInMode: ExpiresInMode = 'remaining';
  private baseReal: number;
  private baseSim: number;
  private factor: number;

  constructor(
    timeFactor = 1,
    private readonly realNow: () => number = Date.now,
  ) {
    SimClock.checkFactor(timeFactor);
    this.factor = timeFactor;
    this.baseReal = realNow();
    this.baseSim = this.baseReal;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.baseSim + (this.realNow() - this.baseReal) * this.factor;
  }

  /** Simulated epoch seconds, as WeCom puts them in TimeStamp fields. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  get timeFactor(): number {
    return this.factor;
  }

  /** Changes the speed from this instant on; simulated time stays continuous. */
  setTimeFactor(timeFactor: number): void {
    SimClock.checkFactor(timeFactor);
    this.rebase();
    this.factor = timeFactor;
  }

  /** Jumps simulated time forward. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cannot advance by ${seconds} s`);
    this.baseSim += seconds * 1000;
  }

  /** Back to real time at the given factor. */
  reset(timeFactor: number): void {
    SimClock.checkFactor(timeFactor);
    this.factor = timeFactor;
    this.baseReal = this.realNow();
    this.baseSim = this.baseReal;
  }

  /** Real milliseconds until the simulated instant `simMs` (0 if already past). */
  realDelayUntil(simMs: number): number {
    return Math.max(0, (simMs - this.now()) / this.factor);
  }

  /**
   * `expires_in` as a client must read it: the simulated seconds left until `expiresAt`, converted to REAL seconds
   * (÷ time factor), rounded down, at least 1. A client computes expiry as "now + expires_in" on its own real
   * clock, so at factor 60 a fresh 7200 s token reports 120 and really does expire 120 s later. At factor 1
   * this is WeCom's own number. Pass `now` when the token was issued at that same instant.
   */
  realSecondsLeft(expiresAt: number, now: number = this.now()): number {
    return Math.max(1, Math.floor((expiresAt - now) / 1000 / this.factor));
  }

  /**
   * `expires_in` of a token or ticket answer: the real seconds left (`remaining`), or under `constant` the full
   * `lifetimeSeconds` in real seconds, whatever is really left. A freshly minted token reports the same either way.
   */
  tokenExpiresIn(expiresAt: number, lifetimeSeconds: number, now: number = this.now()): number {
    return this.expiresInMode === 'constant' ? this.realSeconds(lifetimeSeconds) : this.realSecondsLeft(expiresAt, now);
  }

  /** A simulated lifetime (pre_auth_code 1200, auth_code 600, …) in real seconds, rounded down, at least 1. */
  realSeconds(simulatedSeconds: number): number {
    return Math.max(1, Math.floor(simulatedSeconds / this.factor));
  }

  private rebase(): void {
    const now = this.now();
    this.baseReal = this.realNow();
    this.baseSim = now;
  }

  private static checkFactor(timeFactor: number): void {
    if (!Number.isFinite(timeFactor) || timeFactor <= 0) throw new RangeError(`time factor must be > 0, got ${timeFactor}`);
  }
}
