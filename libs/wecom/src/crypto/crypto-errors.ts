/**
 * Errors raised while verifying, decrypting or encrypting WeCom callback payloads. Each kind has its own class
 * and a stable `code`, so an HTTP layer can map them (401 for a bad signature, 400 for the rest) without
 * parsing messages. Messages never contain the key, the token or the plaintext.
 */
export type WecomCryptoErrorCode =
  | 'INVALID_TOKEN'
  | 'INVALID_AES_KEY'
  | 'SIGNATURE_MISMATCH'
  | 'INVALID_BASE64'
  | 'INVALID_CIPHERTEXT_LENGTH'
  | 'INVALID_PADDING'
  | 'INVALID_MESSAGE_LENGTH'
  | 'RECEIVER_ID_MISMATCH';

export abstract class WecomCryptoError extends Error {
  abstract readonly code: WecomCryptoErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidTokenError extends WecomCryptoError {
  readonly code = 'INVALID_TOKEN';
  constructor() {
    super('Callback token must be a non-empty string');
  }
}

export class InvalidAesKeyError extends WecomCryptoError {
  readonly code = 'INVALID_AES_KEY';
  constructor(reason: string) {
    super(`Invalid EncodingAESKey: ${reason}`);
  }
}

export class SignatureMismatchError extends WecomCryptoError {
  readonly code = 'SIGNATURE_MISMATCH';
  constructor() {
    super('msg_signature does not match');
  }
}

export class InvalidBase64Error extends WecomCryptoError {
  readonly code = 'INVALID_BASE64';
  constructor() {
    super('Ciphertext is not valid base64');
  }
}

export class InvalidCiphertextLengthError extends WecomCryptoError {
  readonly code = 'INVALID_CIPHERTEXT_LENGTH';
  constructor(length: number) {
    super(`Ciphertext length ${length} is not a positive multiple of the AES block size (at least 32 bytes)`);
  }
}

export class InvalidPaddingError extends WecomCryptoError {
  readonly code = 'INVALID_PADDING';
  constructor(reason: string) {
    super(`Invalid PKCS#7 padding: ${reason}`);
  }
}

export class InvalidMessageLengthError extends WecomCryptoError {
  readonly code = 'INVALID_MESSAGE_LENGTH';
  constructor(declared: number, available: number) {
    super(`Declared message length ${declared} exceeds the ${available} bytes available`);
  }
}

export class ReceiverIdMismatchError extends WecomCryptoError {
  readonly code = 'RECEIVER_ID_MISMATCH';
  constructor(readonly receiverId: string) {
    super(`Unexpected receiver id "${receiverId.slice(0, 64)}"`);
  }
}
