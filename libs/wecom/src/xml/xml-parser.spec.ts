import { XmlError, XmlErrorCode } from './xml-error.js';
import { parseXml, parseXmlDocument } from './xml-parser.js';

function codeOf(fn: () => unknown): XmlErrorCode {
  try {
    fn();
  } catch (err) {
    if (err instanceof XmlError) return err.code;
    throw err;
  }
  throw new Error('expected an XmlError');
}

function nested(depth: number): string {
  return `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;
}

describe('parseXml accepts', () => {
  it('WeCom’s suite_ticket sample, trimming the whitespace WeCom puts around CDATA', () => {
    const xml = `<xml>
\t<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
\t<InfoType> <![CDATA[suite_ticket]]></InfoType>
\t<TimeStamp>1403610513</TimeStamp>
\t<SuiteTicket><![CDATA[asdfasfdasdfasdf]]></SuiteTicket>
</xml>`;
    expect(parseXml(xml)).toEqual({
      SuiteId: 'ww4asffe99e54c0fxxxx',
      InfoType: 'suite_ticket',
      TimeStamp: '1403610513',
      SuiteTicket: 'asdfasfdasdfasdf',
    });
  });

  it('CDATA verbatim, markup and entity-like text included, and consecutive sections joined', () => {
    expect(parseXml('<xml><A><![CDATA[<b>&amp;</b>]]></A><B><![CDATA[ab]]><![CDATA[cd]]></B></xml>')).toEqual({
      A: '<b>&amp;</b>',
      B: 'abcd',
    });
  });

  it('the five predefined entities and numeric character references', () => {
    expect(parseXml('<xml><A>a &lt; b &amp;&amp; c &gt; d &quot;&apos;</A><B>&#20013;&#x6587;&#x1F600;</B></xml>')).toEqual({
      A: 'a < b && c > d "\'',
      B: '中文😀',
    });
  });

  it('an XML declaration, a BOM, comments anywhere and attributes (which are dropped)', () => {
    const xml = '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- head --><xml a="1" b=\'&amp;\'><!-- in --><A x="y">1</A></xml><!-- tail -->\n';
    expect(parseXmlDocument(xml)).toEqual({ rootName: 'xml', root: { A: '1' } });
  });

  it('repeated child names as arrays, in document order', () => {
    const xml = '<xml><Item><Name>a</Name></Item><Other>o</Other><Item><Name>b</Name></Item><Item><Name>c</Name></Item></xml>';
    expect(parseXml(xml)).toEqual({ Item: [{ Name: 'a' }, { Name: 'b' }, { Name: 'c' }], Other: 'o' });
  });

  it('empty and self-closing elements as empty strings, and an empty root as an empty object', () => {
    expect(parseXml('<xml><A/><B></B><C> </C><D><![CDATA[]]></D></xml>')).toEqual({ A: '', B: '', C: '', D: '' });
    expect(parseXml('<xml/>')).toEqual({});
    expect(parseXml('<xml>\n</xml>')).toEqual({});
  });

  it('element names like __proto__ as ordinary keys, without touching Object.prototype', () => {
    const root = parseXml('<xml><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor></xml>');
    expect(root['__proto__']).toEqual({ polluted: 'yes' });
    expect(root['constructor']).toBe('c');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('CRLF line ends as LF, and only XML whitespace trimmed (a no-break space survives)', () => {
    expect(parseXml('<xml><A>\r\nline1\r\nline2\r\n</A><B>\u00a0x\u00a0</B></xml>')).toEqual({ A: 'line1\nline2', B: '\u00a0x\u00a0' });
  });

  it('nesting up to maxDepth', () => {
    expect(parseXml(nested(16))).toBeDefined();
    expect(parseXml(nested(3), { maxDepth: 3 })).toEqual({ a: { a: 'x' } });
  });
});

describe('parseXml refuses', () => {
  it.each<[string, string, XmlErrorCode]>([
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE xml><xml><A>1</A></xml>', 'DOCTYPE_FORBIDDEN'],
    [
      'an internal entity declaration',
      '<!DOCTYPE xml [<!ENTITY name "value">]><xml><A>&name;</A></xml>',
      'DOCTYPE_FORBIDDEN',
    ],
    [
      'an external entity (XXE)',
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>',
      'DOCTYPE_FORBIDDEN',
    ],
    [
      'the billion laughs payload',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
        `<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>`,
      'DOCTYPE_FORBIDDEN',
    ],
    ['a DOCTYPE inside the root', '<xml><!DOCTYPE x><A>1</A></xml>', 'DOCTYPE_FORBIDDEN'],
    ['an ENTITY declaration without a DOCTYPE', '<xml><!ENTITY a "b"><A>&a;</A></xml>', 'DECLARATION_FORBIDDEN'],
    ['an ELEMENT declaration before the root', '<!ELEMENT xml ANY><xml/>', 'DECLARATION_FORBIDDEN'],
    ['a conditional section', '<xml><![INCLUDE[<A>1</A>]]></xml>', 'DECLARATION_FORBIDDEN'],
    ['an undeclared entity reference', '<xml><A>&xxe;</A></xml>', 'UNKNOWN_ENTITY'],
    ['an HTML entity', '<xml><A>&nbsp;</A></xml>', 'UNKNOWN_ENTITY'],
    ['an unknown entity in an attribute', '<xml a="&xxe;"/>', 'UNKNOWN_ENTITY'],
    ['a bare ampersand', '<xml><A>fish & chips</A></xml>', 'MALFORMED'],
    ['a character reference to NUL', '<xml><A>&#0;</A></xml>', 'INVALID_CHAR_REF'],
    ['a character reference to a surrogate', '<xml><A>&#xD800;</A></xml>', 'INVALID_CHAR_REF'],
    ['a character reference beyond Unicode', '<xml><A>&#x110000;</A></xml>', 'INVALID_CHAR_REF'],
    ['a malformed character reference', '<xml><A>&#12a;</A></xml>', 'INVALID_CHAR_REF'],
    ['a processing instruction inside the root', '<xml><?php system("id"); ?><A>1</A></xml>', 'PI_FORBIDDEN'],
    ['a stylesheet processing instruction', '<?xml-stylesheet href="x.xsl"?><xml/>', 'PI_FORBIDDEN'],
    ['an XML declaration that is not first', ' <?xml version="1.0"?><xml/>', 'PI_FORBIDDEN'],
    ['an XML declaration without version', '<?xml encoding="UTF-8"?><xml/>', 'MALFORMED'],
    ['an unclosed root', '<xml><A>1</A>', 'UNCLOSED_TAG'],
    ['an unclosed child', '<xml><A>1</xml>', 'MISMATCHED_TAG'],
    ['a mismatched end tag', '<xml><A>1</B></xml>', 'MISMATCHED_TAG'],
    ['a start tag cut short', '<xml><A', 'UNCLOSED_TAG'],
    ['an unclosed CDATA section', '<xml><A><![CDATA[abc</A></xml>', 'MALFORMED'],
    ['an unclosed comment', '<xml><!-- abc </xml>', 'MALFORMED'],
    ['"--" inside a comment', '<xml><!-- a -- b --></xml>', 'MALFORMED'],
    ['"]]>" in text', '<xml><A>a]]>b</A></xml>', 'MALFORMED'],
    ['two root elements', '<xml><A>1</A></xml><xml><A>2</A></xml>', 'MULTIPLE_ROOTS'],
    ['text before the root', 'hello<xml/>', 'TEXT_OUTSIDE_ROOT'],
    ['text after the root', '<xml/>trailing', 'TEXT_OUTSIDE_ROOT'],
    ['CDATA after the root', '<xml/><![CDATA[x]]>', 'TEXT_OUTSIDE_ROOT'],
    ['an empty document', '', 'NO_ROOT'],
    ['a document of whitespace and comments only', ' <!-- nothing --> ', 'NO_ROOT'],
    ['text mixed with child elements', '<xml><A>text<B>1</B></A></xml>', 'MIXED_CONTENT'],
    ['text directly in the root', '<xml>hello</xml>', 'MIXED_CONTENT'],
    ['a control character', '<xml><A>a\u0001b</A></xml>', 'INVALID_CHAR'],
    ['a name starting with a digit', '<xml><1A>x</1A></xml>', 'INVALID_NAME'],
    ['a duplicate attribute', '<xml a="1" a="2"/>', 'MALFORMED'],
    ['an unquoted attribute', '<xml a=1/>', 'MALFORMED'],
    ['"<" in an attribute value', '<xml a="<"/>', 'MALFORMED'],
  ])('%s', (_label, xml, code) => {
    expect(codeOf(() => parseXml(xml))).toBe(code);
  });

  it('nesting deeper than the default 16 levels', () => {
    expect(codeOf(() => parseXml(nested(17)))).toBe('TOO_DEEP');
  });

  it('nesting deeper than a configured maxDepth, self-closing elements included', () => {
    expect(codeOf(() => parseXml(nested(4), { maxDepth: 3 }))).toBe('TOO_DEEP');
    expect(codeOf(() => parseXml('<a><a><a/></a></a>', { maxDepth: 2 }))).toBe('TOO_DEEP');
  });

  it('a document over the default 1 MiB', () => {
    const big = `<xml><A>${'x'.repeat(1024 * 1024)}</A></xml>`;
    expect(codeOf(() => parseXml(big))).toBe('TOO_LARGE');
  });

  it('a document over maxBytes counted in UTF-8 bytes, not characters', () => {
    const xml = `<xml><A>${'测'.repeat(400)}</A></xml>`; // 418 characters, 1218 bytes
    expect(codeOf(() => parseXml(xml, { maxBytes: 1000 }))).toBe('TOO_LARGE');
    expect(parseXml(xml, { maxBytes: 1218 })).toEqual({ A: '测'.repeat(400) });
  });

  it('a flood of ampersands quickly, without scanning ahead for each one', () => {
    const started = Date.now();
    expect(codeOf(() => parseXml(`<xml><A>${'&'.repeat(500_000)}</A></xml>`))).toBe('MALFORMED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('with an error that carries its offset', () => {
    try {
      parseXml('<xml><A>1</B></xml>');
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(XmlError);
      expect((err as XmlError).position).toBe(9);
      expect((err as XmlError).message).toContain('</B>');
    }
  });
});

describe('parseXml on mangled input', () => {
  it('only ever throws XmlError, for 20,000 seeded random mutations of a WeCom payload', () => {
    const seed =
      '<?xml version="1.0"?><xml><SuiteId><![CDATA[ww]]></SuiteId><InfoType> <![CDATA[suite_ticket]]></InfoType>' +
      '<TimeStamp>1</TimeStamp><A a="1">&amp;&#x41;</A><!-- c --><B/></xml>';
    const alphabet = '<>/!?[]-&;#x"\'= aAxml\n]]>CDATA';
    let state = 42;
    const random = (n: number): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    const outcomes = { parsed: 0, refused: 0 };
    for (let i = 0; i < 20_000; i++) {
      let text = seed;
      for (let edits = 1 + random(4); edits > 0; edits--) {
        const at = random(text.length);
        const op = random(3);
        if (op === 0) text = text.slice(0, at) + text.slice(at + 1);
        else if (op === 1) text = text.slice(0, at) + alphabet[random(alphabet.length)] + text.slice(at);
        else text = text.slice(0, at) + text.slice(at + 1 + random(10));
      }
      try {
        parseXml(text);
        outcomes.parsed++;
      } catch (err) {
        if (!(err instanceof XmlError)) throw new Error(`untyped ${String(err)} for ${JSON.stringify(text)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.parsed).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
