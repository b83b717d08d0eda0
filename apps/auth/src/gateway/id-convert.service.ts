import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AuthConfig } from '@app/config';
import { REDIS } from '@app/queues';
import { AuthAppError } from '../auth-errors.js';
import { GatewayService } from './gateway.service.js';

/** WeCom answered a conversion with an errcode: passed on as is. */
export class ConversionFailed extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeCom answered errcode ${errcode}`);
  }
}

type Json = Record<string, unknown>;
const MAX_IDS = 1000;

/**
 * WeCom's id conversions (安全性升级 / ID 转换, documents 97061–97063, 95900, 98412) through the gateway (so its limits
 * and token handling apply), with results cached in Redis **per suite and corp** (per provider for open_corpid): the
 * same person has different ids for different callers, so a cache is never shared across suites. Only successful
 * conversions are cached (GATEWAY_ID_CACHE_SECONDS); ids WeCom could not convert are asked again next time.
 * Throws `ConversionFailed` with WeCom's errcode, `GatewayRefusal`, and the token broker's errors.
 */
@Injectable()
export class IdConvertService {
  constructor(
    private readonly gateway: GatewayService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** userid → open_userid (`batch/userid_to_openuserid`). */
  openUserIds(suiteId: string, corpId: string, userIds: string[]): Promise<{ converted: Record<string, string>; invalid: string[] }> {
    return this.batch(`${suiteId}:${corpId}:open_userid`, userIds, async (missing) => {
      const r = await this.corpCall(suiteId, corpId, '/cgi-bin/batch/userid_to_openuserid', { userid_list: missing });
      return pairs(r['open_userid_list'], 'userid', 'open_userid');
    });
  }

  /** external_userid → the new external_userid (`externalcontact/get_new_external_userid`, or the group chat variant). */
  newExternalUserIds(suiteId: string, corpId: string, ids: string[], chatId?: string): Promise<{ converted: Record<string, string>; invalid: string[] }> {
    const path = chatId ? '/cgi-bin/externalcontact/groupchat/get_new_external_userid' : '/cgi-bin/externalcontact/get_new_external_userid';
    return this.batch(`${suiteId}:${corpId}:new_external_userid${chatId ? `:${chatId}` : ''}`, ids, async (missing) => {
      const r = await this.corpCall(suiteId, corpId, path, { external_userid_list: missing, ...(chatId && { chat_id: chatId }) });
      return pairs(r['items'], 'external_userid', 'new_external_userid');
    });
  }

  /** tmp_external_userid → external_userid (`idconvert/convert_tmp_external_userid`). */
  tmpExternalUserIds(suiteId: string, corpId: string, businessType: number, userType: number, ids: string[]): Promise<{ converted: Record<string, string>; invalid: string[] }> {
    return this.batch(`${suiteId}:${corpId}:tmp:${businessType}:${userType}`, ids, async (missing) => {
      const r = await this.corpCall(suiteId, corpId, '/cgi-bin/idconvert/convert_tmp_external_userid', { business_type: businessType, user_type: userType, tmp_external_userid_list: missing });
      return pairs(r['results'], 'tmp_external_userid', 'external_userid');
    });
  }

  /** unionid (+ openid) → external_userid and pending_id (`idconvert/unionid_to_external_userid`). */
  async unionIdToExternalUserId(suiteId: string, corpId: string, input: { unionid: string; openid: string; subjectType?: number }): Promise<{ external_userid: string; pending_id: string }> {
    const key = this.key(`${suiteId}:${corpId}:unionid`);
    const field = `${input.unionid}\u0000${input.openid}\u0000${input.subjectType ?? 0}`;
    const cached = await this.redis.hget(key, field);
    if (cached) return JSON.parse(cached) as { external_userid: string; pending_id: string };
    const r = await this.corpCall(suiteId, corpId, '/cgi-bin/idconvert/unionid_to_external_userid', { unionid: input.unionid, openid: input.openid, subject_type: input.subjectType ?? 0 });
    const result = { external_userid: String(r['external_userid'] ?? ''), pending_id: String(r['pending_id'] ?? '') };
    if (result.external_userid || result.pending_id) await this.remember(key, { [field]: JSON.stringify(result) });
    return result;
  }

  /** corpid → open_corpid for the provider (`service/corpid_to_opencorpid`, provider token). */
  async openCorpId(providerCorpId: string, corpId: string): Promise<string> {
    const { converted } = await this.batch(`provider:${providerCorpId}:open_corpid`, [corpId], async ([id]) => {
      const r = await this.call({ suiteId: '', corpId: '', providerCorpId }, '/cgi-bin/service/corpid_to_opencorpid', { corpid: id });
      return typeof r['open_corpid'] === 'string' ? { [id]: r['open_corpid'] } : {};
    });
    const open = converted[corpId];
    if (!open) throw new ConversionFailed(-2, 'WeCom returned no open_corpid');
    return open;
  }

  private async batch(
    cacheName: string,
    ids: string[],
    convert: (missing: string[]) => Promise<Record<string, string>>,
  ): Promise<{ converted: Record<string, string>; invalid: string[] }> {
    const unique = [...new Set(ids)];
    if (unique.length === 0 || unique.length > MAX_IDS) throw new AuthAppError('invalid_id_list', `send 1 to ${MAX_IDS} ids`);
    const key = this.key(cacheName);
    const cached = await this.redis.hmget(key, ...unique);
    const converted: Record<string, string> = {};
    const missing: string[] = [];
    unique.forEach((id, i) => (cached[i] ? (converted[id] = cached[i]) : missing.push(id)));
    if (missing.length > 0) {
      const fresh = await convert(missing);
      if (Object.keys(fresh).length > 0) await this.remember(key, fresh);
      Object.assign(converted, fresh);
    }
    return { converted, invalid: unique.filter((id) => !(id in converted)) };
  }

  private async remember(key: string, values: Record<string, string>): Promise<void> {
    await this.redis.multi().hset(key, values).expire(key, this.config.GATEWAY_ID_CACHE_SECONDS).exec();
  }

  private key(name: string): string {
    return `${this.config.REDIS_PREFIX}:ids:${name}`;
  }

  private corpCall(suiteId: string, corpId: string, path: string, body: Json): Promise<Json> {
    return this.call({ suiteId, corpId }, path, body);
  }

  private async call(target: { suiteId: string; corpId: string; providerCorpId?: string }, path: string, body: Json): Promise<Json> {
    const answer = await this.gateway.call({ ...target, method: 'POST', path, query: new URLSearchParams(), contentType: 'application/json', body: Buffer.from(JSON.stringify(body)) });
    const text = Buffer.isBuffer(answer.body) ? answer.body.toString('utf8') : '';
    let json: Json;
    try {
      json = JSON.parse(text) as Json;
    } catch {
      throw new ConversionFailed(-2, 'WeCom answered something that is not JSON');
    }
    const errcode = typeof json['errcode'] === 'number' ? json['errcode'] : 0;
    if (errcode !== 0) throw new ConversionFailed(errcode, typeof json['errmsg'] === 'string' ? json['errmsg'] : '');
    return json;
  }
}

/** `[{ from, to }]` → `{ from: to }`, skipping malformed items. */
function pairs(list: unknown, from: string, to: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const a = (item as Json)?.[from];
    const b = (item as Json)?.[to];
    if (typeof a === 'string' && typeof b === 'string' && b !== '') out[a] = b;
  }
  return out;
}
