import { createHash } from 'node:crypto';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { openUserIdFor } from './ids.js';
import { field, JsonObject } from './params.js';
import { Ok, OK } from './service-api.js';
import { Errcode, WecomError } from './wecom-error.js';

/** WeCom's id conversion APIs for third-party apps (安全性升级 / ID 转换, documents 95890, 97061–97063, 95900, 98412). */
export const IdConvertPath = {
  corpidToOpenCorpid: '/cgi-bin/service/corpid_to_opencorpid',
  useridToOpenUserid: '/cgi-bin/batch/userid_to_openuserid',
  newExternalUserid: '/cgi-bin/externalcontact/get_new_external_userid',
  groupchatNewExternalUserid: '/cgi-bin/externalcontact/groupchat/get_new_external_userid',
  unionidToExternalUserid: '/cgi-bin/idconvert/unionid_to_external_userid',
  convertTmpExternalUserid: '/cgi-bin/idconvert/convert_tmp_external_userid',
} as const;

/** Lists of ids are limited to 1000 per call. */
const MAX_LIST = 1000;

/** An id the caller `salt` sees for `id`: stable, different for every caller (ids are per caller at WeCom). */
function derived(prefix: string, salt: string, id: string): string {
  return `${prefix}${createHash('sha1').update(`${salt}\u0000${id}`).digest('base64url').slice(0, 30)}`;
}

function idList(body: JsonObject, key: string): string[] {
  const value = body[key];
  if (!Array.isArray(value) || value.length === 0) throw new WecomError(Errcode.INVALID_PARAMETER, `${key} missing`);
  if (value.length > MAX_LIST) throw new WecomError(Errcode.INVALID_PARAMETER, `${key} has more than ${MAX_LIST} ids`);
  return value.map(String);
}

/**
 * The simulated conversions. Ids the platform's caller sees depend on the suite (a stand-in for WeCom's per-provider
 * ids), so a cache shared across suites would answer wrongly, as it would at WeCom.
 */
export class IdConvertApi {
  constructor(
    private readonly credentials: Credentials,
    private readonly gate: Gate,
  ) {}

  /** provider_access_token; `{ corpid }` → `{ open_corpid }`. */
  corpidToOpenCorpid(providerToken: string | undefined, body: JsonObject): Ok & { open_corpid: string } {
    const provider = this.credentials.provider(providerToken);
    this.gate.admit(IdConvertPath.corpidToOpenCorpid, {});
    const corpId = field(body, 'corpid');
    if (corpId === undefined) throw new WecomError(Errcode.MISSING_CORPID);
    return { ...OK, open_corpid: derived('wp', provider, corpId) };
  }

  /** `{ userid_list }` → `{ open_userid_list: [{ userid, open_userid }], invalid_userid_list }`. */
  useridToOpenUserid(accessToken: string | undefined, body: JsonObject): Ok & { open_userid_list: Array<{ userid: string; open_userid: string }>; invalid_userid_list: string[] } {
    const { corp } = this.corp(IdConvertPath.useridToOpenUserid, accessToken);
    const wanted = idList(body, 'userid_list');
    const known = new Set(corp.users.map((u) => u.userid));
    return {
      ...OK,
      open_userid_list: wanted.filter((u) => known.has(u)).map((userid) => ({ userid, open_userid: openUserIdFor(corp.corpId, userid) })),
      invalid_userid_list: wanted.filter((u) => !known.has(u)),
    };
  }

  /** `{ external_userid_list }` → `{ items: [{ external_userid, new_external_userid }] }`. */
  newExternalUserid(accessToken: string | undefined, body: JsonObject): Ok & { items: Array<{ external_userid: string; new_external_userid: string }> } {
    const { suite } = this.corp(IdConvertPath.newExternalUserid, accessToken);
    const items = idList(body, 'external_userid_list').map((id) => ({ external_userid: id, new_external_userid: derived('wm', suite.suiteId, id) }));
    return { ...OK, items };
  }

  /** `{ chat_id, external_userid_list }` → `{ items }`, for members of one customer group. */
  groupchatNewExternalUserid(accessToken: string | undefined, body: JsonObject): Ok & { items: Array<{ external_userid: string; new_external_userid: string }> } {
    const { suite } = this.corp(IdConvertPath.groupchatNewExternalUserid, accessToken);
    if (field(body, 'chat_id') === undefined) throw new WecomError(Errcode.INVALID_PARAMETER, 'chat_id missing');
    const items = idList(body, 'external_userid_list').map((id) => ({ external_userid: id, new_external_userid: derived('wm', suite.suiteId, id) }));
    return { ...OK, items };
  }

  /** `{ unionid, openid, subject_type }` → `{ external_userid, pending_id }`. */
  unionidToExternalUserid(accessToken: string | undefined, body: JsonObject): Ok & { external_userid: string; pending_id: string } {
    const { suite, corp } = this.corp(IdConvertPath.unionidToExternalUserid, accessToken);
    const unionid = field(body, 'unionid');
    if (unionid === undefined || field(body, 'openid') === undefined) throw new WecomError(Errcode.INVALID_PARAMETER, 'unionid and openid are required');
    return { ...OK, external_userid: derived('wm', suite.suiteId, `${corp.corpId}|${unionid}`), pending_id: derived('p', suite.suiteId, unionid) };
  }

  /** `{ business_type, user_type, tmp_external_userid_list }` → `{ results, invalid_tmp_external_userid_list }`. */
  convertTmpExternalUserid(
    accessToken: string | undefined,
    body: JsonObject,
  ): Ok & { results: Array<{ tmp_external_userid: string; external_userid: string }>; invalid_tmp_external_userid_list: string[] } {
    const { suite } = this.corp(IdConvertPath.convertTmpExternalUserid, accessToken);
    if (field(body, 'business_type') === undefined || field(body, 'user_type') === undefined) throw new WecomError(Errcode.INVALID_PARAMETER, 'business_type and user_type are required');
    const list = idList(body, 'tmp_external_userid_list');
    return {
      ...OK,
      results: list.filter((id) => id.startsWith('tmp')).map((id) => ({ tmp_external_userid: id, external_userid: derived('wm', suite.suiteId, id) })),
      invalid_tmp_external_userid_list: list.filter((id) => !id.startsWith('tmp')),
    };
  }

  private corp(path: string, accessToken: string | undefined): ReturnType<Credentials['corp']> {
    const ctx = this.credentials.corp(accessToken);
    this.gate.admit(path, { suiteId: ctx.suite.suiteId, corpId: ctx.corp.corpId });
    return ctx;
  }
}
