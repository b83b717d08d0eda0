import { CallbackPusher, PushOutcome, UrlCheck } from './callback-pusher.js';
import { buildXml, XmlFields } from './callback-xml.js';
import { randomToken } from './ids.js';
import { SimClock } from './sim-clock.js';
import { SimState } from './sim-state.js';
import { ControlError } from './wecom-error.js';

/**
 * `POST /sim/providers` body: what a provider enters in WeCom's provider console — ProviderSecret (服务商信息 →
 * 基本信息) and the system-event URL with its Token and EncodingAESKey (应用管理 → 通用开发参数 → 系统事件接收URL).
 */
export interface ProviderInput {
  provider_corpid: string;
  provider_secret?: string;
  system_event_url?: string;
  token?: string;
  encoding_aes_key?: string;
}

export interface ProviderRecord {
  corpId: string;
  systemEventUrl?: string;
  token?: string;
  encodingAesKey?: string;
}

export interface ProviderView {
  provider_corpid: string;
  has_secret: boolean;
  system_event_url?: string;
}

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/**
 * Providers and the system events WeCom pushes to their 系统事件接收URL. A system event is
 * `<xml><ServiceCorpId/><InfoType/><TimeStamp/>…</xml>`, encrypted with the provider's own token and EncodingAESKey
 * for receiveid = the provider corpid (加解密方案说明), POSTed and retried like every callback. URL verification
 * of that URL uses the same receiveid.
 */
export class ProviderRegistry {
  private readonly records = new Map<string, ProviderRecord>();

  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly pusher: CallbackPusher,
  ) {}

  upsert(input: ProviderInput): ProviderRecord {
    const problems: string[] = [];
    if (typeof input.provider_corpid !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(input.provider_corpid)) problems.push('provider_corpid is required');
    for (const key of ['provider_secret', 'system_event_url', 'token'] as const) {
      if (input[key] !== undefined && (typeof input[key] !== 'string' || input[key] === '')) problems.push(`${key} must be a non-empty string`);
    }
    if (input.encoding_aes_key !== undefined && (typeof input.encoding_aes_key !== 'string' || !AES_KEY.test(input.encoding_aes_key))) {
      problems.push('encoding_aes_key must be 43 base64 characters');
    }
    if (input.system_event_url !== undefined && (input.token === undefined || input.encoding_aes_key === undefined)) {
      problems.push('system_event_url needs token and encoding_aes_key');
    }
    if (problems.length) throw new ControlError(400, problems.join('; '));
    const record = this.records.get(input.provider_corpid) ?? { corpId: input.provider_corpid };
    if (input.system_event_url !== undefined) {
      record.systemEventUrl = input.system_event_url;
      record.token = input.token;
      record.encodingAesKey = input.encoding_aes_key;
    }
    if (input.provider_secret !== undefined) this.state.providers.set(record.corpId, input.provider_secret);
    this.records.set(record.corpId, record);
    return record;
  }

  get(corpId: string): ProviderRecord {
    const record = this.records.get(corpId);
    if (!record) throw new ControlError(404, `unknown provider ${corpId}`);
    return record;
  }

  view(record: ProviderRecord): ProviderView {
    return { provider_corpid: record.corpId, has_secret: this.state.providers.has(record.corpId), system_event_url: record.systemEventUrl };
  }

  /** The plaintext of a system event: ServiceCorpId, InfoType, the event's fields, TimeStamp (now). */
  systemEventPayload(corpId: string, infoType: string, fields: XmlFields): string {
    return buildXml([['ServiceCorpId', corpId], ['InfoType', infoType], ...fields, ['TimeStamp', this.clock.nowSeconds()]]);
  }

  /** Pushes a system event to the provider's URL (400 when it has none). */
  pushSystemEvent(corpId: string, infoType: string, fields: XmlFields, authCorpId?: string): Promise<PushOutcome> {
    const record = this.get(corpId);
    if (!record.systemEventUrl || !record.token || !record.encodingAesKey) throw new ControlError(400, `provider ${corpId} has no system-event URL`);
    return this.pusher.push({
      kind: 'system',
      url: record.systemEventUrl,
      token: record.token,
      encodingAesKey: record.encodingAesKey,
      receiverId: corpId,
      toUserName: corpId,
      agentId: '',
      payload: this.systemEventPayload(corpId, infoType, fields),
      suiteId: corpId,
      corpId: authCorpId,
      infoType,
    });
  }

  /** WeCom's URL check of the system-event URL: GET with an echostr encrypted for the provider corpid. */
  async verifyUrl(corpId: string): Promise<UrlCheck> {
    const record = this.get(corpId);
    if (!record.systemEventUrl || !record.token || !record.encodingAesKey) throw new ControlError(400, `provider ${corpId} has no system-event URL`);
    return CallbackPusher.checkUrl(record.systemEventUrl, record.token, record.encodingAesKey, corpId, randomToken(20));
  }

  clear(): void {
    this.records.clear();
  }
}
