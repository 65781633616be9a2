// lib/render/xml-tree — reading domain XML into a plain tree, and writing a
// tree back out (through xmlbuilder2).
//
// Owns: a small, strict, non-validating XML 1.0 reader for documents such as
// `virsh dumpxml` output — elements, attributes, text, CDATA, character and
// the five predefined entity references, namespaces; comments, processing
// instructions and the document type declaration are skipped. Line endings
// and attribute whitespace are normalised as the XML spec says. It exists
// because building a full DOM (xmlbuilder2's reader) costs ~5 ms per domain,
// too slow to compare thousands of domains in a plan.

import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { forXmlBuilder } from './xml-text';

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

const NAME_START = /[A-Za-z_:\u00c0-\uffff]/;
const NAME_CHAR = /[A-Za-z0-9_:.\u00b7\u00c0-\uffff-]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Parse an XML document and return its root element. Throws XmlSyntaxError on malformed input. */
export function parseXml(source: string): XmlElement {
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (message: string, at = pos): never => {
    throw new XmlSyntaxError(message, at, source);
  };

  const skipWhitespace = () => {
    while (pos < source.length && /[ \t\r\n]/.test(source[pos]!)) pos++;
  };
  const expect = (text: string) => {
    if (!source.startsWith(text, pos)) fail(`expected "${text}"`);
    pos += text.length;
  };
  const readName = (): string => {
    const start = pos;
    if (pos >= source.length || !NAME_START.test(source[pos]!)) fail('expected a name');
    pos++;
    while (pos < source.length && NAME_CHAR.test(source[pos]!)) pos++;
    return source.slice(start, pos);
  };
  const decode = (raw: string, at: number): string =>
    raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);?/g, (match, ref: string) => {
      if (!match.endsWith(';')) fail('unterminated character or entity reference', at);
      if (ref.startsWith('#')) {
        const codePoint = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(codePoint > 0 && codePoint <= 0x10ffff)) fail(`invalid character reference &${ref};`, at);
        return String.fromCodePoint(codePoint);
      }
      const value = PREDEFINED[ref];
      if (value === undefined) fail(`unknown entity &${ref};`, at);
      return value!;
    });
  const normaliseLineEndings = (raw: string) => raw.replace(/\r\n?/g, '\n');

  // Skip everything that is not an element: comments, PIs, doctype, whitespace.
  const skipMisc = (allowDoctype: boolean) => {
    for (;;) {
      skipWhitespace();
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos + 2);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (allowDoctype && source.startsWith('<!DOCTYPE', pos)) {
        let depth = 0;
        for (; pos < source.length; pos++) {
          const c = source[pos];
          if (c === '[') depth++;
          else if (c === ']') depth--;
          else if (c === '>' && depth === 0) break;
        }
        if (pos >= source.length) fail('unterminated document type declaration');
        pos++;
      } else return;
    }
  };

  const parseElement = (scope: Map<string, string>): XmlElement => {
    const openAt = pos;
    expect('<');
    const name = readName();
    const rawAttributes: [string, string][] = [];
    for (;;) {
      const before = pos;
      skipWhitespace();
      if (source.startsWith('/>', pos) || source[pos] === '>') break;
      if (pos === before) fail('expected whitespace before an attribute');
      const attrName = readName();
      skipWhitespace();
      expect('=');
      skipWhitespace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      const end = source.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = source.slice(pos + 1, end);
      if (raw.includes('<')) fail('"<" in an attribute value');
      const valueAt = pos;
      pos = end + 1;
      if (rawAttributes.some(([n]) => n === attrName)) fail(`duplicate attribute ${attrName}`, valueAt);
      rawAttributes.push([attrName, decode(raw.replace(/[\t\n\r]/g, ' '), valueAt)]);
    }

    let elementScope = scope;
    const attributes: Record<string, string> = {};
    for (const [attrName, value] of rawAttributes) {
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        if (elementScope === scope) elementScope = new Map(scope);
        elementScope.set(attrName === 'xmlns' ? '' : attrName.slice(6), value);
      }
    }
    for (const [attrName, value] of rawAttributes) {
      if (attrName !== 'xmlns' && !attrName.startsWith('xmlns:')) attributes[attrName] = value;
    }
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    let namespace: string | null = elementScope.get(prefix) ?? null;
    if (namespace === '') namespace = null;
    if (prefix !== '' && namespace === null) fail(`undeclared namespace prefix ${prefix}`, openAt);

    const element: XmlElement = { name, namespace, attributes, children: [] };
    if (source.startsWith('/>', pos)) {
      pos += 2;
      return element;
    }
    pos++; // '>'

    let text = '';
    const flushText = () => {
      if (text !== '') element.children.push(text);
      text = '';
    };
    for (;;) {
      if (pos >= source.length) fail(`unterminated element <${name}>`, openAt);
      const next = source.indexOf('<', pos);
      if (next < 0) fail(`unterminated element <${name}>`, openAt);
      if (next > pos) {
        const raw = source.slice(pos, next);
        if (raw.includes(']]>')) fail('"]]>" in text', pos + raw.indexOf(']]>'));
        text += decode(normaliseLineEndings(raw), pos);
        pos = next;
      }
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> does not close <${name}>`);
        skipWhitespace();
        expect('>');
        flushText();
        return element;
      }
      if (source.startsWith('<![CDATA[', pos)) {
        const end = source.indexOf(']]>', pos + 9);
        if (end < 0) fail('unterminated CDATA section');
        text += normaliseLineEndings(source.slice(pos + 9, end));
        pos = end + 3;
      } else if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos + 2);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else {
        flushText();
        element.children.push(parseElement(elementScope));
      }
    }
  };

  skipMisc(true);
  if (source[pos] !== '<') fail('expected the root element');
  const root = parseElement(new Map([['xml', XML_NAMESPACE]]));
  skipMisc(false);
  if (pos < source.length) fail('content after the root element');
  return root;
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

function addTo(parent: XMLBuilder, element: XmlElement): void {
  const node = element.namespace === null ? parent.ele(element.name) : parent.ele(element.namespace, element.name);
  for (const key of Object.keys(element.attributes).sort()) {
    const colon = key.indexOf(':');
    const value = forXmlBuilder(element.attributes[key]!);
    if (colon > 0 && key.slice(0, colon) === 'xml') node.att(XML_NAMESPACE, key, value);
    else node.att(key, value);
  }
  for (const child of element.children) {
    if (typeof child === 'string') node.txt(forXmlBuilder(child));
    else addTo(node, child);
  }
}

/** Write a tree as indented XML (attributes in name order), ending with a newline. */
export function serializeXml(root: XmlElement): string {
  const doc = create();
  addTo(doc, root);
  return `${doc.end({ headless: true, prettyPrint: true, indent: '  ' })}\n`;
}
