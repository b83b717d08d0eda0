import { inboxEventOf, parseCommandEvent, parseDataEvent } from './callback-events.js';

// Shapes from WeCom's 推送suite_ticket and 授权成功通知 pages.
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

const TEXT_MESSAGE = `<xml>
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
    expect(inboxEventOf('data', parseDataEvent(TEXT_MESSAGE))).toEqual({
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
