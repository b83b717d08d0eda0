import { optionalInteger, optionalText, requiredText } from './xml-access.js';
import { XmlError } from './xml-error.js';
import { parseXml, XmlElement, XmlLimits } from './xml-parser.js';

/**
 * Provider system events (服务商 "系统事件接收URL", 应用管理 → 通用开发参数): pushed to the provider's own URL,
 * encrypted with the provider's token/EncodingAESKey for receiveid = the provider corpid. Every one carries
 * `ServiceCorpId` (the provider corpid), `InfoType` and `TimeStamp`. Docs: 接口许可 支付成功通知 (97196),
 * 退款结果通知, 自动激活回调通知, 接口许可失效通知; 推广二维码 注册完成回调 (register_corp).
 */
interface SystemEventBase {
  serviceCorpId: string;
  /** Unix seconds, as sent by WeCom (0 when WeCom sent none). */
  timeStamp: number;
  /** The customer corp the event concerns, when it names one. */
  authCorpId?: string;
  raw: XmlElement;
}

/** 支付成功通知: a license order was paid (its account codes exist). */
export interface LicensePaySuccessEvent extends SystemEventBase {
  infoType: 'license_pay_success';
  orderId: string;
  /** userid (in the provider corp) of whoever placed the order */
  buyerUserId?: string;
}

/** 退款结果通知: a license order's refund was decided (`orderStatus`: WeCom's refund status). */
export interface LicenseRefundEvent extends SystemEventBase {
  infoType: 'license_refund';
  orderId: string;
  orderStatus?: number;
}

/** 自动激活回调通知: members were given licenses automatically; `accountList` as WeCom sent it (XML). */
export interface AutoActivateEvent extends SystemEventBase {
  infoType: 'auto_activate';
  /** 1 the member used the app; 2 … (WeCom's activation scene) */
  scene?: number;
}

/** 接口许可失效通知: a member without a valid license called the app. */
export interface UnlicensedNotifyEvent extends SystemEventBase {
  infoType: 'unlicensed_notify';
  agentId?: number;
}

/** 注册完成回调: a corp registered WeCom through the provider's promotion link or QR code. */
export interface RegisterCorpEvent extends SystemEventBase {
  infoType: 'register_corp';
  registerCode: string;
  templateId?: string;
  state?: string;
}

/** Any other InfoType: stored and typed by its name only, every field kept in the raw XML. */
export interface OtherSystemEvent extends SystemEventBase {
  infoType: 'other';
  rawInfoType: string;
}

export type SystemEvent =
  | LicensePaySuccessEvent
  | LicenseRefundEvent
  | AutoActivateEvent
  | UnlicensedNotifyEvent
  | RegisterCorpEvent
  | OtherSystemEvent;

export type KnownSystemInfoType = Exclude<SystemEvent['infoType'], 'other'>;

/** The InfoType a system event was sent with (`rawInfoType` for ones not typed here). */
export function systemInfoTypeOf(event: Pick<SystemEvent, 'infoType'> & { rawInfoType?: string }): string {
  return event.infoType === 'other' ? (event.rawInfoType ?? 'other') : event.infoType;
}

/**
 * Parses a decrypted system event into its typed variant. Like the other callbacks, the payload is authentic:
 * control characters are kept. Throws XmlError when the document or a field a known type needs is missing.
 */
export function parseSystemEvent(xml: string, limits?: XmlLimits): SystemEvent {
  return toSystemEvent(parseXml(xml, { keepControlChars: true, ...limits }));
}

export function toSystemEvent(raw: XmlElement): SystemEvent {
  const infoType = requiredText(raw, 'InfoType', 'system event');
  try {
    return typedSystemEvent(raw, infoType);
  } catch (err) {
    // An authentic event whose fields are not what WeCom documents is kept, typed by its name only.
    if (!(err instanceof XmlError)) throw err;
    return { infoType: 'other', rawInfoType: infoType, serviceCorpId: '', timeStamp: 0, raw };
  }
}

function typedSystemEvent(raw: XmlElement, infoType: string): SystemEvent {
  const context = `${infoType} system event`;
  const base: SystemEventBase = {
    serviceCorpId: optionalText(raw, 'ServiceCorpId', context) ?? '',
    timeStamp: optionalInteger(raw, 'TimeStamp', context) ?? 0,
    raw,
  };
  const authCorpId = optionalText(raw, 'AuthCorpId', context);
  if (authCorpId) base.authCorpId = authCorpId;
  const opt = <T extends object>(event: T, key: string, value: unknown): T => {
    if (value !== undefined && value !== '') (event as Record<string, unknown>)[key] = value;
    return event;
  };
  switch (infoType) {
    case 'license_pay_success':
      return opt({ infoType, ...base, orderId: requiredText(raw, 'OrderId', context) }, 'buyerUserId', optionalText(raw, 'BuyerUserId', context));
    case 'license_refund':
      return opt({ infoType, ...base, orderId: requiredText(raw, 'OrderId', context) }, 'orderStatus', optionalInteger(raw, 'OrderStatus', context));
    case 'auto_activate':
      return opt({ infoType, ...base }, 'scene', optionalInteger(raw, 'Scene', context));
    case 'unlicensed_notify':
      return opt({ infoType, ...base }, 'agentId', optionalInteger(raw, 'AgentID', context));
    case 'register_corp': {
      const event: RegisterCorpEvent = { infoType, ...base, registerCode: requiredText(raw, 'RegisterCode', context) };
      opt(event, 'templateId', optionalText(raw, 'TemplateId', context));
      return opt(event, 'state', optionalText(raw, 'State', context));
    }
    default:
      return { infoType: 'other', rawInfoType: infoType, ...base };
  }
}
