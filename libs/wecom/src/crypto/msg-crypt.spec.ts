import { createCipheriv, randomBytes } from 'node:crypto';
import * as reference from '@wecom/crypto';
import {
  InvalidAesKeyError,
  InvalidBase64Error,
  InvalidCiphertextLengthError,
  InvalidMessageLengthError,
  InvalidPaddingError,
  InvalidTokenError,
  ReceiverIdMismatchError,
  SignatureMismatchError,
  WecomCryptoError,
} from './crypto-errors.js';
import { WecomMsgCrypt } from './msg-crypt.js';

/**
 * WeCom's official WXBizMsgCrypt sample (the same values appear in the C#, Java, PHP and Python samples and in
 * WxJava's WXBizMsgCryptTest): token, EncodingAESKey and corp id of the sample account.
 */
const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'wx5823bf96d3bd56c7';

/** Sample URL verification request: GET ?msg_signature&timestamp&nonce&echostr. */
const VERIFY_URL = {
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plain: '1616140317555161061',
};

/** Sample message callback: POST ?msg_signature&timestamp&nonce with `<Encrypt>` below. */
const MESSAGE = {
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
};

const KEY_BYTES = Buffer.from(`${AES_KEY}=`, 'base64');

/** AES-256-CBC over an arbitrary plaintext, so tests can build ciphertexts with broken padding or lengths. */
function rawEncrypt(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', KEY_BYTES, KEY_BYTES.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** A plaintext laid out as WeCom does (random ‖ length ‖ message ‖ receiver), padding left to the caller. */
function layout(message: string, receiverId: string, declaredLength?: number): Buffer {
  const msg = Buffer.from(message);
  const header = Buffer.alloc(20);
  header.writeUInt32BE(declaredLength ?? msg.length, 16);
  return Buffer.concat([header, msg, Buffer.from(receiverId)]);
}

function padTo32(unpadded: Buffer, padByte?: number): Buffer {
  const pad = 32 - (unpadded.length % 32);
  return Buffer.concat([unpadded, Buffer.alloc(pad, padByte ?? pad)]);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('WecomMsgCrypt with the official WeCom sample vectors', () => {
  const crypt = new WecomMsgCrypt(TOKEN, AES_KEY);

  it('computes the sample msg_signature of the URL verification request', () => {
    expect(crypt.signature(VERIFY_URL.timestamp, VERIFY_URL.nonce, VERIFY_URL.echostr)).toBe(VERIFY_URL.msgSignature);
  });

  it('verifies and decrypts the sample echostr', () => {
    expect(
      crypt.verifyAndDecrypt(
        {
          msgSignature: VERIFY_URL.msgSignature,
          timestamp: VERIFY_URL.timestamp,
          nonce: VERIFY_URL.nonce,
          encrypt: VERIFY_URL.echostr,
        },
        [CORP_ID],
      ),
    ).toEqual({ message: VERIFY_URL.plain, receiverId: CORP_ID });
  });

  it('verifies and decrypts the sample message callback', () => {
    expect(crypt.verifySignature(MESSAGE.msgSignature, MESSAGE.timestamp, MESSAGE.nonce, MESSAGE.encrypt)).toBe(true);
    const { message, receiverId } = crypt.decryptFor(MESSAGE.encrypt, [CORP_ID]);
    expect(receiverId).toBe(CORP_ID);
    expect(message).toContain('<Content><![CDATA[hello]]></Content>');
    expect(message).toContain('<MsgId>4561255354251345929</MsgId>');
    expect(message.startsWith('<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>')).toBe(true);
  });

  it('rejects the sample message under a different timestamp', () => {
    expect(crypt.verifySignature(MESSAGE.msgSignature, '1409659814', MESSAGE.nonce, MESSAGE.encrypt)).toBe(false);
  });
});

describe('WecomMsgCrypt round trip', () => {
  const crypt = new WecomMsgCrypt(TOKEN, AES_KEY);

  it('decrypts what it encrypts, counting the message length in bytes', () => {
    const message = '<xml><Content><![CDATA[测试一下中文的情况，消息长度是按字节来算的]]></Content></xml>';
    const encrypt = crypt.encrypt(message, 'dk_suite_1');
    expect(crypt.decrypt(encrypt)).toEqual({ message, receiverId: 'dk_suite_1' });
  });

  it('pads to 32-byte blocks, adding a whole block when the plaintext is already aligned', () => {
    // 20 header bytes + 12 message bytes + 0 receiver bytes = 32: the padding must be a full extra block.
    const encrypt = crypt.encrypt('x'.repeat(12), '');
    expect(Buffer.from(encrypt, 'base64').length).toBe(64);
    expect(crypt.decrypt(encrypt)).toEqual({ message: 'x'.repeat(12), receiverId: '' });
  });

  it('is deterministic for a given random prefix and random otherwise', () => {
    const random = Buffer.alloc(16, 0xab);
    expect(crypt.encrypt('hello', CORP_ID, random)).toBe(crypt.encrypt('hello', CORP_ID, random));
    expect(crypt.encrypt('hello', CORP_ID)).not.toBe(crypt.encrypt('hello', CORP_ID));
  });

  it('round-trips an empty message', () => {
    expect(crypt.decrypt(crypt.encrypt('', CORP_ID))).toEqual({ message: '', receiverId: CORP_ID });
  });

  it('keeps decrypting correctly after rejecting malformed input (the decipher is reused)', () => {
    const good = crypt.encrypt('<xml>after</xml>', CORP_ID);
    expect(() => crypt.decrypt(rawEncrypt(padTo32(layout('m', CORP_ID), 0)))).toThrow(InvalidPaddingError);
    expect(crypt.decrypt(good).message).toBe('<xml>after</xml>');
    expect(crypt.decrypt(MESSAGE.encrypt).receiverId).toBe(CORP_ID);
    expect(crypt.decrypt(good).message).toBe('<xml>after</xml>');
  });

  it('rejects a random prefix of the wrong size', () => {
    expect(() => crypt.encrypt('x', CORP_ID, Buffer.alloc(15))).toThrow(RangeError);
  });
});

describe('WecomMsgCrypt interoperates with @wecom/crypto', () => {
  const crypt = new WecomMsgCrypt(TOKEN, AES_KEY);
  const message = '<xml><SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType></xml>';

  it('accepts a ciphertext and signature produced by @wecom/crypto', () => {
    const encrypt = reference.encrypt(AES_KEY, message, 'ww4asffe99e54c0f4c');
    const msgSignature = reference.getSignature(TOKEN, '1700000000', 'n0nce', encrypt);
    expect(crypt.verifyAndDecrypt({ msgSignature, timestamp: '1700000000', nonce: 'n0nce', encrypt }, ['ww4asffe99e54c0f4c']))
      .toEqual({ message, receiverId: 'ww4asffe99e54c0f4c' });
  });

  it('produces ciphertext that @wecom/crypto decrypts', () => {
    const decrypted = reference.decrypt(AES_KEY, crypt.encrypt(message, CORP_ID));
    expect(decrypted.message).toBe(message);
    expect(decrypted.id).toBe(CORP_ID);
  });

  it('produces byte-identical ciphertext for the same random prefix', () => {
    const random = randomBytes(16);
    expect(crypt.encrypt(message, CORP_ID, random)).toBe(reference.encrypt(AES_KEY, message, CORP_ID, random));
  });

  it('stays byte-identical over many calls of varied sizes on one instance (cipher and decipher are reused)', () => {
    for (let i = 0; i < 40; i++) {
      const random = randomBytes(16);
      const text = `<xml>${'测x'.repeat(i * 7)}</xml>`;
      const ours = crypt.encrypt(text, CORP_ID, random);
      expect(ours).toBe(reference.encrypt(AES_KEY, text, CORP_ID, random));
      expect(crypt.decrypt(reference.encrypt(AES_KEY, text, `suite${i}`)).receiverId).toBe(`suite${i}`);
      expect(crypt.decrypt(ours).message).toBe(text);
    }
  });

  it('computes the same msg_signature', () => {
    const encrypt = crypt.encrypt(message, CORP_ID);
    expect(crypt.signature('1409659813', '1372623149', encrypt)).toBe(
      reference.getSignature(TOKEN, '1409659813', '1372623149', encrypt),
    );
  });
});

describe('WecomMsgCrypt rejects malformed input with typed errors', () => {
  const crypt = new WecomMsgCrypt(TOKEN, AES_KEY);

  it.each([
    ['empty', ''],
    ['42 characters', AES_KEY.slice(0, 42)],
    ['44 characters', `${AES_KEY}A`],
    ['a character outside base64', `${AES_KEY.slice(0, 42)}!`],
    ['a url-safe character', `${AES_KEY.slice(0, 42)}-`],
  ])('refuses an EncodingAESKey that is %s', (_label, key) => {
    const err = thrown(() => new WecomMsgCrypt(TOKEN, key));
    expect(err).toBeInstanceOf(InvalidAesKeyError);
    expect(err).toBeInstanceOf(WecomCryptoError);
    expect((err as InvalidAesKeyError).code).toBe('INVALID_AES_KEY');
    expect((err as Error).message).not.toContain(AES_KEY.slice(0, 20));
  });

  it('refuses an empty token', () => {
    expect((thrown(() => new WecomMsgCrypt('', AES_KEY)) as WecomCryptoError).code).toBe('INVALID_TOKEN');
    expect(thrown(() => new WecomMsgCrypt('', AES_KEY))).toBeInstanceOf(InvalidTokenError);
  });

  it.each([
    ['a length that is not a multiple of 4', 'abc'],
    ['a character outside base64', 'ab!d'.repeat(12)],
    ['whitespace inside', `${MESSAGE.encrypt.slice(0, 40)} ${MESSAGE.encrypt.slice(41)}`],
    ['url-safe characters', MESSAGE.encrypt.replace(/\+/g, '-')],
    ['non-ASCII characters', `${'Q'.repeat(63)}é`],
    ['padding in the middle', `QQ==${'Q'.repeat(60)}`],
  ])('refuses a ciphertext with %s as InvalidBase64Error', (_label, encrypt) => {
    const err = thrown(() => crypt.decrypt(encrypt));
    expect(err).toBeInstanceOf(InvalidBase64Error);
    expect((err as WecomCryptoError).code).toBe('INVALID_BASE64');
  });

  it.each([
    ['empty', ''],
    ['one block (too short to hold a header)', Buffer.alloc(16).toString('base64')],
    ['not block aligned', Buffer.alloc(40).toString('base64')],
    ['one byte short of two blocks', Buffer.alloc(31).toString('base64')],
  ])('refuses a ciphertext that is %s as InvalidCiphertextLengthError', (_label, encrypt) => {
    const err = thrown(() => crypt.decrypt(encrypt));
    expect(err).toBeInstanceOf(InvalidCiphertextLengthError);
    expect((err as WecomCryptoError).code).toBe('INVALID_CIPHERTEXT_LENGTH');
  });

  it('refuses a pad byte of 0', () => {
    const err = thrown(() => crypt.decrypt(rawEncrypt(padTo32(layout('hello', CORP_ID), 0))));
    expect(err).toBeInstanceOf(InvalidPaddingError);
    expect((err as WecomCryptoError).code).toBe('INVALID_PADDING');
  });

  it('refuses a pad byte above 32', () => {
    const plain = padTo32(layout('hello', CORP_ID));
    plain[plain.length - 1] = 33;
    expect(thrown(() => crypt.decrypt(rawEncrypt(plain)))).toBeInstanceOf(InvalidPaddingError);
  });

  it('refuses padding whose bytes disagree', () => {
    const plain = padTo32(layout('hello', CORP_ID));
    const pad = plain[plain.length - 1];
    expect(pad).toBeGreaterThan(2);
    plain[plain.length - 2] = pad - 1;
    expect(thrown(() => crypt.decrypt(rawEncrypt(plain)))).toBeInstanceOf(InvalidPaddingError);
  });

  it('accepts 16-byte-style padding, which is still valid PKCS#7 within 1..32', () => {
    const unpadded = layout('hello', CORP_ID); // 43 bytes
    const plain = Buffer.concat([unpadded, Buffer.alloc(5, 5)]); // 48 bytes: three AES blocks
    expect(crypt.decrypt(rawEncrypt(plain))).toEqual({ message: 'hello', receiverId: CORP_ID });
  });

  it('refuses a length field that overruns the plaintext', () => {
    const err = thrown(() => crypt.decrypt(rawEncrypt(padTo32(layout('hello', CORP_ID, 1000)))));
    expect(err).toBeInstanceOf(InvalidMessageLengthError);
    expect((err as WecomCryptoError).code).toBe('INVALID_MESSAGE_LENGTH');
  });

  it('refuses a length field of 2^32-1', () => {
    expect(thrown(() => crypt.decrypt(rawEncrypt(padTo32(layout('hello', CORP_ID, 0xffffffff)))))).toBeInstanceOf(
      InvalidMessageLengthError,
    );
  });

  it('refuses a plaintext too short to hold the 20-byte header', () => {
    // 32 bytes of which 16 are padding: only 16 bytes of content remain.
    const plain = Buffer.concat([Buffer.alloc(16), Buffer.alloc(16, 16)]);
    expect(thrown(() => crypt.decrypt(rawEncrypt(plain)))).toBeInstanceOf(InvalidMessageLengthError);
  });

  it('refuses a ciphertext for another receiver and names it', () => {
    const err = thrown(() => crypt.decryptFor(crypt.encrypt('hi', 'ww_other_corp'), [CORP_ID, 'ww_suite']));
    expect(err).toBeInstanceOf(ReceiverIdMismatchError);
    expect((err as ReceiverIdMismatchError).code).toBe('RECEIVER_ID_MISMATCH');
    expect((err as ReceiverIdMismatchError).receiverId).toBe('ww_other_corp');
  });

  it('accepts any receiver id from the allowed set', () => {
    expect(crypt.decryptFor(crypt.encrypt('hi', 'ww_provider'), ['ww_suite', 'ww_provider']).message).toBe('hi');
  });

  it.each([
    ['altered', `${VERIFY_URL.msgSignature.slice(0, 39)}0`],
    ['empty', ''],
    ['too long', `${VERIFY_URL.msgSignature}0`],
    ['one character short', VERIFY_URL.msgSignature.slice(0, 39)],
    ['not hex', 'z'.repeat(40)],
  ])('reports a %s signature as not matching', (_label, msgSignature) => {
    expect(crypt.verifySignature(msgSignature, VERIFY_URL.timestamp, VERIFY_URL.nonce, VERIFY_URL.echostr)).toBe(false);
  });

  it('throws SignatureMismatchError from verifyAndDecrypt before decrypting anything', () => {
    const err = thrown(() =>
      crypt.verifyAndDecrypt({ msgSignature: '0'.repeat(40), timestamp: '1', nonce: '2', encrypt: 'not base64!' }, [CORP_ID]),
    );
    expect(err).toBeInstanceOf(SignatureMismatchError);
    expect((err as WecomCryptoError).code).toBe('SIGNATURE_MISMATCH');
  });

  it('throws ReceiverIdMismatchError from verifyAndDecrypt when the receiver is wrong', () => {
    expect(
      thrown(() =>
        crypt.verifyAndDecrypt(
          { msgSignature: MESSAGE.msgSignature, timestamp: MESSAGE.timestamp, nonce: MESSAGE.nonce, encrypt: MESSAGE.encrypt },
          ['ww_someone_else'],
        ),
      ),
    ).toBeInstanceOf(ReceiverIdMismatchError);
  });
});
