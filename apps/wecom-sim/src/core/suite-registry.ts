import { CallbackPusher, PushOutcome } from './callback-pusher.js';
import { XmlFields, buildXml } from './callback-xml.js';
import { Lengths, randomHex, randomToken } from './ids.js';
import { Lifetime } from './lifetimes.js';
import { SimClock } from './sim-clock.js';
import { SimState, SuiteRecord } from './sim-state.js';
import { ControlError } from './wecom-error.js';

/** `POST /sim/suites` body: what an ISV enters in WeCom's admin console for a suite. */
export interface SuiteInput {
  suite_id: string;
  suite_secret: string;
  token: string;
  encoding_aes_key: string;
  name?: string;
  command_callback_url?: string;
  data_callback_url?: string;
  provider_corpid?: string;
  provider_secret?: string;
  /** The provider's corpid for URL verification when no provider credentials are given (default generated). */
  service_corpid?: string;
  /** 个人主体 app: receiveid is the empty string for every callback. */
  personal?: boolean;
  /** 授权发起域名: the host of the page an install link must be clicked on (WeCom checks the Referer). */
  install_domain?: string;
  /** a 代开发 template (ids starting `dk` are templates anyway) */
  customized?: boolean;
}

export interface SuiteView {
  suite_id: string;
  suite_secret: string;
  token: string;
  encoding_aes_key: string;
  name: string;
  command_callback_url?: string;
  data_callback_url?: string;
  provider_corpid?: string;
  service_corpid: string;
  personal: boolean;
  install_domain?: string;
  latest_ticket?: string;
  valid_tickets: number;
  next_ticket_at?: number;
  corps: number;
}

export interface TicketPush {
  suite_ticket: string;
  /** Absent when the suite has no command callback URL: the ticket is issued but goes nowhere. */
  outcome?: PushOutcome;
}

function isUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isEncodingAesKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9+/]{43}$/.test(value) && Buffer.from(`${value}=`, 'base64').length === 32;
}

/** Suites, their suite_tickets and the command callbacks WeCom sends them. */
export class SuiteRegistry {
  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly pusher: CallbackPusher,
    private readonly ticketIntervalSeconds: () => number,
  ) {}

  upsert(input: SuiteInput): SuiteRecord {
    const problems: string[] = [];
    for (const key of ['suite_id', 'suite_secret', 'token'] as const) {
      if (typeof input[key] !== 'string' || input[key] === '') problems.push(`${key} is required`);
    }
    if (!isEncodingAesKey(input.encoding_aes_key)) problems.push('encoding_aes_key must be 43 base64 characters decoding to 32 bytes');
    for (const key of ['command_callback_url', 'data_callback_url'] as const) {
      if (input[key] !== undefined && input[key] !== null && input[key] !== '' && !isUrl(input[key])) problems.push(`${key} must be an http(s) URL`);
    }
    for (const key of ['name', 'provider_corpid', 'provider_secret', 'service_corpid'] as const) {
      if (input[key] !== undefined && typeof input[key] !== 'string') problems.push(`${key} must be a string`);
    }
    if (input.personal !== undefined && typeof input.personal !== 'boolean') problems.push('personal must be a boolean');
    if (input.install_domain !== undefined && (typeof input.install_domain !== 'string' || !/^[A-Za-z0-9.-]{1,253}$/.test(input.install_domain))) {
      problems.push('install_domain must be a host name such as isv.example.com (no scheme, no port)');
    }
    if ((input.provider_corpid === undefined) !== (input.provider_secret === undefined)) {
      problems.push('provider_corpid and provider_secret go together');
    }
    if (problems.length) throw new ControlError(400, problems.join('; '));

    const now = this.clock.now();
    const existing = this.state.suites.get(input.suite_id);
    const suite: SuiteRecord = existing ?? {
      suiteId: input.suite_id,
      suiteSecret: '',
      token: '',
      encodingAesKey: '',
      name: '',
      tickets: new Map(),
      nextTicketAt: now,
      authKeys: [],
      createdAt: now,
      serviceCorpId: `wwsp${randomHex(7)}`,
      personal: false,
    };
    const urlChanged = suite.commandCallbackUrl !== (input.command_callback_url || undefined);
    suite.suiteSecret = input.suite_secret;
    suite.token = input.token;
    suite.encodingAesKey = input.encoding_aes_key;
    suite.name = input.name ?? (suite.name || `模拟应用 ${input.suite_id}`);
    suite.commandCallbackUrl = input.command_callback_url || undefined;
    suite.dataCallbackUrl = input.data_callback_url || undefined;
    if (suite.providerCorpId && suite.providerCorpId !== input.provider_corpid) this.state.providers.delete(suite.providerCorpId);
    suite.providerCorpId = input.provider_corpid;
    suite.providerSecret = input.provider_secret;
    suite.serviceCorpId = input.provider_corpid ?? input.service_corpid ?? suite.serviceCorpId;
    suite.personal = input.personal ?? suite.personal;
    if (input.customized !== undefined) suite.customized = input.customized === true;
    suite.installDomain = input.install_domain?.toLowerCase();
    if (input.provider_corpid && input.provider_secret) this.state.providers.set(input.provider_corpid, input.provider_secret);
    // A newly configured callback URL gets its first ticket right away, as after URL verification in WeCom.
    if (urlChanged) suite.nextTicketAt = now;
    this.state.suites.set(suite.suiteId, suite);
    return suite;
  }

  get(suiteId: string): SuiteRecord {
    const suite = this.state.suites.get(suiteId);
    if (!suite) throw new ControlError(404, `unknown suite ${suiteId}`);
    return suite;
  }

  view(suite: SuiteRecord): SuiteView {
    this.pruneTickets(suite);
    const interval = this.ticketIntervalSeconds();
    return {
      suite_id: suite.suiteId,
      suite_secret: suite.suiteSecret,
      token: suite.token,
      encoding_aes_key: suite.encodingAesKey,
      name: suite.name,
      command_callback_url: suite.commandCallbackUrl,
      data_callback_url: suite.dataCallbackUrl,
      provider_corpid: suite.providerCorpId,
      service_corpid: suite.serviceCorpId,
      personal: suite.personal,
      install_domain: suite.installDomain,
      latest_ticket: suite.latestTicket,
      valid_tickets: suite.tickets.size,
      next_ticket_at: suite.commandCallbackUrl && interval > 0 ? suite.nextTicketAt : undefined,
      corps: suite.authKeys.length,
    };
  }

  /** Issues a new suite_ticket and pushes it to the command callback URL (if any). */
  async pushTicket(suite: SuiteRecord): Promise<TicketPush> {
    const now = this.clock.now();
    const ticket = randomToken(Lengths.ticket);
    suite.tickets.set(ticket, now);
    suite.latestTicket = ticket;
    this.pruneTickets(suite);
    const interval = this.ticketIntervalSeconds();
    if (interval > 0) suite.nextTicketAt = now + interval * 1000;
    const outcome = await this.pushCommand(suite, 'suite_ticket', [['SuiteTicket', ticket]]);
    return { suite_ticket: ticket, outcome };
  }

  /** True when `ticket` was pushed to this suite less than 30 simulated minutes ago. */
  isValidTicket(suite: SuiteRecord, ticket: string): boolean {
    const issuedAt = suite.tickets.get(ticket);
    return issuedAt !== undefined && this.clock.now() - issuedAt < Lifetime.suiteTicketValidity * 1000;
  }

  /** Pushes the suites whose ticket is due; called by the scheduler. Returns how many pushes started. */
  pushDueTickets(): number {
    const interval = this.ticketIntervalSeconds();
    if (interval <= 0) return 0;
    const now = this.clock.now();
    let started = 0;
    for (const suite of this.state.suites.values()) {
      if (!suite.commandCallbackUrl || suite.nextTicketAt > now) continue;
      suite.nextTicketAt = now + interval * 1000;
      started++;
      void this.pushTicket(suite);
    }
    return started;
  }

  /** The plaintext of a command callback: `<xml><SuiteId/><InfoType/><TimeStamp/>…fields</xml>`. */
  commandPayload(suite: SuiteRecord, infoType: string, fields: XmlFields): { payload: string } {
    return { payload: buildXml([['SuiteId', suite.suiteId], ['InfoType', infoType], ['TimeStamp', this.clock.nowSeconds()], ...fields]) };
  }

  /**
   * receiveid of a callback (加解密方案说明): URL verification GETs of both URLs use the provider's corpid, POSTed
   * command callbacks the suite id, data callbacks the authorizing corp's id; 个人主体 apps the empty string.
   */
  static receiverId(suite: SuiteRecord, kind: 'verify' | 'command' | 'data', corpId?: string): string {
    if (suite.personal) return '';
    if (kind === 'verify') return suite.serviceCorpId;
    return kind === 'command' ? suite.suiteId : (corpId ?? '');
  }

  /** Pushes a command callback encrypted for receiver_id = suite_id; undefined when the suite has no URL. */
  pushCommand(suite: SuiteRecord, infoType: string, fields: XmlFields, corpId?: string): Promise<PushOutcome | undefined> {
    const { payload } = this.commandPayload(suite, infoType, fields);
    return this.pushCommandPayload(suite, infoType, payload, corpId);
  }

  pushCommandPayload(suite: SuiteRecord, infoType: string, payload: string, corpId?: string): Promise<PushOutcome | undefined> {
    if (!suite.commandCallbackUrl) return Promise.resolve(undefined);
    return this.pusher.push({
      kind: 'command',
      url: suite.commandCallbackUrl,
      token: suite.token,
      encodingAesKey: suite.encodingAesKey,
      receiverId: SuiteRegistry.receiverId(suite, 'command'),
      toUserName: suite.suiteId,
      agentId: '',
      payload,
      suiteId: suite.suiteId,
      corpId,
      infoType,
    });
  }

  private pruneTickets(suite: SuiteRecord): void {
    const oldest = this.clock.now() - Lifetime.suiteTicketValidity * 1000;
    for (const [ticket, issuedAt] of suite.tickets) if (issuedAt <= oldest) suite.tickets.delete(ticket);
  }
}
