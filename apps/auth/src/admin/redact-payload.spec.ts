import { redactPayload } from './redact-payload.js';

describe('redactPayload', () => {
  it('replaces codes and tickets, CDATA or not, and keeps everything else', () => {
    const xml =
      '<xml><SuiteId><![CDATA[ww1]]></SuiteId><InfoType><![CDATA[create_auth]]></InfoType>' +
      '<AuthCode><![CDATA[secret-code-1]]></AuthCode><State>s</State><SuiteTicket>tk-2</SuiteTicket></xml>';
    const out = redactPayload(xml);
    expect(out).toBe(
      '<xml><SuiteId><![CDATA[ww1]]></SuiteId><InfoType><![CDATA[create_auth]]></InfoType>' +
        '<AuthCode>[redacted]</AuthCode><State>s</State><SuiteTicket>[redacted]</SuiteTicket></xml>',
    );
  });

  it('handles whitespace and line breaks inside the element', () => {
    expect(redactPayload('<AuthCode>\n  <![CDATA[abc]]>\n</AuthCode>')).toBe('<AuthCode>[redacted]</AuthCode>');
  });

  it('leaves a payload without secrets alone', () => {
    const xml = '<xml><InfoType>change_contact</InfoType><UserID>u1</UserID></xml>';
    expect(redactPayload(xml)).toBe(xml);
  });
});
