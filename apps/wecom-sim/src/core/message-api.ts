import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { field, JsonObject } from './params.js';
import { Ok, OK } from './service-api.js';
import { SimClock } from './sim-clock.js';
import { randomToken } from './ids.js';
import { Errcode, WecomError } from './wecom-error.js';

export const MessagePath = { send: '/cgi-bin/message/send' } as const;

/**
 * WeCom's app-message limits (发送应用消息, document 90236): an app may message one member at most 30 times a minute
 * and 1000 times an hour — messages over that are silently dropped, not refused — and a corp's app may send at most
 * `corp_user_max × 200` person-times a day (the simulator answers 45009 once that is spent).
 */
export const MessageLimits = { perMemberPerMinute: 30, perMemberPerHour: 1000, dailyPerAccount: 200, corpUserMax: 200 } as const;

export type SendResponse = Ok & { invaliduser?: string; msgid: string };

/** What the simulator did with app messages per corp (`GET /sim/messages`). */
export interface MessageStats {
  delivered: number;
  dropped: number;
  by_user: Record<string, { delivered: number; dropped: number }>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_RECIPIENTS = 1000;

/** `POST /cgi-bin/message/send`: delivers to the corp's members, applying WeCom's per-member and per-day limits. */
export class MessageApi {
  /** send times per `suite|corp|user`, pruned to the last hour (simulated ms) */
  private readonly sends = new Map<string, number[]>();
  private readonly daily = new Map<string, { day: number; count: number }>();
  private readonly stats = new Map<string, MessageStats>();

  constructor(
    private readonly clock: SimClock,
    private readonly credentials: Credentials,
    private readonly gate: Gate,
  ) {}

  send(accessToken: string | undefined, body: JsonObject): SendResponse {
    const { suite, corp, auth } = this.credentials.corp(accessToken);
    this.gate.admit(MessagePath.send, { suiteId: suite.suiteId, corpId: corp.corpId });
    const agentId = field(body, 'agentid');
    if (agentId === undefined) throw new WecomError(Errcode.MISSING_AGENTID);
    if (agentId !== String(auth.agentId)) throw new WecomError(Errcode.INVALID_AGENTID);
    if (field(body, 'msgtype') === undefined) throw new WecomError(Errcode.INVALID_PARAMETER, 'msgtype missing');
    const touser = field(body, 'touser') ?? '';
    const wanted = touser === '@all' ? corp.users.map((u) => u.userid) : touser.split('|').filter(Boolean);
    if (wanted.length === 0 && field(body, 'toparty') === undefined && field(body, 'totag') === undefined) {
      throw new WecomError(Errcode.INVALID_PARAMETER, 'touser, toparty and totag all empty');
    }
    if (wanted.length > MAX_RECIPIENTS) throw new WecomError(Errcode.INVALID_PARAMETER, `at most ${MAX_RECIPIENTS} members`);
    const known = new Set(corp.users.map((u) => u.userid));
    const invalid = wanted.filter((u) => !known.has(u));
    const valid = wanted.filter((u) => known.has(u));
    const now = this.clock.now();
    const dayKey = `${suite.suiteId}|${corp.corpId}`;
    const day = Math.floor(now / DAY_MS);
    const budget = this.daily.get(dayKey);
    const used = budget && budget.day === day ? budget.count : 0;
    if (used + valid.length > MessageLimits.corpUserMax * MessageLimits.dailyPerAccount) throw new WecomError(Errcode.RATE_LIMITED, 'daily message quota of the app used up');
    this.daily.set(dayKey, { day, count: used + valid.length });
    const stats = this.statsFor(corp.corpId);
    for (const userId of valid) {
      const key = `${dayKey}|${userId}`;
      const times = (this.sends.get(key) ?? []).filter((t) => now - t < HOUR_MS);
      const lastMinute = times.filter((t) => now - t < MINUTE_MS).length;
      const user = (stats.by_user[userId] ??= { delivered: 0, dropped: 0 });
      if (lastMinute >= MessageLimits.perMemberPerMinute || times.length >= MessageLimits.perMemberPerHour) {
        stats.dropped++;
        user.dropped++;
      } else {
        times.push(now);
        stats.delivered++;
        user.delivered++;
      }
      this.sends.set(key, times);
    }
    return { ...OK, ...(invalid.length > 0 && { invaliduser: invalid.join('|') }), msgid: randomToken(32) };
  }

  /** Per corp: messages delivered and dropped for exceeding the per-member limits. */
  snapshot(): Record<string, MessageStats> {
    return Object.fromEntries(this.stats);
  }

  reset(): void {
    this.sends.clear();
    this.daily.clear();
    this.stats.clear();
  }

  private statsFor(corpId: string): MessageStats {
    let stats = this.stats.get(corpId);
    if (!stats) {
      stats = { delivered: 0, dropped: 0, by_user: {} };
      this.stats.set(corpId, stats);
    }
    return stats;
  }
}
