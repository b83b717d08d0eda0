import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes, RateLimiterUnion } from 'rate-limiter-flexible';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { REDIS } from '@app/queues';
import { GatewayRefusal, GatewayRefusalCode } from './gateway-refusal.js';

const MINUTE_S = 60;
const HOUR_S = 3600;
/** WeCom counts the daily message budget per calendar day in China (UTC+8). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Calls left in a window, for the answer's headers. */
export interface Remaining {
  corpApiMinute: number;
  corpApiHour: number;
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
 * budgets (`rate-limiter-flexible`: fixed windows, atomic in Redis). Per minute and per hour together through
 * `RateLimiterUnion` (a call is refused if either window is spent).
 * - per corp and WeCom API path: GATEWAY_CORP_API_PER_MINUTE / _PER_HOUR (WeCom: 10,000/min, 150,000/h)
 * - provider-token APIs per provider: GATEWAY_PROVIDER_PER_MINUTE / _PER_HOUR (WeCom: 40,000/min, 1,200,000/h)
 * - per server IP (the whole platform): GATEWAY_IP_PER_MINUTE / _PER_HOUR (WeCom: 20,000/min, 600,000/h)
 * - app messages per member: GATEWAY_MESSAGES_PER_MEMBER_PER_MINUTE / _PER_HOUR (WeCom: 30/min, 1000/h, then dropped)
 * - app messages per app and day: corp_user_max × GATEWAY_MESSAGES_PER_ACCOUNT_PER_DAY person-times (WeCom: × 200)
 * - after WeCom's 45009/45033 for a corp, its calls are refused for GATEWAY_SLOWDOWN_SECONDS.
 * Every method throws `GatewayRefusal` (429, with Retry-After seconds) when a budget is spent.
 */
@Injectable()
export class GatewayLimits {
  private readonly corpApi: RateLimiterUnion;
  private readonly corpApiMinute: RateLimiterRedis;
  private readonly ip: RateLimiterUnion;
  private readonly provider: RateLimiterUnion;
  private readonly member: RateLimiterUnion;
  private readonly memberWindows: RateLimiterRedis[];
  private readonly daily: RateLimiterRedis;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    this.prefix = `${config.REDIS_PREFIX}:gw`;
    const limiter = (name: string, points: number, duration: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${this.prefix}:${name}`, points, duration });
    this.corpApiMinute = limiter('corp-api-m', config.GATEWAY_CORP_API_PER_MINUTE, MINUTE_S);
    this.corpApi = new RateLimiterUnion(this.corpApiMinute, limiter('corp-api-h', config.GATEWAY_CORP_API_PER_HOUR, HOUR_S));
    this.provider = new RateLimiterUnion(limiter('provider-m', config.GATEWAY_PROVIDER_PER_MINUTE, MINUTE_S), limiter('provider-h', config.GATEWAY_PROVIDER_PER_HOUR, HOUR_S));
    this.ip = new RateLimiterUnion(limiter('ip-m', config.GATEWAY_IP_PER_MINUTE, MINUTE_S), limiter('ip-h', config.GATEWAY_IP_PER_HOUR, HOUR_S));
    this.memberWindows = [
      limiter('member-m', config.GATEWAY_MESSAGES_PER_MEMBER_PER_MINUTE, MINUTE_S),
      limiter('member-h', config.GATEWAY_MESSAGES_PER_MEMBER_PER_HOUR, HOUR_S),
    ];
    this.member = new RateLimiterUnion(...this.memberWindows);
    // The daily budget differs per corp (corp_user_max): counted here, compared with the corp's own budget below.
    this.daily = limiter('msg-day', Number.MAX_SAFE_INTEGER, 2 * 86_400);
  }

  /** Refuses while WeCom's lockout of this corp lasts (after a 45009/45033). */
  async checkSlowdown(holdKey: string): Promise<void> {
    const ttlMs = await this.redis.pttl(this.slowKey(holdKey));
    if (ttlMs > 0) throw new GatewayRefusal('corp_slowed_down', `WeCom rate-limited ${holdKey}; its calls wait out the lockout`, Math.ceil(ttlMs / 1000));
  }

  /** Starts refusing a corp's calls for GATEWAY_SLOWDOWN_SECONDS; returns those seconds. */
  async slowDown(corpId: string): Promise<number> {
    const seconds = this.config.GATEWAY_SLOWDOWN_SECONDS;
    await this.redis.set(this.slowKey(corpId), '1', 'EX', seconds);
    return seconds;
  }

  /** Counts one call of `path` for the corp and one for the platform's IP; what is left of the corp's windows. */
  async consumeCall(corpId: string, path: string): Promise<Remaining> {
    let corp: Record<string, RateLimiterRes>;
    try {
      corp = await this.corpApi.consume(`${corpId}:${path}`);
    } catch (rejection) {
      throw refusal(rejection, 'corp_api_rate_limited', `corp ${corpId} has used its budget for ${path}`);
    }
    try {
      await this.ip.consume('all');
    } catch (rejection) {
      throw refusal(rejection, 'ip_rate_limited', "the platform's budget of WeCom calls is spent");
    }
    const [minute, hour] = Object.values(corp);
    return { corpApiMinute: minute?.remainingPoints ?? 0, corpApiHour: hour?.remainingPoints ?? 0 };
  }

  /** Counts one provider-token call for the provider and one for the platform's IP; what is left of the provider's windows. */
  async consumeProviderCall(providerCorpId: string): Promise<Remaining> {
    let provider: Record<string, RateLimiterRes>;
    try {
      provider = await this.provider.consume(providerCorpId);
    } catch (rejection) {
      throw refusal(rejection, 'corp_api_rate_limited', `provider ${providerCorpId} has used its budget of provider API calls`);
    }
    try {
      await this.ip.consume('all');
    } catch (rejection) {
      throw refusal(rejection, 'ip_rate_limited', "the platform's budget of WeCom calls is spent");
    }
    const [minute, hour] = Object.values(provider);
    return { corpApiMinute: minute?.remainingPoints ?? 0, corpApiHour: hour?.remainingPoints ?? 0 };
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
    return (await this.corpApiMinute.get(`${corpId}:${path}`))?.consumedPoints ?? 0;
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
