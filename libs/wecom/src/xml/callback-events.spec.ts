import { parseCallbackEnvelope } from './callback-envelope.js';
import { inboxEventOf, parseCommandEvent, parseDataEvent } from './callback-events.js';
import { childList, optionalElement } from './xml-access.js';
import { XmlError, XmlErrorCode } from './xml-error.js';

function codeOf(fn: () => unknown): XmlErrorCode {
  try {
    fn();
  } catch (err) {
    if (err instanceof XmlError) return err.code;
    throw err;
  }
  throw new Error('expected an XmlError');
}

/** The command payloads below are WeCom's documented samples (第三方回调 / 通讯录回调), whitespace included. */
const SUITE_TICKET = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
\t<InfoType> <![CDATA[suite_ticket]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<SuiteTicket><![CDATA[asdfasfdasdfasdf]]></SuiteTicket>
</xml>`;

const CREATE_AUTH = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
\t<AuthCode><![CDATA[AUTHCODE]]></AuthCode>
\t<InfoType><![CDATA[create_auth]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<State><![CDATA[123]]></State>
</xml>`;

const CHANGE_AUTH = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
\t<InfoType><![CDATA[change_auth]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
\t<State><![CDATA[abc]]></State>
</xml>`;

const CANCEL_AUTH = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
\t<InfoType><![CDATA[cancel_auth]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
</xml>`;

const RESET_PERMANENT_CODE = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
\t<AuthCode><![CDATA[AUTHCODE]]></AuthCode>
\t<InfoType><![CDATA[reset_permanent_code]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
</xml>`;

const CHANGE_CONTACT_CREATE_USER = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
\t<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
\t<InfoType><![CDATA[change_contact]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<ChangeType><![CDATA[create_user]]></ChangeType>
\t<UserID><![CDATA[zhangsan]]></UserID>
\t<OpenUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></OpenUserID>
\t<Name><![CDATA[张三]]></Name>
\t<Department><![CDATA[1,2,3]]></Department>
\t<ExtAttr>
\t\t<Item>
\t\t<Name><![CDATA[爱好]]></Name>
\t\t<Type>0</Type>
\t\t<Text>
\t\t\t<Value><![CDATA[旅游]]></Value>
\t\t</Text>
\t\t</Item>
\t\t<Item>
\t\t<Name><![CDATA[卡号]]></Name>
\t\t<Type>1</Type>
\t\t<Web>
\t\t\t<Title><![CDATA[企业微信]]></Title>
\t\t\t<Url><![CDATA[https://work.weixin.qq.com]]></Url>
\t\t</Web>
\t\t</Item>
\t</ExtAttr>
</xml>`;

const CHANGE_EXTERNAL_CONTACT = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
\t<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
\t<InfoType><![CDATA[change_external_contact]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<ChangeType><![CDATA[add_external_contact]]></ChangeType>
\t<UserID><![CDATA[zhangsan]]></UserID>
\t<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID>
\t<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`;

describe('parseCommandEvent', () => {
  it('parses suite_ticket, trimming the padded InfoType', () => {
    const event = parseCommandEvent(SUITE_TICKET);
    expect(event).toEqual({
      infoType: 'suite_ticket',
      suiteId: 'ww4asffe99e54c0fxxxx',
      timeStamp: 1403610513,
      suiteTicket: 'asdfasfdasdfasdf',
      raw: expect.objectContaining({ SuiteTicket: 'asdfasfdasdfasdf' }),
    });
  });

  it('parses create_auth with its state', () => {
    const event = parseCommandEvent(CREATE_AUTH);
    expect(event.infoType).toBe('create_auth');
    if (event.infoType !== 'create_auth') return;
    expect(event.authCode).toBe('AUTHCODE');
    expect(event.state).toBe('123');
    expect(event.suiteId).toBe('ww4asffe99e54c0fxxxx');
  });

  it('parses create_auth without a state and leaves state absent', () => {
    const event = parseCommandEvent(CREATE_AUTH.replace('\t<State><![CDATA[123]]></State>\n', ''));
    expect(event).toEqual(expect.objectContaining({ infoType: 'create_auth', authCode: 'AUTHCODE' }));
    expect('state' in event).toBe(false);
  });

  it('parses change_auth', () => {
    expect(parseCommandEvent(CHANGE_AUTH)).toEqual(
      expect.objectContaining({ infoType: 'change_auth', authCorpId: 'wxf8b4f85f3a794e77', state: 'abc', timeStamp: 1403610513 }),
    );
  });

  it('parses cancel_auth', () => {
    expect(parseCommandEvent(CANCEL_AUTH)).toEqual({
      infoType: 'cancel_auth',
      suiteId: 'ww4asffe99e54c0fxxxx',
      timeStamp: 1403610513,
      authCorpId: 'wxf8b4f85f3a794e77',
      raw: expect.any(Object),
    });
  });

  it('parses reset_permanent_code', () => {
    expect(parseCommandEvent(RESET_PERMANENT_CODE)).toEqual(
      expect.objectContaining({ infoType: 'reset_permanent_code', authCode: 'AUTHCODE', suiteId: 'ww4asffe99e54c0fxxxx' }),
    );
  });

  it('parses change_contact and keeps the nested, repeated fields in raw', () => {
    const event = parseCommandEvent(CHANGE_CONTACT_CREATE_USER);
    expect(event).toEqual(
      expect.objectContaining({ infoType: 'change_contact', authCorpId: 'wxf8b4f85f3a794e77', changeType: 'create_user' }),
    );
    expect(event.raw['UserID']).toBe('zhangsan');
    const extAttr = optionalElement(event.raw, 'ExtAttr', 'test');
    expect(extAttr).toBeDefined();
    expect(childList(extAttr ?? {}, 'Item')).toEqual([
      { Name: '爱好', Type: '0', Text: { Value: '旅游' } },
      { Name: '卡号', Type: '1', Web: { Title: '企业微信', Url: 'https://work.weixin.qq.com' } },
    ]);
  });

  it('parses any other InfoType as "other", keeping its name and common fields', () => {
    expect(parseCommandEvent(CHANGE_EXTERNAL_CONTACT)).toEqual({
      infoType: 'other',
      rawInfoType: 'change_external_contact',
      suiteId: 'ww4asffe99e54c0f4c',
      authCorpId: 'wxf8b4f85f3a794e77',
      timeStamp: 1403610513,
      raw: expect.objectContaining({ WelcomeCode: 'WELCOMECODE' }),
    });
  });

  it('accepts an "other" event without SuiteId (admin-change events carry none)', () => {
    const xml = '<xml><AuthCorpId>corp</AuthCorpId><AgentID>1000002</AgentID><InfoType>change_app_admin</InfoType><TimeStamp>1780000000</TimeStamp></xml>';
    expect(parseCommandEvent(xml)).toEqual(
      expect.objectContaining({ infoType: 'other', rawInfoType: 'change_app_admin', authCorpId: 'corp', timeStamp: 1780000000 }),
    );
  });

  it.each<[string, string, XmlErrorCode]>([
    ['no InfoType', SUITE_TICKET.replace(/<InfoType>.*<\/InfoType>/, ''), 'MISSING_FIELD'],
    ['an empty InfoType', SUITE_TICKET.replace(/<InfoType>.*<\/InfoType>/, '<InfoType> </InfoType>'), 'MISSING_FIELD'],
    ['a suite_ticket without SuiteTicket', SUITE_TICKET.replace(/<SuiteTicket>.*<\/SuiteTicket>/, ''), 'MISSING_FIELD'],
    ['a suite_ticket without SuiteId', SUITE_TICKET.replace(/<SuiteId>.*<\/SuiteId>/, ''), 'MISSING_FIELD'],
    ['a create_auth without AuthCode', CREATE_AUTH.replace(/<AuthCode>.*<\/AuthCode>/, ''), 'MISSING_FIELD'],
    ['a cancel_auth without AuthCorpId', CANCEL_AUTH.replace(/<AuthCorpId>.*<\/AuthCorpId>/, ''), 'MISSING_FIELD'],
    ['a change_contact without ChangeType', CHANGE_CONTACT_CREATE_USER.replace(/<ChangeType>.*<\/ChangeType>/, ''), 'MISSING_FIELD'],
    ['a non-numeric TimeStamp', SUITE_TICKET.replace('1403610513', 'soon'), 'INVALID_FIELD'],
    ['a repeated AuthCode', CREATE_AUTH.replace('<State>', '<AuthCode>again</AuthCode><State>'), 'INVALID_FIELD'],
    ['an AuthCode holding elements', CREATE_AUTH.replace('<![CDATA[AUTHCODE]]>', '<x>1</x>'), 'INVALID_FIELD'],
  ])('refuses %s', (_label, xml, code) => {
    expect(codeOf(() => parseCommandEvent(xml))).toBe(code);
  });

  it('names the missing field in the message', () => {
    expect(() => parseCommandEvent(CREATE_AUTH.replace(/<AuthCode>.*<\/AuthCode>/, ''))).toThrow(
      'create_auth event: <AuthCode> is missing or empty',
    );
  });
});

describe('parseDataEvent', () => {
  it('parses the message of WeCom’s WXBizMsgCrypt sample, keeping a 64-bit MsgId exact', () => {
    const xml = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>
<FromUserName><![CDATA[mycreate]]></FromUserName>
<CreateTime>1409659813</CreateTime>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[hello]]></Content>
<MsgId>4561255354251345929</MsgId>
<AgentID>218</AgentID>
</xml>`;
    expect(parseDataEvent(xml)).toEqual({
      toUserName: 'wx5823bf96d3bd56c7',
      fromUserName: 'mycreate',
      createTime: 1409659813,
      msgType: 'text',
      msgId: '4561255354251345929',
      agentId: '218',
      raw: expect.objectContaining({ Content: 'hello' }),
    });
  });

  it('parses an app event', () => {
    const xml = `<xml><ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>1408091189</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[enter_agent]]></Event>
<EventKey><![CDATA[]]></EventKey>
<AgentID>1</AgentID>
</xml>`;
    const event = parseDataEvent(xml);
    expect(event).toEqual(expect.objectContaining({ toUserName: 'toUser', msgType: 'event', event: 'enter_agent', agentId: '1' }));
    expect('msgId' in event).toBe(false);
  });

  it.each<[string, string]>([
    ['ToUserName', '<xml><MsgType>text</MsgType></xml>'],
    ['MsgType', '<xml><ToUserName>corp</ToUserName></xml>'],
  ])('refuses a payload without %s', (field, xml) => {
    expect(codeOf(() => parseDataEvent(xml))).toBe('MISSING_FIELD');
    expect(() => parseDataEvent(xml)).toThrow(`<${field}>`);
  });
});

describe('parseCallbackEnvelope', () => {
  it('reads the encrypted body of WeCom’s sample callback', () => {
    const xml = `<xml>
   <ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>
   <Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiq]]></Encrypt>
   <AgentID><![CDATA[218]]></AgentID>
</xml>`;
    expect(parseCallbackEnvelope(xml)).toEqual({
      toUserName: 'wx5823bf96d3bd56c7',
      encrypt: expect.stringMatching(/^RypEvHKD8QQKFhvQ6Qle.*NXZiq$/),
      agentId: '218',
    });
  });

  it('needs only Encrypt', () => {
    expect(parseCallbackEnvelope('<xml><Encrypt>abcd</Encrypt></xml>')).toEqual({ encrypt: 'abcd' });
  });

  it.each<[string, string, XmlErrorCode]>([
    ['no Encrypt', '<xml><ToUserName>x</ToUserName></xml>', 'MISSING_FIELD'],
    ['an empty Encrypt', '<xml><Encrypt><![CDATA[]]></Encrypt></xml>', 'MISSING_FIELD'],
    ['two Encrypt fields', '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>', 'INVALID_FIELD'],
    ['an Encrypt holding elements', '<xml><Encrypt><a>b</a></Encrypt></xml>', 'INVALID_FIELD'],
    ['a body that is not XML', 'msg=hello', 'TEXT_OUTSIDE_ROOT'],
    ['a body over the limit', `<xml><Encrypt>${'A'.repeat(2000)}</Encrypt></xml>`, 'TOO_LARGE'],
  ])('refuses %s', (_label, xml, code) => {
    expect(codeOf(() => parseCallbackEnvelope(xml, { maxBytes: 1024 }))).toBe(code);
  });
});

const TEXT_MESSAGE_FOR_INBOX = `<xml>
\t<ToUserName><![CDATA[wwcorp]]></ToUserName>
\t<FromUserName><![CDATA[zhangsan]]></FromUserName>
\t<CreateTime>1348831860</CreateTime>
\t<MsgType><![CDATA[text]]></MsgType>
\t<Content><![CDATA[this is a test]]></Content>
\t<MsgId>1234567890123456</MsgId>
\t<AgentID>1</AgentID>
</xml>`;

describe('inboxEventOf (the typed event the inbox stores)', () => {
  it('keeps a command event typed, without its XML tree', () => {
    const stored = inboxEventOf('command', parseCommandEvent(CREATE_AUTH));
    expect(stored).toEqual({
      kind: 'command',
      infoType: 'create_auth',
      suiteId: 'ww4asffe99e54c0fxxxx',
      timeStamp: 1403610513,
      authCode: 'AUTHCODE',
      state: '123',
    });
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
  });

  it('leaves the suite_ticket out: it is kept sealed in its own table', () => {
    const stored = inboxEventOf('command', parseCommandEvent(SUITE_TICKET));
    expect(stored).toEqual({ kind: 'command', infoType: 'suite_ticket', suiteId: 'ww4asffe99e54c0fxxxx', timeStamp: 1403610513 });
    expect(JSON.stringify(stored)).not.toContain('asdfasfdasdfasdf');
  });

  it('keeps a data event typed, message id as a string', () => {
    expect(inboxEventOf('data', parseDataEvent(TEXT_MESSAGE_FOR_INBOX))).toEqual({
      kind: 'data',
      toUserName: 'wwcorp',
      fromUserName: 'zhangsan',
      createTime: 1348831860,
      msgType: 'text',
      msgId: '1234567890123456',
      agentId: '1',
    });
  });
});

describe('authentic payloads with control characters', () => {
  it.each([
    ['U+001D', '\u001d'],
    ['U+0010', '\u0010'],
    ['U+0001 and U+FFFF', '\u0001\uffff'],
  ])('keeps %s in a text message instead of refusing the document', (_name, chars) => {
    const xml = `<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><FromUserName><![CDATA[u1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a${chars}b]]></Content><MsgId>123456789012345678</MsgId><AgentID>1000002</AgentID></xml>`;
    const event = parseDataEvent(xml);
    expect(event.msgType).toBe('text');
    expect(event.raw['Content']).toBe(`a${chars}b`);
  });

  it('keeps them in a command payload too, but still refuses NUL', () => {
    const xml = '<xml><SuiteId><![CDATA[ww1]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType><TimeStamp>1</TimeStamp><AuthCorpId><![CDATA[wwc]]></AuthCorpId><State><![CDATA[\u001d]]></State></xml>';
    expect(parseCommandEvent(xml).infoType).toBe('change_auth');
    expect(() => parseDataEvent('<xml><MsgType>text</MsgType><ToUserName>c</ToUserName><Content>\u0000</Content></xml>')).toThrow('U+0000');
  });
});
