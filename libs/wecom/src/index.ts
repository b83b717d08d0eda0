export * from './crypto/crypto-errors.js';
export * from './crypto/msg-crypt.js';
export * from './crypto/jssdk-signature.js';
export * from './crypto/random-nonce.js';
