import { WecomMsgCrypt } from '../crypto/msg-crypt.js';
import { parseCallbackEnvelope } from './callback-envelope.js';
import { buildEncryptedReply, buildXml } from './xml-builder.js';
import { XmlError } from './xml-error.js';
import { parseXml } from './xml-parser.js';

describe('buildXml', () => {
  it('wraps strings in CDATA and writes numbers bare, in field order', () => {
    expect(buildXml({ ToUserName: 'corp', CreateTime: 1348831860, MsgType: 'text' })).toBe(
      '<xml><ToUserName><![CDATA[corp]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType></xml>',
    );
  });

  it('splits "]]>" across CDATA sections so the value survives a round trip', () => {
    const value = 'a]]>b<c>&amp;]]>';
    const xml = buildXml({ Content: value });
    expect(xml).toBe('<xml><Content><![CDATA[a]]]]><![CDATA[>b<c>&amp;]]]]><![CDATA[>]]></Content></xml>');
    expect(parseXml(xml)).toEqual({ Content: value });
  });

  it('round-trips Chinese text', () => {
    expect(parseXml(buildXml({ Content: '你好，世界', Count: 3 }))).toEqual({ Content: '你好，世界', Count: '3' });
  });

  it.each([['a name with a space', { 'A B': 'x' }], ['a name with markup', { 'A><script': 'x' }], ['an empty name', { '': 'x' }]])(
    'refuses %s',
    (_label, fields) => {
      expect(() => buildXml(fields)).toThrow(XmlError);
    },
  );

  it('refuses values XML cannot carry', () => {
    expect(() => buildXml({ A: 'bell\u0007' })).toThrow(XmlError);
    expect(() => buildXml({ A: Number.NaN })).toThrow(XmlError);
  });
});

describe('buildEncryptedReply', () => {
  it('builds the passive reply layout of WeCom’s samples', () => {
    expect(buildEncryptedReply({ encrypt: 'ENC', msgSignature: 'SIG', timestamp: '1409659813', nonce: '1372623149' })).toBe(
      '<xml><Encrypt><![CDATA[ENC]]></Encrypt><MsgSignature><![CDATA[SIG]]></MsgSignature>' +
        '<TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[1372623149]]></Nonce></xml>',
    );
  });

  it('produces a reply that verifies and decrypts on the other side', () => {
    const crypt = new WecomMsgCrypt('QDG6eK', 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C');
    const message = '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><Content><![CDATA[this is a test]]></Content></xml>';
    const encrypt = crypt.encrypt(message, 'wx5823bf96d3bd56c7');
    const reply = buildEncryptedReply({
      encrypt,
      msgSignature: crypt.signature('1409659813', 'nonce1', encrypt),
      timestamp: 1409659813,
      nonce: 'nonce1',
    });
    const fields = parseXml(reply);
    expect(parseCallbackEnvelope(reply).encrypt).toBe(encrypt);
    expect(crypt.verifySignature(String(fields['MsgSignature']), String(fields['TimeStamp']), String(fields['Nonce']), encrypt)).toBe(true);
    expect(crypt.decrypt(encrypt).message).toBe(message);
  });

  it('refuses a timestamp that is not a number of seconds', () => {
    expect(() => buildEncryptedReply({ encrypt: 'E', msgSignature: 'S', timestamp: '12:00', nonce: 'n' })).toThrow(XmlError);
  });
});
