import { CallCounter } from './call-counter.js';
import { CallbackPusher, PusherLogger } from './callback-pusher.js';
import { CorpApi } from './corp-api.js';
import { Credentials } from './credentials.js';
import { FaultInjector } from './fault-injector.js';
import { Gate } from './gate.js';
import { IdConvertApi } from './idconvert-api.js';
import { MediaApi } from './media-api.js';
import { MessageApi } from './message-api.js';
import { IdentityApi } from './identity-api.js';
import { InstallFlow } from './install-flow.js';
import { LicenseApi } from './license-api.js';
import { LifecycleEvents } from './lifecycle-events.js';
import { ProviderRegistry } from './provider-registry.js';
import { ProviderStaff } from './provider-staff.js';
import { CustomizedAppApi } from './customized-app-api.js';
import { RateLimiter } from './rate-limiter.js';
import { ResponsePatches } from './response-patches.js';
import { ServiceApi } from './service-api.js';
import { ExpiresInMode, SimClock } from './sim-clock.js';
import { SimState } from './sim-state.js';
import { SuiteRegistry } from './suite-registry.js';
import { TOKEN_KINDS, TokenKind } from './token-store.js';
import { ControlError } from './wecom-error.js';

export interface SimCoreOptions {
  timeFactor: number;
  ticketIntervalSeconds: number;
  callbackTimeoutMs: number;
  callbackRetryDelayMs: number;
  random?: () => number;
  expiresInMode?: ExpiresInMode;
  logger: PusherLogger;
}

export type InvalidateKind = TokenKind | 'all';

/** `POST /sim/tokens/invalidate` body. */
export interface InvalidateInput {
  kind?: InvalidateKind;
  suite_id?: string;
  corp_id?: string;
}

/** The whole simulated WeCom, framework-free: the HTTP layer only routes to these objects. */
export class SimCore {
  readonly clock: SimClock;
  readonly state = new SimState();
  readonly counter = new CallCounter();
  readonly limiter = new RateLimiter();
  readonly patches = new ResponsePatches();
  readonly faults: FaultInjector;
  readonly pusher: CallbackPusher;
  readonly registry: SuiteRegistry;
  readonly providers: ProviderRegistry;
  readonly providerStaff: ProviderStaff;
  readonly customized: CustomizedAppApi;
  readonly installs: InstallFlow;
  readonly events: LifecycleEvents;
  readonly service: ServiceApi;
  readonly identity: IdentityApi;
  readonly corpApi: CorpApi;
  readonly licenses: LicenseApi;
  readonly messages: MessageApi;
  readonly media: MediaApi;
  readonly idConvert: IdConvertApi;
  private ticketIntervalSeconds: number;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: SimCoreOptions) {
    this.clock = new SimClock(options.timeFactor);
    this.clock.expiresInMode = options.expiresInMode ?? 'remaining';
    this.ticketIntervalSeconds = options.ticketIntervalSeconds;
    this.faults = new FaultInjector(options.random);
    this.pusher = new CallbackPusher(
      { timeoutMs: options.callbackTimeoutMs, retryDelayMs: options.callbackRetryDelayMs, maxAttempts: 3, logSize: 1000 },
      options.logger,
    );
    const credentials = new Credentials(this.clock, this.state);
    const gate = new Gate(this.clock, this.counter, this.limiter);
    this.registry = new SuiteRegistry(this.clock, this.state, this.pusher, () => this.ticketIntervalSeconds);
    this.providers = new ProviderRegistry(this.clock, this.state, this.pusher);
    this.installs = new InstallFlow(this.clock, this.state, this.registry);
    this.providerStaff = new ProviderStaff(this.state, this.installs);
    this.events = new LifecycleEvents(this.clock, this.state, this.registry, this.installs, this.pusher);
    this.service = new ServiceApi(this.clock, this.state, credentials, this.registry, gate, this.counter);
    this.identity = new IdentityApi(this.clock, this.state, credentials, gate, this.counter);
    this.customized = new CustomizedAppApi(this.clock, this.state, credentials, this.registry, this.installs, gate, this.counter);
    this.corpApi = new CorpApi(this.clock, this.state, credentials, gate, this.counter);
    this.licenses = new LicenseApi(this.clock, this.state, credentials, gate, this.pusher, this.events, this.providers);
    this.messages = new MessageApi(this.clock, credentials, gate);
    this.media = new MediaApi(this.clock, credentials, gate);
    this.idConvert = new IdConvertApi(credentials, gate);
  }

  /** Starts the automatic suite_ticket pushes (checked a few times per real second). */
  start(): void {
    this.timer ??= setInterval(() => {
      this.registry.pushDueTickets();
      this.licenses.tick();
    }, 200);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pusher.close();
  }

  get ticketInterval(): number {
    return this.ticketIntervalSeconds;
  }

  setTicketInterval(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0) throw new ControlError(400, 'ticket_interval_seconds must be an integer >= 0');
    this.ticketIntervalSeconds = seconds;
    const now = this.clock.now();
    for (const suite of this.state.suites.values()) suite.nextTicketAt = Math.min(suite.nextTicketAt, now + seconds * 1000);
  }

  /** Ends live tokens early; the next call with one answers "expired" (42009 suite, 42001 corp/provider). */
  invalidate(input: InvalidateInput): number {
    const kind = input.kind ?? 'all';
    if (kind !== 'all' && !TOKEN_KINDS.includes(kind)) throw new ControlError(400, `kind must be one of all, ${TOKEN_KINDS.join(', ')}`);
    const { suite_id: suiteId, corp_id: corpId } = input;
    return this.state.tokens.invalidateWhere((k, subject) => {
      if (kind !== 'all' && k !== kind) return false;
      if (k === 'provider') return suiteId === undefined && corpId === undefined ? true : corpId === subject;
      const [s, c] = subject.split('|');
      if (suiteId !== undefined && s !== suiteId) return false;
      if (corpId !== undefined && c !== corpId) return false;
      return true;
    }, this.clock.now());
  }

  /** Forgets everything: suites, corps, tokens, codes, faults, limits, counts, push log; real time again. */
  reset(): void {
    this.state.clear();
    this.providers.clear();
    this.providerStaff.clear();
    this.customized.clear();
    this.licenses.clear();
    this.faults.clear();
    this.patches.clear();
    this.faults.resetStats();
    this.limiter.clear();
    this.limiter.resetStats();
    this.counter.reset();
    this.messages.reset();
    this.media.reset();
    this.pusher.clearLog();
    this.clock.reset(this.options.timeFactor);
    this.clock.expiresInMode = this.options.expiresInMode ?? 'remaining';
    this.ticketIntervalSeconds = this.options.ticketIntervalSeconds;
  }
}
