import { BadCallbackError, BadSignatureError, IntakeUnavailableError, UnknownSuiteError } from './callback-errors.js';
import {
  commandDedupeKey,
  dataCallbackCorpId,
  dataDedupeKey,
  outcomeOf,
  redactTicket,
  signatureParts,
  storable,
  verificationReceiver,
} from './callback-request.js';

const SIG = 'a'.repeat(40);
const NOW_MS = 1_764_000_000_000;
const NOW_S = String(NOW_MS / 1000);

describe('signatureParts: the signed query of a callback', () => {
  it('returns the three signed parts of a well-formed query', () => {
    expect(signatureParts({ msg_signature: SIG, timestamp: NOW_S, nonce: 'n1' }, 300, NOW_MS)).toEqual({
      msgSignature: SIG,
      timestamp: NOW_S,
      nonce: 'n1',
    });
  });

  it('refuses a missing or malformed msg_signature', () => {
    for (const msg_signature of [undefined, '', 'a'.repeat(39), 'g'.repeat(40), 'a'.repeat(41)]) {
      expect(() => signatureParts({ msg_signature, timestamp: NOW_S, nonce: 'n' }, 300, NOW_MS)).toThrow(
        new BadSignatureError('msg_signature is missing or malformed'),
      );
    }
  });

  it('refuses a missing timestamp or nonce', () => {
    expect(() => signatureParts({ msg_signature: SIG, nonce: 'n' }, 300, NOW_MS)).toThrow(/timestamp and nonce are required/);
    expect(() => signatureParts({ msg_signature: SIG, timestamp: NOW_S, nonce: '' }, 300, NOW_MS)).toThrow(/timestamp and nonce/);
  });

  it('accepts a timestamp exactly at the skew limit and refuses one past it, either way', () => {
    const at = (s: number) => () => signatureParts({ msg_signature: SIG, timestamp: String(s), nonce: 'n' }, 300, NOW_MS);
    expect(at(NOW_MS / 1000 - 300)).not.toThrow();
    expect(at(NOW_MS / 1000 + 300)).not.toThrow();
    expect(at(NOW_MS / 1000 - 301)).toThrow(/more than 300 s away from now/);
    expect(at(NOW_MS / 1000 + 301)).toThrow(BadSignatureError);
  });

  it('refuses timestamps that are not plain seconds', () => {
    for (const timestamp of ['1.5e9', '-1', ' 1764000000', '1764000000.0', '0x69120000', 'NaN', '1'.repeat(13)]) {
      expect(() => signatureParts({ msg_signature: SIG, timestamp, nonce: 'n' }, 1e15, NOW_MS)).toThrow(BadSignatureError);
    }
  });
});

describe('verificationReceiver: whose receiveid a URL verification may carry', () => {
  const suite = { suiteId: 'wwsuite001', providerCorpId: 'wwprovider01' };

  it("accepts the provider's corpid, the suite id and the empty string (个人主体)", () => {
    expect(verificationReceiver('wwprovider01', suite)).toBe('accept');
    expect(verificationReceiver('wwsuite001', suite)).toBe('accept');
    expect(verificationReceiver('', suite)).toBe('accept');
  });

  it('refuses another corp once the provider corpid is known', () => {
    expect(verificationReceiver('wwsomeoneelse', suite)).toBe('mismatch');
  });

  it('learns a WeCom id as the provider corpid when none is recorded, and refuses anything else', () => {
    const unknown = { suiteId: 'wwsuite001', providerCorpId: null };
    expect(verificationReceiver('wwprovider01', unknown)).toBe('learn');
    expect(verificationReceiver('not a corp id!', unknown)).toBe('mismatch');
    expect(verificationReceiver('', unknown)).toBe('accept');
  });
});

describe('dataCallbackCorpId: the corp a data callback is for', () => {
  it('is the receiveid when there is one, else ToUserName (个人主体 apps)', () => {
    expect(dataCallbackCorpId('wwcorpA', 'wwcorpB')).toBe('wwcorpA');
    expect(dataCallbackCorpId('', 'wwcorpB')).toBe('wwcorpB');
  });

  it('is null when neither names a corp', () => {
    expect(dataCallbackCorpId('', undefined)).toBeNull();
    expect(dataCallbackCorpId('', '')).toBeNull();
    expect(dataCallbackCorpId('<bad id>', undefined)).toBeNull();
  });
});

describe('dedupe keys', () => {
  it('keys a message by its MsgId, whatever else differs', () => {
    expect(dataDedupeKey('wws', 'wwc', '123', '<xml>a</xml>')).toBe('wws:data:wwc:msg:123');
    expect(dataDedupeKey('wws', 'wwc', '123', '<xml>b</xml>')).toBe('wws:data:wwc:msg:123');
  });

  it('keys an event without MsgId by its whole plaintext', () => {
    const a = dataDedupeKey('wws', 'wwc', undefined, '<xml>a</xml>');
    expect(a).toMatch(/^wws:data:[0-9a-f]{64}$/);
    expect(dataDedupeKey('wws', 'wwc', undefined, '<xml>a</xml>')).toBe(a);
    expect(dataDedupeKey('wws', 'wwc', undefined, '<xml>b</xml>')).not.toBe(a);
  });

  it('keys a command callback by suite and plaintext', () => {
    expect(commandDedupeKey('wws', '<xml/>')).toBe(commandDedupeKey('wws', '<xml/>'));
    expect(commandDedupeKey('wws', '<xml/>')).toMatch(/^wws:command:[0-9a-f]{64}$/);
    expect(commandDedupeKey('wws2', '<xml/>')).not.toBe(commandDedupeKey('wws', '<xml/>'));
  });
});

describe('what the inbox stores', () => {
  it('replaces NUL (which PostgreSQL text refuses) and keeps every other character', () => {
    expect(storable('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
    const controls = 'x\u0001\u001f\u007f<y>';
    expect(storable(controls)).toBe(controls);
  });

  it('removes the suite_ticket value and keeps the rest of the event', () => {
    const xml = '<xml><SuiteId><![CDATA[wws]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType>'
      + '<SuiteTicket><![CDATA[secret-ticket]]></SuiteTicket><TimeStamp>1</TimeStamp></xml>';
    const redacted = redactTicket(xml);
    expect(redacted).not.toContain('secret-ticket');
    expect(redacted).toBe(xml.replace('secret-ticket', '(stored sealed)'));
    expect(redactTicket('<xml><InfoType>create_auth</InfoType></xml>')).toBe('<xml><InfoType>create_auth</InfoType></xml>');
  });
});

describe('outcomeOf: the metric label of a failed intake', () => {
  it('names each kind of failure', () => {
    expect(outcomeOf(new UnknownSuiteError('x'))).toBe('unknown_suite');
    expect(outcomeOf(new BadSignatureError('x'))).toBe('bad_signature');
    expect(outcomeOf(new IntakeUnavailableError('x'))).toBe('unavailable');
    expect(outcomeOf(new BadCallbackError('x'))).toBe('rejected');
    expect(outcomeOf('thrown string')).toBe('rejected');
  });
});
