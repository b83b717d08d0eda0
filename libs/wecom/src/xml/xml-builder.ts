import { XmlError } from './xml-error.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters: matching them is the point.
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Builds the flat `<xml>…</xml>` documents WeCom expects: strings in CDATA (a `]]>` inside is split across two
 * sections), numbers as bare text. Field names must be plain XML names; values must be XML characters.
 */
export function buildXml(rootFields: Readonly<Record<string, string | number>>): string {
  let out = '<xml>';
  for (const [name, value] of Object.entries(rootFields)) {
    if (!NAME.test(name)) throw new XmlError('INVALID_NAME', `"${name}" is not a valid element name`);
    out += `<${name}>${encodeValue(name, value)}</${name}>`;
  }
  return `${out}</xml>`;
}

export interface EncryptedReply {
  encrypt: string;
  msgSignature: string;
  timestamp: number | string;
  nonce: string;
}

/** The body of an encrypted passive reply: Encrypt, MsgSignature, TimeStamp and Nonce. */
export function buildEncryptedReply({ encrypt, msgSignature, timestamp, nonce }: EncryptedReply): string {
  if (typeof timestamp === 'string' && !/^\d{1,15}$/.test(timestamp)) {
    throw new XmlError('INVALID_FIELD', 'TimeStamp must be an integer number of seconds');
  }
  return buildXml({ Encrypt: encrypt, MsgSignature: msgSignature, TimeStamp: Number(timestamp), Nonce: nonce });
}

function encodeValue(name: string, value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XmlError('INVALID_FIELD', `<${name}> must be a finite number`);
    return String(value);
  }
  if (typeof value !== 'string') throw new XmlError('INVALID_FIELD', `<${name}> must be a string or a number`);
  if (FORBIDDEN_CHARS.test(value)) throw new XmlError('INVALID_CHAR', `<${name}> holds a character XML forbids`);
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
