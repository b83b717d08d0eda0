import {
  createCipheriv,
  createDecipheriv,
  Cipher,
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
const SHA1_BYTES = 20;
const SHA1_HEX_LENGTH = 2 * SHA1_BYTES;

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
  #cipher: { cipher: Cipher; lastBlock: Buffer } | undefined;
  readonly #receivedDigest = Buffer.alloc(SHA1_BYTES);
  readonly #expectedDigest = Buffer.alloc(SHA1_BYTES);
  /** AES-decrypt(IV) as a single ECB block; see #encryptBlocks. */
  readonly #ivPreimage: Buffer;

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
    const ecb = createDecipheriv('aes-256-ecb', this.#key, null);
    ecb.setAutoPadding(false);
    this.#ivPreimage = ecb.update(this.#iv);
  }

  /** SHA1 (hex) of token, timestamp, nonce and ciphertext, sorted and concatenated. */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    return hash('sha1', sortedConcat(this.#token, timestamp, nonce, encrypt), 'hex');
  }

  /** Constant-time comparison of a received msg_signature with the expected one; false on any malformed input. */
  verifySignature(msgSignature: string, timestamp: string, nonce: string, encrypt: string): boolean {
    if (typeof msgSignature !== 'string' || msgSignature.length !== SHA1_HEX_LENGTH) return false;
    // Scratch buffers instead of fresh ones: this runs on every callback. Buffer's hex decoder stops at the first
    // non-hex character, so a short write means the input was not hex.
    if (this.#receivedDigest.write(msgSignature, 0, 'hex') !== SHA1_BYTES) return false;
    // hash() to hex and decoding it is measurably faster than asking hash() for a Buffer.
    this.#expectedDigest.write(this.signature(timestamp, nonce, encrypt), 0, 'hex');
    return timingSafeEqual(this.#receivedDigest, this.#expectedDigest);
  }

  /** Decrypts a base64 ciphertext (the `Encrypt` field or `echostr`). Does not check the signature or receiver. */
  decrypt(encrypt: string): DecryptedMessage {
    if (typeof encrypt !== 'string' || encrypt.length === 0) throw new InvalidCiphertextLengthError(0);
    if (encrypt.length % 4 !== 0) throw new InvalidBase64Error();
    const ciphertext = Buffer.from(encrypt, 'base64');
    // Node's decoder silently skips or truncates bad characters, and a regex over the input costs more than the
    // AES itself: re-encoding is cheap and accepts exactly the canonical standard-alphabet base64.
    if (ciphertext.toString('base64') !== encrypt) throw new InvalidBase64Error();
    const length = ciphertext.length;
    if (length < MIN_CIPHERTEXT_BYTES || length % AES_BLOCK !== 0) throw new InvalidCiphertextLengthError(length);

    const plain = this.#decipherBlocks(ciphertext);
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

  /**
   * CBC-decrypts whole blocks. The first output block is not the real first plaintext block: see below.
   *
   * Creating a decipher costs more than decrypting a typical callback, so one long-lived decipher is reused and
   * never finalised. Across calls its chaining value is the previous ciphertext's last block instead of the IV. In
   * CBC the IV only enters the first plaintext block, which holds WeCom's 16 random bytes and is discarded; every
   * later block depends only on the key and the ciphertext. Input is always whole blocks, so nothing stays
   * buffered between calls.
   */
  #decipherBlocks(ciphertext: Buffer): Buffer {
    try {
      this.#decipher ??= this.#newDecipher();
      return this.#decipher.update(ciphertext);
    } catch {
      this.#decipher = undefined;
      throw new InvalidCiphertextLengthError(ciphertext.length);
    }
  }

  #newDecipher(): Decipher {
    const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv);
    decipher.setAutoPadding(false);
    return decipher;
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
    // The first block is reserved for the chaining reset done by #encryptBlocks.
    const plain = Buffer.allocUnsafe(AES_BLOCK + unpadded + pad);
    if (random16) random16.copy(plain, AES_BLOCK);
    else randomFillSync(plain, AES_BLOCK, RANDOM_BYTES);
    plain.writeUInt32BE(messageBytes, AES_BLOCK + RANDOM_BYTES);
    plain.write(message, AES_BLOCK + HEADER_BYTES, 'utf8');
    plain.write(receiverId, AES_BLOCK + HEADER_BYTES + messageBytes, 'utf8');
    plain.fill(pad, AES_BLOCK + unpadded);
    return this.#encryptBlocks(plain).toString('base64', AES_BLOCK);
  }

  /**
   * CBC-encrypts `resetThenPlaintext`, whose first block is overwritten here; the output's first block is the IV
   * and is to be dropped.
   *
   * One long-lived cipher is reused, as for decryption, but here the first block matters: its ciphertext chains
   * into the second. The cipher's chaining value is the last ciphertext block it produced; encrypting
   * D(IV) XOR that block as a leading block yields exactly the IV, which then chains into the real first block as
   * if the cipher were fresh, so the output is the standard one (and reproducible with `random16`).
   */
  #encryptBlocks(resetThenPlaintext: Buffer): Buffer {
    try {
      const state = (this.#cipher ??= this.#newCipher());
      for (let i = 0; i < AES_BLOCK; i++) resetThenPlaintext[i] = this.#ivPreimage[i] ^ state.lastBlock[i];
      const out = state.cipher.update(resetThenPlaintext);
      state.lastBlock = out.subarray(out.length - AES_BLOCK);
      return out;
    } catch (err) {
      this.#cipher = undefined;
      throw err;
    }
  }

  #newCipher(): { cipher: Cipher; lastBlock: Buffer } {
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return { cipher, lastBlock: this.#iv };
  }
}

function sortedConcat(a: string, b: string, c: string, d: string): string {
  return [a, b, c, d].sort().join('');
}
