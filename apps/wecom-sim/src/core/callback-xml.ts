/** One element of a callback payload: strings go in CDATA, numbers are written bare (as WeCom does). */
export type XmlValue = string | number;
export type XmlFields = ReadonlyArray<readonly [string, XmlValue]>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** CDATA cannot contain "]]>": split it across two sections. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** `<xml><Name>…</Name>…</xml>` from ordered fields; element names are checked, values always safe. */
export function buildXml(fields: XmlFields): string {
  let out = '<xml>';
  for (const [name, value] of fields) {
    if (!NAME.test(name)) throw new RangeError(`invalid XML element name: ${name}`);
    out += `<${name}>${typeof value === 'number' ? String(value) : cdata(value)}</${name}>`;
  }
  return `${out}</xml>`;
}

/** The envelope WeCom POSTs to a callback URL: the encrypted payload plus routing fields. */
export function buildEnvelope(toUserName: string, encrypt: string, agentId: string): string {
  return `<xml><ToUserName>${cdata(toUserName)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt><AgentID>${cdata(agentId)}</AgentID></xml>`;
}
