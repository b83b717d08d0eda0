import { randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

/** A suite's callback credentials, as the test registers them in both the platform and the simulator. */
export interface SuiteFixture {
  suiteId: string;
  secret: string;
  token: string;
  aesKey: string;
  providerCorpId: string;
}

export function randomAesKey(): string {
  return randomBytes(32).toString('base64').slice(0, 43);
}

export interface SignedRequest {
  query: string;
  body: string;
}

/** Encrypts and signs a payload the way WeCom does, with WeCom's own npm package. */
/** A callback as WeCom sends it; `sentAt` (unix seconds, default now) is its `timestamp`. */
export function signCallback(suite: Pick<SuiteFixture, 'token' | 'aesKey'>, payload: string, receiverId: string, sentAt = Math.floor(Date.now() / 1000)): SignedRequest {
  const timestamp = String(sentAt);
  const nonce = randomBytes(6).toString('hex');
  const cipher = encrypt(suite.aesKey, payload, receiverId);
  const signature = getSignature(suite.token, timestamp, nonce, cipher);
  return {
    query: `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
    body: `<xml><ToUserName><![CDATA[${receiverId}]]></ToUserName><Encrypt><![CDATA[${cipher}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
  };
}

export function commandPayload(suiteId: string, infoType: string, fields: Record<string, string>): string {
  const extra = Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('');
  return `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[${infoType}]]></InfoType><TimeStamp>${Math.floor(Date.now() / 1000)}</TimeStamp>${extra}</xml>`;
}
