export type XmlErrorCode =
  | 'TOO_LARGE'
  | 'TOO_DEEP'
  | 'INVALID_CHAR'
  | 'NO_ROOT'
  | 'MULTIPLE_ROOTS'
  | 'TEXT_OUTSIDE_ROOT'
  | 'DOCTYPE_FORBIDDEN'
  | 'DECLARATION_FORBIDDEN'
  | 'PI_FORBIDDEN'
  | 'UNKNOWN_ENTITY'
  | 'INVALID_CHAR_REF'
  | 'MISMATCHED_TAG'
  | 'UNCLOSED_TAG'
  | 'MIXED_CONTENT'
  | 'MALFORMED'
  | 'INVALID_NAME'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD';

/** Any refusal of an XML document, from syntax to a missing WeCom field. `position` is a character offset when known. */
export class XmlError extends Error {
  constructor(
    readonly code: XmlErrorCode,
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} (at offset ${position})`);
    this.name = 'XmlError';
  }
}
