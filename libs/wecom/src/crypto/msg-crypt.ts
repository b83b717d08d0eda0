import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  Decipher,
  hash,
  KeyObject,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';
import {
  InvalidAesKeyError,
  InvalidBase64Error,
  InvalidCiphertextLengthError,
  InvalidMessageLengthError,
  InvalidPaddingError,
  InvalidTokenError,
  ReceiverIdMismatchError,
  SignatureMismatchError,
} from './crypto-errors.js';

/** WeCom pads the plaintext to a multiple of 32 bytes (not AES's 16), so padding is 1..32 bytes. */
const PAD_BLOCK = 32;
const AES_BLOCK = 16;
const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;
/** Smallest well-formed ciphertext: 16 random bytes + 4 length bytes + at least one padding byte, block aligned. */
const MIN_CIPHERTEXT_BYTES = 32;
const SHA1_HEX_LENGTH = 40;

const AES_KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;

export interface DecryptedMessage {
  message: string;
  receiverId: string;
}

export interface SignedCiphertext {
  msgSignature: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

/**
 * WeCom's WXBizMsgCrypt: msg_signature check plus AES-256-CBC with the EncodingAESKey.
 * Plaintext layout: 16 random bytes ‖ uint32 BE message length ‖ message ‖ receiver id ‖ PKCS#7 padding (32-byte blocks).
 *
 * One instance per (token, EncodingAESKey) pair: the key is decoded and validated once in the constructor.
 * Every malformed input raises a typed `WecomCryptoError`; nothing from OpenSSL escapes untyped.
 */
export class WecomMsgCrypt {
  readonly #token: string;
  /** A KeyObject, not a Buffer: OpenSSL then skips re-importing the raw key on every cipher, a third of the cost. */
  readonly #key: KeyObject;
  readonly #iv: Buffer;
  #decipher: Decipher | undefined;

  constructor(token: string, encodingAesKey: string) {
    if (typeof token !== 'string' || token.length === 0) throw new InvalidTokenError();
    if (typeof encodingAesKey !== 'string' || encodingAesKey.length !== 43) {
      throw new InvalidAesKeyError('must be 43 characters');
    }
    if (!AES_KEY_PATTERN.test(encodingAesKey)) throw new InvalidAesKeyError('must be base64 characters only');
    const key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (key.length !== 32) throw new InvalidAesKeyError(`must decode to 32 bytes, got ${key.length}`);
    this.#token = token;
    this.#key = createSecretKey(key);
    this.#iv = Buffer.from(key.subarray(0, AES_BLOCK));
  }

  /** SHA1 (hex) of token, timestamp, nonce and ciphertext, sorted and concatenated. */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    return hash('sha1', sortedConcat(this.#token, timestamp, nonce, encrypt), 'hex');
  }

  /** Constant-time comparison of a received msg_signature with the expected one; false on any malformed input. */
  verifySignature(msgSignature: string, timestamp: string, nonce: string, encrypt: string): boolean {
    if (typeof msgSignature !== 'string' || msgSignature.length !== SHA1_HEX_LENGTH) return false;
    const received = Buffer.from(msgSignature, 'hex');
    // Buffer's hex decoder stops at the first non-hex pair, so a short result means the input was not hex.
    if (received.length !== SHA1_HEX_LENGTH / 2) return false;
    const expected = hash('sha1', sortedConcat(this.#token, timestamp, nonce, encrypt), 'buffer');
    return timingSafeEqual(received, expected);
  }

  /** Decrypts a base64 ciphertext (the `Encrypt` field or `echostr`). Does not check the signature or receiver. */
  decrypt(encrypt: string): DecryptedMessage {
    if (typeof encrypt !== 'string' || encrypt.length === 0) throw new InvalidCiphertextLengthError(0);
    if (encrypt.length % 4 !== 0) throw new InvalidBase64Error();
    // Decode straight into a buffer that starts with the IV block (see #decipher for why).
    const input = Buffer.allocUnsafe(AES_BLOCK + (encrypt.length >>> 2) * 3);
    this.#iv.copy(input, 0);
    const length = input.write(encrypt, AES_BLOCK, 'base64');
    // Node's decoder silently skips or truncates bad characters, and a regex over the input costs more than the
    // AES itself: re-encoding is cheap and accepts exactly the canonical standard-alphabet base64.
    if (input.toString('base64', AES_BLOCK, AES_BLOCK + length) !== encrypt) throw new InvalidBase64Error();
    if (length < MIN_CIPHERTEXT_BYTES || length % AES_BLOCK !== 0) throw new InvalidCiphertextLengthError(length);

    const plain = this.#decipherBlocks(input.subarray(0, AES_BLOCK + length)).subarray(AES_BLOCK);
    const pad = plain[length - 1];
    if (pad < 1 || pad > PAD_BLOCK) throw new InvalidPaddingError(`pad byte ${pad} is outside 1..${PAD_BLOCK}`);
    const end = length - pad;
    for (let i = end; i < length - 1; i++) {
      if (plain[i] !== pad) throw new InvalidPaddingError('pad bytes are inconsistent');
    }
    if (end < HEADER_BYTES) throw new InvalidMessageLengthError(0, end - HEADER_BYTES);
    const messageLength = plain.readUInt32BE(RANDOM_BYTES);
    if (messageLength > end - HEADER_BYTES) throw new InvalidMessageLengthError(messageLength, end - HEADER_BYTES);
    const messageEnd = HEADER_BYTES + messageLength;
    return {
      message: plain.toString('utf8', HEADER_BYTES, messageEnd),
      receiverId: plain.toString('utf8', messageEnd, end),
    };
  }

  /**
   * CBC-decrypts `ivThenCiphertext` (block aligned, first block = the IV) and returns the output, whose first
   * block is garbage.
   *
   * Creating a decipher costs more than decrypting a typical callback, so one long-lived decipher is reused.
   * CBC's only state between blocks is the previous ciphertext block; feeding the IV as a leading ciphertext block
   * makes it the chaining value for the real first block, whatever the previous call left behind. Input is always
   * whole blocks, so nothing stays buffered between calls; final() is never called, which keeps the decipher open.
   */
  #decipherBlocks(ivThenCiphertext: Buffer): Buffer {
    try {
      this.#decipher ??= this.#newDecipher();
      return this.#decipher.update(ivThenCiphertext);
    } catch {
      this.#decipher = undefined;
      throw new InvalidCiphertextLengthError(ivThenCiphertext.length - AES_BLOCK);
    }
  }

  #newDecipher(): Decipher {
    const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
    decipher.setAutoPadding(false);
    return decipher;
  }

  /** Decrypts and checks that the receiver id is one of `allowedReceiverIds` (suite id, corp id, …). */
  decryptFor(encrypt: string, allowedReceiverIds: readonly string[]): DecryptedMessage {
    const decrypted = this.decrypt(encrypt);
    if (!allowedReceiverIds.includes(decrypted.receiverId)) throw new ReceiverIdMismatchError(decrypted.receiverId);
    return decrypted;
  }

  /** The whole intake check in one call: signature first (no decryption of unsigned input), then decrypt and receiver. */
  verifyAndDecrypt(input: SignedCiphertext, allowedReceiverIds: readonly string[]): DecryptedMessage {
    if (!this.verifySignature(input.msgSignature, input.timestamp, input.nonce, input.encrypt)) {
      throw new SignatureMismatchError();
    }
    return this.decryptFor(input.encrypt, allowedReceiverIds);
  }

  /** Encrypts `message` for `receiverId`; `random16` makes the output deterministic (tests, vectors). */
  encrypt(message: string, receiverId: string, random16?: Buffer): string {
    if (random16 !== undefined && random16.length !== RANDOM_BYTES) {
      throw new RangeError(`random16 must be ${RANDOM_BYTES} bytes, got ${random16.length}`);
    }
    const messageBytes = Buffer.byteLength(message, 'utf8');
    const receiverBytes = Buffer.byteLength(receiverId, 'utf8');
    const unpadded = HEADER_BYTES + messageBytes + receiverBytes;
    const pad = PAD_BLOCK - (unpadded % PAD_BLOCK);
    const plain = Buffer.allocUnsafe(unpadded + pad);
    if (random16) random16.copy(plain, 0);
    else randomFillSync(plain, 0, RANDOM_BYTES);
    plain.writeUInt32BE(messageBytes, RANDOM_BYTES);
    plain.write(message, HEADER_BYTES, 'utf8');
    plain.write(receiverId, HEADER_BYTES + messageBytes, 'utf8');
    plain.fill(pad, unpadded);

    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return cipher.update(plain).toString('base64');
  }
}

function sortedConcat(a: string, b: string, c: string, d: string): string {
  return [a, b, c, d].sort().join('');
}
