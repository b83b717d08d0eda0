import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, RateLimiterUnion } from 'rate-limiter-flexible';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { duplicateRedis, REDIS } from '@app/queues';
import { GatewayRefusal, GatewayRefusalCode } from './gateway-refusal.js';

const MINUTE_S = 60;
const HOUR_S = 3600;
/** How long start-up waits for the limits' own connection (it has no offline queue, as the shared one). */
const READY_WAIT_MS = 3000;
/** WeCom counts the daily message budget per calendar day in China (UTC+8). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** An admitted call: what is left of its minute and hour windows (the answer's headers), and how to give it back. */
export interface Admitted {
  corpApiMinute: number;
  corpApiHour: number;
  /** Returns the call's points to every budget that counted it (the call did not go to WeCom after all). */
  giveBack: () => Promise<void>;
}

/**
 * Counts one point in each window, all sent at once; rejects like `RateLimiterUnion` (a map of every window's result
 * when one is spent, each window keeping its point, as the library's union does).
 */
async function consumeAll(windows: RateLimiterRedis[], key: string): Promise<RateLimiterRes[]> {
  const results = await Promise.allSettled(windows.map((w) => w.consume(key)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<RateLimiterRes>).value);
  if (!(failed.reason instanceof RateLimiterRes)) throw failed.reason; // Redis failed: not a refusal
  throw Object.fromEntries(results.map((r, i) => [String(i), r.status === 'fulfilled' ? r.value : r.reason as RateLimiterRes]));
}

async function rewardAll(windows: RateLimiterRedis[], key: string): Promise<void> {
  await Promise.all(windows.map((w) => w.reward(key, 1).catch(() => undefined)));
}

function throwIfHeld(holdKey: string, ttlMs: number): void {
  if (ttlMs > 0) throw new GatewayRefusal('corp_slowed_down', `WeCom rate-limited ${holdKey}; its calls wait out the lockout`, Math.ceil(ttlMs / 1000));
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** The day WeCom counts messages in, as `YYYYMMDD` (China time). */
export function messageDay(now = Date.now()): string {
  return new Date(now + CHINA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * WeCom's limits, applied by the gateway before WeCom would apply them, in Redis so every replica draws on the same
 * budgets (`rate-limiter-flexible`: fixed windows, atomic in Redis). Per minute and per hour together (a call is
 * refused if either window is spent); a call's hold check and windows go to Redis together (`admit`: one round trip).
 * - per corp and WeCom API path: GATEWAY_CORP_API_PER_MINUTE / _PER_HOUR (WeCom: 10,000/min, 150,000/h)
 * - provider-token APIs per provider: GATEWAY_PROVIDER_PER_MINUTE / _PER_HOUR (WeCom: 40,000/min, 1,200,000/h)
 * - per server IP (the whole platform): GATEWAY_IP_PER_MINUTE / _PER_HOUR (WeCom: 20,000/min, 600,000/h)
 * - app messages per member: GATEWAY_MESSAGES_PER_MEMBER_PER_MINUTE / _PER_HOUR (WeCom: 30/min, 1000/h, then dropped)
 * - app messages per app and day: corp_user_max × GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY person-times (WeCom: × 200)
 * - after WeCom's 45009/45033 for a corp, its calls are refused for GATEWAY_SLOWDOWN_SECONDS.
 * Every method throws `GatewayRefusal` (429, with Retry-After seconds) when a budget is spent.
 *
 * The limits have their own connection, auto-pipelined (ioredis `enableAutoPipelining`): the five commands of a call's
 * admission are issued together and go out in one socket write instead of five; those writes were the largest cost
 * of a gateway call (gateway profile, docs/performance-profiles.md). On a Redis Cluster ioredis pipelines per node.
 */
@Injectable()
export class GatewayLimits implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('GatewayLimits');
  private readonly redis: Redis;
  private readonly corpApiWindows: RateLimiterRedis[];
  private readonly ipWindows: RateLimiterRedis[];
  private readonly providerWindows: RateLimiterRedis[];
  private readonly member: RateLimiterUnion;
  private readonly memberWindows: RateLimiterRedis[];
  private readonly daily: RateLimiterRedis;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) shared: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    const redis = duplicateRedis(shared, { enableAutoPipelining: true, connectionName: `${config.REDIS_PREFIX}:gateway-limits` });
    this.redis = redis;
    this.prefix = `${config.REDIS_PREFIX}:gw`;
    const limiter = (name: string, points: number, duration: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${this.prefix}:${name}`, points, duration });
    this.corpApiWindows = [limiter('corp-api-m', config.GATEWAY_CORP_API_PER_MINUTE, MINUTE_S), limiter('corp-api-h', config.GATEWAY_CORP_API_PER_HOUR, HOUR_S)];
    this.providerWindows = [limiter('provider-m', config.GATEWAY_PROVIDER_PER_MINUTE, MINUTE_S), limiter('provider-h', config.GATEWAY_PROVIDER_PER_HOUR, HOUR_S)];
    this.ipWindows = [limiter('ip-m', config.GATEWAY_IP_PER_MINUTE, MINUTE_S), limiter('ip-h', config.GATEWAY_IP_PER_HOUR, HOUR_S)];
    this.memberWindows = [
      limiter('member-m', config.GATEWAY_MESSAGES_PER_MEMBER_PER_MINUTE, MINUTE_S),
      limiter('member-h', config.GATEWAY_MESSAGES_PER_MEMBER_PER_HOUR, HOUR_S),
    ];
    this.member = new RateLimiterUnion(...this.memberWindows);
    // The daily budget differs per corp (corp_user_max): counted here, compared with the corp's own budget below.
    this.daily = limiter('msg-day', Number.MAX_SAFE_INTEGER, 2 * 86_400);
  }

  /** Waits (up to READY_WAIT_MS) for the connection, so the first calls are not refused for want of it. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_WAIT_MS);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready) this.logger.warn({ msg: `gateway limits: Redis not ready after ${READY_WAIT_MS} ms; starting anyway` });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Starts refusing a corp's calls for GATEWAY_SLOWDOWN_SECONDS; returns those seconds. */
  async slowDown(corpId: string): Promise<number> {
    const seconds = this.config.GATEWAY_SLOWDOWN_SECONDS;
    await this.redis.set(this.slowKey(corpId), '1', 'EX', seconds);
    return seconds;
  }

  /**
   * Admits one call of `path` for the corp: refused while WeCom's lockout of it lasts (after a 45009/45033), else counted for the
   * corp and API and for the platform's IP. What is left of the corp's windows, and `giveBack` to return the call's
   * points should it be refused further on (a message quota) without reaching WeCom.
   */
  consumeCall(corpId: string, path: string): Promise<Admitted> {
    return this.admit(corpId, this.corpApiWindows, `${corpId}:${path}`, 'corp_api_rate_limited', `corp ${corpId} has used its budget for ${path}`);
  }

  /** Admits one provider-token call: held providers refused, counted per provider and for the platform's IP. */
  consumeProviderCall(providerCorpId: string): Promise<Admitted> {
    const message = `provider ${providerCorpId} has used its budget of provider API calls`;
    return this.admit(`provider:${providerCorpId}`, this.providerWindows, providerCorpId, 'corp_api_rate_limited', message);
  }

  /**
   * The hold check and both budgets at once, so a call costs one Redis round trip rather than three (the commands go
   * out together; each limiter stays atomic in Redis). A call refused by one check gives back what the others
   * counted, so every budget counts exactly the calls that went on to WeCom.
   */
  private async admit(holdKey: string, windows: RateLimiterRedis[], key: string, code: GatewayRefusalCode, message: string): Promise<Admitted> {
    const [hold, own, ip] = await Promise.allSettled([this.redis.pttl(this.slowKey(holdKey)), consumeAll(windows, key), consumeAll(this.ipWindows, 'all')]);
    const giveBack = async () => {
      await Promise.all([own.status === 'fulfilled' ? rewardAll(windows, key) : undefined, ip.status === 'fulfilled' ? rewardAll(this.ipWindows, 'all') : undefined]);
    };
    try {
      if (hold.status === 'rejected') throw hold.reason;
      throwIfHeld(holdKey, hold.value);
      if (own.status === 'rejected') throw refusal(own.reason, code, message);
      if (ip.status === 'rejected') throw refusal(ip.reason, 'ip_rate_limited', "the platform's budget of WeCom calls is spent");
    } catch (err) {
      await giveBack();
      throw err;
    }
    const [minute, hour] = own.value;
    return { corpApiMinute: minute.remainingPoints, corpApiHour: hour.remainingPoints, giveBack };
  }

  /**
   * Counts one app message to each member for this app (suite) in the corp, and `personTimes` of the day's budget.
   * All or nothing: when a member or the day is over, what was counted is given back and the call refused. `refund`
   * gives the counted points back (`reward`) for a message WeCom did not take (an errcode, or it never got there)
   * and answers the person-times then left today.
   */
  async consumeMessage(
    suiteId: string,
    corpId: string,
    members: string[],
    personTimes: number,
    dailyLimit: number,
  ): Promise<{ remainingToday: number; refund: () => Promise<number> }> {
    const counted: string[] = [];
    const giveBackMembers = () => Promise.all(counted.flatMap((key) => this.memberWindows.map((w) => w.reward(key, 1).catch(() => undefined))));
    try {
      for (const member of members) {
        const key = `${suiteId}:${corpId}:${member}`;
        try {
          await this.member.consume(key);
          counted.push(key);
        } catch (rejection) {
          throw refusal(rejection, 'message_member_rate_limited', `member ${member} already got the most app messages WeCom delivers in this window`);
        }
      }
      const dayKey = `${suiteId}:${corpId}:${messageDay()}`;
      const points = Math.max(1, personTimes);
      const res = await this.daily.consume(dayKey, points);
      if (res.consumedPoints > dailyLimit) {
        await this.daily.reward(dayKey, points).catch(() => undefined);
        throw new GatewayRefusal('message_daily_quota_exceeded', `the app's ${dailyLimit} message person-times for today are spent`, secondsToChinaMidnight());
      }
      const refund = async () => {
        await Promise.all([giveBackMembers(), this.daily.reward(dayKey, points).catch(() => undefined)]);
        return dailyLimit - res.consumedPoints + points;
      };
      return { remainingToday: dailyLimit - res.consumedPoints, refund };
    } catch (err) {
      await giveBackMembers();
      throw err;
    }
  }

  /** The corp's message person-times used today (this app) and how long it is still slowed down. */
  async usage(suiteId: string, corpId: string): Promise<{ messagesToday: number; slowedDownForSeconds: number }> {
    const [day, ttlMs] = await Promise.all([this.daily.get(`${suiteId}:${corpId}:${messageDay()}`), this.redis.pttl(this.slowKey(corpId))]);
    return { messagesToday: day?.consumedPoints ?? 0, slowedDownForSeconds: ttlMs > 0 ? Math.ceil(ttlMs / 1000) : 0 };
  }

  /** Calls of `path` for the corp in the current minute window. */
  async corpApiUsedThisMinute(corpId: string, path: string): Promise<number> {
    return (await this.corpApiWindows[0].get(`${corpId}:${path}`))?.consumedPoints ?? 0;
  }

  private slowKey(corpId: string): string {
    return `${this.prefix}:slow:${corpId}`;
  }
}

function refusal(rejection: unknown, code: GatewayRefusalCode, message: string): GatewayRefusal {
  if (rejection instanceof GatewayRefusal) return rejection;
  const results = rejection instanceof RateLimiterRes ? [rejection] : isResultMap(rejection) ? Object.values(rejection) : null;
  if (!results) throw rejection; // Redis failed: not a refusal, let it surface as such
  const spent = results.filter((r) => r.remainingPoints <= 0);
  const wait = Math.max(...(spent.length > 0 ? spent : results).map(retryAfter), 1);
  return new GatewayRefusal(code, message, wait);
}

function isResultMap(value: unknown): value is Record<string, RateLimiterRes> {
  return typeof value === 'object' && value !== null && Object.values(value).length > 0 && Object.values(value).every((v) => v instanceof RateLimiterRes);
}

function secondsToChinaMidnight(now = Date.now()): number {
  const day = 86_400_000;
  const china = now + CHINA_OFFSET_MS;
  return Math.max(1, Math.ceil((day - (china % day)) / 1000));
}
