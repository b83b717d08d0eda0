import type { HttpErrorBody } from '@app/platform';
import { WecomCryptoError, XmlError } from '@app/wecom';

export class UnknownSuiteError extends Error {
  override readonly name = 'UnknownSuiteError';
}

/** No provider with that corpid, or one whose system-event URL has no token/EncodingAESKey registered. */
export class UnknownProviderError extends Error {
  override readonly name = 'UnknownProviderError';
}

export class BadSignatureError extends Error {
  override readonly name = 'BadSignatureError';
}

export class BadCallbackError extends Error {
  override readonly name = 'BadCallbackError';
}

/** The store could not take the event: WeCom must retry, so this is a 503, never an acknowledgement. */
export class IntakeUnavailableError extends Error {
  override readonly name = 'IntakeUnavailableError';
}

/** Maps intake errors to statuses. Crypto and XML problems are the sender's: 400, with a message and no stack. */
export function mapCallbackError(err: unknown): HttpErrorBody | null {
  if (err instanceof UnknownSuiteError || err instanceof UnknownProviderError) return { statusCode: 404, error: 'Not Found', message: err.message };
  if (err instanceof BadSignatureError) return { statusCode: 401, error: 'Unauthorized', message: err.message };
  if (err instanceof BadCallbackError) return { statusCode: 400, error: 'Bad Request', message: err.message };
  if (err instanceof WecomCryptoError) return { statusCode: 400, error: 'Bad Request', message: `${err.code}: ${err.message}` };
  if (err instanceof XmlError) return { statusCode: 400, error: 'Bad Request', message: `${err.code}: ${err.message}` };
  if (err instanceof IntakeUnavailableError) return { statusCode: 503, error: 'Service Unavailable', message: err.message };
  return null;
}
