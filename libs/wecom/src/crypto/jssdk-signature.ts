import { hash } from 'node:crypto';

export interface JsapiSignatureInput {
  /** jsapi_ticket (for `wx.config`) or the agent ticket (for `wx.agentConfig`). */
  ticket: string;
  nonceStr: string;
  /** Unix seconds. */
  timestamp: number | string;
  /** The page URL; any `#fragment` is removed before signing, as WeCom's JS-SDK does. */
  url: string;
}

/** WeCom JS-SDK signature: SHA1 (hex) of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`. */
export function signJsapi({ ticket, nonceStr, timestamp, url }: JsapiSignatureInput): string {
  const hashAt = url.indexOf('#');
  const pageUrl = hashAt === -1 ? url : url.slice(0, hashAt);
  return hash('sha1', `jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${pageUrl}`, 'hex');
}
