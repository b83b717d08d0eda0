import { XmlError } from './xml-error.js';

/** An element's content: its text (trimmed), or its child elements. */
export type XmlNode = string | XmlElement;

/**
 * Child elements by name. A name that occurs once maps to its node; a repeated name maps to an array in document
 * order. Objects have no prototype, so names like `__proto__` or `constructor` are ordinary keys.
 */
export interface XmlElement {
  readonly [name: string]: XmlNode | readonly XmlNode[];
}

export interface XmlLimits {
  /** Largest accepted document, in UTF-8 bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting; the root is depth 1. Default 16. */
  maxDepth?: number;
  /**
   * Keep characters XML 1.0 forbids (C0 controls such as U+001D or U+0010, U+FFFE, U+FFFF) as they are, instead
   * of refusing the document. For decrypted callback payloads only: WeCom passes pasted control characters through
   * in message text, and an authentic callback must never be refused for its content. NUL is refused even so
   * (nothing downstream can store it): replace it before parsing. Default false.
   */
  keepControlChars?: boolean;
}

export const DEFAULT_XML_LIMITS: Readonly<Required<XmlLimits>> = Object.freeze({ maxBytes: 1024 * 1024, maxDepth: 16, keepControlChars: false });

export interface XmlDocument {
  rootName: string;
  root: XmlElement;
}

/**
 * Parses a small XML document (WeCom callbacks) into a plain tree and returns the root element's children.
 * See `parseXmlDocument` for what is accepted and refused.
 */
export function parseXml(text: string, limits?: XmlLimits): XmlElement {
  return parseXmlDocument(text, limits).root;
}

/**
 * A strict, dependency-free parser that is safe by construction: there is no DTD support at all, so no entity
 * expansion (billion laughs) and no external entities (XXE) can exist.
 *
 * Accepts: an optional BOM and `<?xml …?>` declaration, elements, attributes (checked, then discarded), text,
 * CDATA, comments, the five predefined entities and numeric character references.
 * Refuses with `XmlError`: `<!DOCTYPE`, `<!ENTITY` and every other `<!` construct, processing instructions,
 * unknown entities, mismatched or unclosed tags, text or a second element outside the root, text mixed with
 * child elements, characters XML forbids, and documents over `maxBytes` or deeper than `maxDepth`.
 *
 * Text values are trimmed of XML whitespace, because WeCom's own payloads pad them
 * (`<InfoType> <![CDATA[suite_ticket]]></InfoType>`).
 */
export function parseXmlDocument(text: string, limits?: XmlLimits): XmlDocument {
  const maxBytes = limits?.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  const maxDepth = limits?.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
  if (typeof text !== 'string') throw new XmlError('MALFORMED', 'XML input must be a string');
  // UTF-8 needs at least one byte per UTF-16 unit and at most three, so the exact count is needed only in between.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) {
    throw new XmlError('TOO_LARGE', `XML document exceeds ${maxBytes} bytes`);
  }
  const bad = (limits?.keepControlChars ? NUL : FORBIDDEN_CHARS).exec(text);
  if (bad) throw new XmlError('INVALID_CHAR', `Character U+${hex4(bad[0].charCodeAt(0))} is not allowed in XML`, bad.index);
  return new XmlParser(text, maxDepth).parseDocument();
}

// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters: matching them is the point.
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex -- NUL is the one character kept out even of authentic payloads.
const NUL = /\u0000/;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const AMP = 0x26;
const SEMICOLON = 0x3b;
/** Longest entity reference body we look at (`#x10FFFF` is 8); stops a `&` without `;` from scanning far. */
const MAX_REFERENCE_LENGTH = 10;

type MutableElement = Record<string, XmlNode | XmlNode[]>;

interface Frame {
  name: string;
  start: number;
  text: string;
  children: MutableElement | undefined;
}

class XmlParser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): XmlDocument {
    const s = this.src;
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (s.startsWith('<?xml', this.pos) && isDeclarationEnd(s.charCodeAt(this.pos + 5))) this.skipXmlDeclaration();

    let doc: XmlDocument | undefined;
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= s.length) break;
      if (s.charCodeAt(this.pos) !== LT) {
        throw new XmlError('TEXT_OUTSIDE_ROOT', 'Text outside the root element', this.pos);
      }
      const next = s.charCodeAt(this.pos + 1);
      if (next === BANG) {
        if (s.startsWith('<!--', this.pos)) this.skipComment();
        else if (s.startsWith('<![CDATA[', this.pos)) {
          throw new XmlError('TEXT_OUTSIDE_ROOT', 'CDATA outside the root element', this.pos);
        } else this.refuseDeclaration();
        continue;
      }
      if (next === QUESTION) this.refuseProcessingInstruction();
      if (doc) throw new XmlError('MULTIPLE_ROOTS', 'A second element after the root element', this.pos);
      doc = this.parseRoot();
    }
    if (!doc) throw new XmlError('NO_ROOT', 'No root element');
    return doc;
  }

  private parseRoot(): XmlDocument {
    const s = this.src;
    const stack: Frame[] = [];
    for (;;) {
      // At a '<' that opens an element.
      const start = this.pos;
      this.pos++;
      const name = this.readName();
      const selfClosing = this.skipAttributes();
      if (stack.length + 1 > this.maxDepth) {
        throw new XmlError('TOO_DEEP', `Elements nest deeper than ${this.maxDepth} levels`, start);
      }
      if (selfClosing) {
        if (stack.length === 0) return { rootName: name, root: Object.create(null) as MutableElement };
        attach(stack[stack.length - 1], name, '');
      } else {
        stack.push({ name, start, text: '', children: undefined });
      }

      // Content until the next start tag, or until the root closes.
      for (;;) {
        const frame = stack[stack.length - 1];
        const lt = s.indexOf('<', this.pos);
        if (lt === -1) throw new XmlError('UNCLOSED_TAG', `Element <${frame.name}> is not closed`, frame.start);
        if (lt > this.pos) frame.text += decodeText(s.slice(this.pos, lt), this.pos);
        this.pos = lt;
        const next = s.charCodeAt(lt + 1);
        if (next === SLASH) {
          this.pos = lt + 2;
          const closing = this.readName();
          this.skipWhitespace();
          if (s.charCodeAt(this.pos) !== GT) throw new XmlError('MALFORMED', `Malformed end tag </${closing}`, lt);
          this.pos++;
          if (closing !== frame.name) {
            throw new XmlError('MISMATCHED_TAG', `End tag </${closing}> does not match <${frame.name}>`, lt);
          }
          stack.pop();
          if (stack.length === 0) return { rootName: frame.name, root: rootContent(frame) };
          attach(stack[stack.length - 1], frame.name, finish(frame));
        } else if (next === BANG) {
          if (s.startsWith('<![CDATA[', lt)) frame.text += this.readCdata();
          else if (s.startsWith('<!--', lt)) this.skipComment();
          else this.refuseDeclaration();
        } else if (next === QUESTION) {
          this.refuseProcessingInstruction();
        } else {
          break;
        }
      }
    }
  }

  /** Reads an element or attribute name at `pos`. */
  private readName(): string {
    const s = this.src;
    const start = this.pos;
    let i = start;
    if (i < s.length && isNameStart(s.charCodeAt(i))) {
      i++;
      while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    }
    if (i === start) throw new XmlError('INVALID_NAME', 'Expected a name', start);
    this.pos = i;
    return s.slice(start, i);
  }

  /**
   * Checks the attributes of a start tag (values may hold only known entities) and discards them: WeCom payloads
   * carry their data in elements. Leaves `pos` after `>` or `/>` and reports which one closed the tag.
   */
  private skipAttributes(): boolean {
    const s = this.src;
    let seen: Set<string> | undefined;
    for (;;) {
      const hadSpace = this.skipWhitespace();
      const c = s.charCodeAt(this.pos);
      if (c === GT) {
        this.pos++;
        return false;
      }
      if (c === SLASH && s.charCodeAt(this.pos + 1) === GT) {
        this.pos += 2;
        return true;
      }
      if (this.pos >= s.length) throw new XmlError('UNCLOSED_TAG', 'Start tag is not closed', this.pos);
      if (!hadSpace) throw new XmlError('MALFORMED', 'Expected whitespace, ">" or "/>" in a start tag', this.pos);
      this.readAttribute((seen ??= new Set<string>()));
    }
  }

  private readAttribute(seen: Set<string>): void {
    const s = this.src;
    const at = this.pos;
    const name = this.readName();
    if (seen.has(name)) throw new XmlError('MALFORMED', `Duplicate attribute "${name}"`, at);
    seen.add(name);
    this.skipWhitespace();
    if (s.charCodeAt(this.pos) !== EQUALS) throw new XmlError('MALFORMED', `Attribute "${name}" has no value`, at);
    this.pos++;
    this.skipWhitespace();
    const quote = s.charCodeAt(this.pos);
    if (quote !== QUOT && quote !== APOS) throw new XmlError('MALFORMED', `Attribute "${name}" value is not quoted`, at);
    const end = s.indexOf(quote === QUOT ? '"' : "'", this.pos + 1);
    if (end === -1) throw new XmlError('MALFORMED', `Attribute "${name}" value is not closed`, at);
    const value = s.slice(this.pos + 1, end);
    if (value.includes('<')) throw new XmlError('MALFORMED', `"<" in the value of attribute "${name}"`, at);
    decodeText(value, this.pos + 1);
    this.pos = end + 1;
  }

  private skipXmlDeclaration(): void {
    const s = this.src;
    const start = this.pos;
    this.pos += 5;
    const seen = new Set<string>();
    for (;;) {
      const hadSpace = this.skipWhitespace();
      if (s.startsWith('?>', this.pos)) {
        this.pos += 2;
        break;
      }
      if (this.pos >= s.length) throw new XmlError('MALFORMED', 'XML declaration is not closed', start);
      if (!hadSpace) throw new XmlError('MALFORMED', 'Malformed XML declaration', this.pos);
      this.readAttribute(seen);
    }
    if (!seen.has('version')) throw new XmlError('MALFORMED', 'XML declaration has no version', start);
  }

  private skipComment(): void {
    const s = this.src;
    const start = this.pos;
    const end = s.indexOf('-->', start + 4);
    if (end === -1) throw new XmlError('MALFORMED', 'Comment is not closed', start);
    const body = s.slice(start + 4, end);
    if (body.includes('--') || body.endsWith('-')) throw new XmlError('MALFORMED', '"--" inside a comment', start);
    this.pos = end + 3;
  }

  private readCdata(): string {
    const s = this.src;
    const start = this.pos;
    const end = s.indexOf(']]>', start + 9);
    if (end === -1) throw new XmlError('MALFORMED', 'CDATA section is not closed', start);
    this.pos = end + 3;
    return normalizeNewlines(s.slice(start + 9, end));
  }

  private refuseDeclaration(): never {
    if (this.src.startsWith('<!DOCTYPE', this.pos)) {
      throw new XmlError('DOCTYPE_FORBIDDEN', 'Document type declarations are not accepted', this.pos);
    }
    const what = /^<!\[?[A-Za-z]*/.exec(this.src.slice(this.pos, this.pos + 12))?.[0] ?? '<!';
    throw new XmlError('DECLARATION_FORBIDDEN', `Markup declaration ${what} is not accepted`, this.pos);
  }

  private refuseProcessingInstruction(): never {
    throw new XmlError('PI_FORBIDDEN', 'Processing instructions are not accepted', this.pos);
  }

  /** Advances past XML whitespace; reports whether there was any. */
  private skipWhitespace(): boolean {
    const s = this.src;
    const start = this.pos;
    let i = start;
    while (i < s.length && isWhitespace(s.charCodeAt(i))) i++;
    this.pos = i;
    return i > start;
  }
}

function attach(parent: Frame, name: string, value: XmlNode): void {
  const children = (parent.children ??= Object.create(null) as MutableElement);
  const existing = children[name];
  if (existing === undefined) children[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else children[name] = [existing, value];
}

function finish(frame: Frame): XmlNode {
  if (frame.children === undefined) return trimXmlWhitespace(frame.text);
  if (!isBlank(frame.text)) {
    throw new XmlError('MIXED_CONTENT', `Element <${frame.name}> mixes text with child elements`, frame.start);
  }
  return frame.children;
}

function rootContent(frame: Frame): XmlElement {
  if (!isBlank(frame.text)) {
    throw new XmlError('MIXED_CONTENT', `Root element <${frame.name}> holds text instead of elements`, frame.start);
  }
  return frame.children ?? (Object.create(null) as MutableElement);
}

/** Decodes character data or an attribute value, refusing unknown entities and bad character references. */
function decodeText(raw: string, offset: number): string {
  if (raw.includes(']]>')) throw new XmlError('MALFORMED', '"]]>" in character data', offset);
  let amp = raw.indexOf('&');
  if (amp === -1) return normalizeNewlines(raw);
  let out = '';
  let from = 0;
  while (amp !== -1) {
    out += raw.slice(from, amp);
    let semi = -1;
    for (let i = amp + 1; i < raw.length && i <= amp + 1 + MAX_REFERENCE_LENGTH; i++) {
      if (raw.charCodeAt(i) === SEMICOLON) {
        semi = i;
        break;
      }
      if (raw.charCodeAt(i) === AMP) break;
    }
    if (semi === -1) throw new XmlError('MALFORMED', 'Bare "&" or unterminated reference', offset + amp);
    out += resolveReference(raw.slice(amp + 1, semi), offset + amp);
    from = semi + 1;
    amp = raw.indexOf('&', from);
  }
  return normalizeNewlines(out + raw.slice(from));
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
});

function resolveReference(ref: string, position: number): string {
  if (ref.charCodeAt(0) !== 0x23 /* # */) {
    const value = PREDEFINED_ENTITIES[ref];
    if (value === undefined) throw new XmlError('UNKNOWN_ENTITY', `Unknown entity &${ref};`, position);
    return value;
  }
  const isHex = ref.charCodeAt(1) === 0x78; /* x */
  const digits = ref.slice(isHex ? 2 : 1);
  if (!(isHex ? /^[0-9A-Fa-f]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) {
    throw new XmlError('INVALID_CHAR_REF', `Malformed character reference &${ref};`, position);
  }
  const code = Number.parseInt(digits, isHex ? 16 : 10);
  if (!isXmlChar(code)) throw new XmlError('INVALID_CHAR_REF', `Character reference &${ref}; is not an XML character`, position);
  return String.fromCodePoint(code);
}

function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isWhitespace(text.charCodeAt(i))) return false;
  return true;
}

/** Trims only XML whitespace (space, tab, CR, LF), unlike String#trim which also eats U+00A0 and friends. */
function trimXmlWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

function isDeclarationEnd(c: number): boolean {
  return isWhitespace(c) || c === QUESTION;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
