// lib/libvirt/xml-tree — reading domain XML into a plain tree (the reader is
// lib/spec/xml-reader, re-exported here), and writing a tree back out
// (through xmlbuilder2).
//
// Owns: serializeXml and appendTree, the writers of a parsed tree, and
// withoutLayout (indentation between elements dropped).

import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { XmlElement } from '@/lib/spec/xml-reader';
import { forXmlBuilder } from './xml-text';

export {
  childElements,
  firstChild,
  isElement,
  ownText,
  parseXml,
  XmlSyntaxError,
  type XmlElement,
  type XmlNode,
} from '@/lib/spec/xml-reader';

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Append a parsed tree under `parent` (attributes in name order, every value escaped). */
export function appendTree(parent: XMLBuilder, element: XmlElement): void {
  const node = element.namespace === null ? parent.ele(element.name) : parent.ele(element.namespace, element.name);
  for (const key of Object.keys(element.attributes).sort()) {
    const colon = key.indexOf(':');
    const value = forXmlBuilder(element.attributes[key]!);
    if (colon > 0 && key.slice(0, colon) === 'xml') node.att(XML_NAMESPACE, key, value);
    else node.att(key, value);
  }
  for (const child of element.children) {
    if (typeof child === 'string') node.txt(forXmlBuilder(child));
    else appendTree(node, child);
  }
}

/** Write a tree as indented XML (attributes in name order), ending with a newline. */
export function serializeXml(root: XmlElement): string {
  const doc = create();
  appendTree(doc, root);
  return `${doc.end({ headless: true, prettyPrint: true, indent: '  ' })}\n`;
}

/** The tree without whitespace-only text between elements (indentation is layout, not content). */
export function withoutLayout(element: XmlElement): XmlElement {
  const hasElements = element.children.some((child) => typeof child !== 'string');
  const children = element.children
    .filter((child) => !(hasElements && typeof child === 'string' && child.trim() === ''))
    .map((child) => (typeof child === 'string' ? child : withoutLayout(child)));
  return { ...element, children };
}
