import { buildEnvelope, buildXml, cdata } from './callback-xml.js';

describe('callback XML', () => {
  it('writes strings in CDATA and numbers bare, in the given order', () => {
    expect(buildXml([['SuiteId', 'ww1'], ['InfoType', 'suite_ticket'], ['TimeStamp', 1403610513], ['SuiteTicket', 't']])).toBe(
      '<xml><SuiteId><![CDATA[ww1]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>1403610513</TimeStamp><SuiteTicket><![CDATA[t]]></SuiteTicket></xml>',
    );
  });

  it('splits a CDATA terminator inside a value', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
  });

  it('refuses element names that are not XML names', () => {
    expect(() => buildXml([['bad name', 'x']])).toThrow(RangeError);
    expect(() => buildXml([['<x>', 'x']])).toThrow(RangeError);
  });

  it('builds the POST envelope WeCom sends', () => {
    expect(buildEnvelope('ww1', 'ENC', '')).toBe(
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[ENC]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>',
    );
  });
});
