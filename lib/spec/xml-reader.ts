// lib/spec/xml-reader — a small, strict, non-validating XML 1.0 reader.
//
// Owns: reading XML text into a plain tree — elements, attributes, text,
// CDATA, character and the five predefined entity references, namespaces;
// comments, processing instructions and the document type declaration are
// skipped. Line endings and attribute whitespace are normalised as the XML
// spec says. It exists because building a full DOM (xmlbuilder2's reader)
// costs ~5 ms per domain, too slow to compare thousands of domains in a plan.
// It lives in lib/spec so the VM schema can check unmanaged XML fragments
// (./unmanaged-xml); lib/libvirt/xml-tree re-exports it beside its writer.

export interface XmlElement {
  /** Qualified name as written, e.g. `disk` or `hostdeck:vm`. */
  name: string;
  /** Namespace URI of the element, or null. */
  namespace: string | null;
  /** Attributes other than namespace declarations, by qualified name. */
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export function isElement(node: XmlNode): node is XmlElement {
  return typeof node !== 'string';
}

export class XmlSyntaxError extends Error {
  constructor(message: string, offset: number, source: string) {
    const before = source.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    super(`XML syntax error at line ${line}, column ${column}: ${message}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_:\u00c0-\uffff][A-Za-z0-9_:.\u00b7\u00c0-\uffff-]*/y;
const WHITESPACE = /[ \t\r\n]+/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Parse an XML document and return its root element. Throws XmlSyntaxError on malformed input. */
export function parseXml(source: string): XmlElement {
  return new XmlReader(source).document();
}

/** The reader's state and steps (a class, so no closures are made per document). */
class XmlReader {
  private pos: number;

  constructor(private readonly source: string) {
    this.pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  document(): XmlElement {
    this.skipMisc(true);
    if (this.source[this.pos] !== '<') this.fail('expected the root element');
    const root = this.element(new Map([['xml', XML_NAMESPACE]]));
    this.skipMisc(false);
    if (this.pos < this.source.length) this.fail('content after the root element');
    return root;
  }

  private fail(message: string, at = this.pos): never {
    throw new XmlSyntaxError(message, at, this.source);
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    if (WHITESPACE.test(this.source)) this.pos = WHITESPACE.lastIndex;
  }

  private expect(text: string): void {
    if (!this.source.startsWith(text, this.pos)) this.fail(`expected "${text}"`);
    this.pos += text.length;
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.source);
    if (match === null) this.fail('expected a name');
    this.pos = NAME.lastIndex;
    return match[0];
  }

  private decode(raw: string, at: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);?/g, (match, ref: string) => {
      if (!match.endsWith(';')) this.fail('unterminated character or entity reference', at);
      if (ref.startsWith('#')) {
        const codePoint = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(codePoint > 0 && codePoint <= 0x10ffff)) this.fail(`invalid character reference &${ref};`, at);
        return String.fromCodePoint(codePoint);
      }
      const value = PREDEFINED[ref];
      if (value === undefined) this.fail(`unknown entity &${ref};`, at);
      return value;
    });
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.source.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    this.pos = end + terminator.length;
  }

  /** Skip everything that is not an element: comments, PIs, the doctype, whitespace. */
  private skipMisc(allowDoctype: boolean): void {
    const { source } = this;
    for (;;) {
      this.skipWhitespace();
      if (source.startsWith('<!--', this.pos)) this.skipPast('-->', 'comment');
      else if (source.startsWith('<?', this.pos)) this.skipPast('?>', 'processing instruction');
      else if (allowDoctype && source.startsWith('<!DOCTYPE', this.pos)) {
        let depth = 0;
        for (; this.pos < source.length; this.pos++) {
          const c = source[this.pos];
          if (c === '[') depth++;
          else if (c === ']') depth--;
          else if (c === '>' && depth === 0) break;
        }
        if (this.pos >= source.length) this.fail('unterminated document type declaration');
        this.pos++;
      } else return;
    }
  }

  private element(scope: Map<string, string>): XmlElement {
    const { source } = this;
    const openAt = this.pos;
    this.expect('<');
    const name = this.name();
    const rawAttributes: [string, string][] = [];
    for (;;) {
      const before = this.pos;
      this.skipWhitespace();
      if (source.startsWith('/>', this.pos) || source[this.pos] === '>') break;
      if (this.pos === before) this.fail('expected whitespace before an attribute');
      const attrName = this.name();
      this.skipWhitespace();
      this.expect('=');
      this.skipWhitespace();
      const quote = source[this.pos];
      if (quote !== '"' && quote !== "'") this.fail('expected a quoted attribute value');
      const end = source.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail('unterminated attribute value');
      const raw = source.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail('"<" in an attribute value');
      const valueAt = this.pos;
      this.pos = end + 1;
      if (rawAttributes.some(([n]) => n === attrName)) this.fail(`duplicate attribute ${attrName}`, valueAt);
      rawAttributes.push([attrName, this.decode(raw.replace(/[\t\n\r]/g, ' '), valueAt)]);
    }

    let elementScope = scope;
    const attributes: Record<string, string> = {};
    for (const [attrName, value] of rawAttributes) {
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        if (elementScope === scope) elementScope = new Map(scope);
        elementScope.set(attrName === 'xmlns' ? '' : attrName.slice(6), value);
      } else attributes[attrName] = value;
    }
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    let namespace: string | null = elementScope.get(prefix) ?? null;
    if (namespace === '') namespace = null;
    if (prefix !== '' && namespace === null) this.fail(`undeclared namespace prefix ${prefix}`, openAt);

    const element: XmlElement = { name, namespace, attributes, children: [] };
    if (source.startsWith('/>', this.pos)) {
      this.pos += 2;
      return element;
    }
    this.pos++; // '>'

    let text = '';
    for (;;) {
      const next = source.indexOf('<', this.pos);
      if (next < 0) this.fail(`unterminated element <${name}>`, openAt);
      if (next > this.pos) {
        const raw = source.slice(this.pos, next);
        if (raw.includes(']]>')) this.fail('"]]>" in text', this.pos + raw.indexOf(']]>'));
        text += this.decode(normaliseLineEndings(raw), this.pos);
        this.pos = next;
      }
      if (source.startsWith('</', this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> does not close <${name}>`);
        this.skipWhitespace();
        this.expect('>');
        if (text !== '') element.children.push(text);
        return element;
      }
      if (source.startsWith('<![CDATA[', this.pos)) {
        const end = source.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        text += normaliseLineEndings(source.slice(this.pos + 9, end));
        this.pos = end + 3;
      } else if (source.startsWith('<!--', this.pos)) this.skipPast('-->', 'comment');
      else if (source.startsWith('<?', this.pos)) this.skipPast('?>', 'processing instruction');
      else {
        if (text !== '') element.children.push(text);
        text = '';
        element.children.push(this.element(elementScope));
      }
    }
  }
}

function normaliseLineEndings(raw: string): string {
  return raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
}

/** Text content directly inside an element (not of its descendants). */
export function ownText(element: XmlElement): string {
  return element.children.filter((child): child is string => typeof child === 'string').join('');
}

export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter(isElement);
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child): child is XmlElement => isElement(child) && child.name === name);
}
