import { optionalText, requiredText } from './xml-access.js';
import { parseXml, XmlLimits } from './xml-parser.js';

/** The outer, still encrypted body of a WeCom callback POST. */
export interface CallbackEnvelope {
  /** The receiver as WeCom names it (suite id or corp id); informative only, the decrypted receiver id decides. */
  toUserName?: string;
  encrypt: string;
  agentId?: string;
}

export function parseCallbackEnvelope(xml: string, limits?: XmlLimits): CallbackEnvelope {
  const root = parseXml(xml, limits);
  const context = 'callback envelope';
  const envelope: CallbackEnvelope = { encrypt: requiredText(root, 'Encrypt', context) };
  const toUserName = optionalText(root, 'ToUserName', context);
  if (toUserName) envelope.toUserName = toUserName;
  const agentId = optionalText(root, 'AgentID', context);
  if (agentId) envelope.agentId = agentId;
  return envelope;
}
