// lib/libvirt/import/xml — small readers the import sections share.
//
// Owns: finding children and text in a parsed domain (xml-tree), spotting
// attributes beyond the expected ones, and quoting values and start tags for
// operator-facing sentences (show, tag) so that long values are cut, control
// characters escaped and passwords never printed.
import { childElements, ownText, type XmlElement } from '../xml-tree';

/** Children libvirt adds to every device, never a difference by themselves. */
export const LIBVIRT_ADDED = new Set(['alias', 'address']);

/** Attributes whose values never appear in a message. */
const SECRET_ATTRIBUTES = new Set(['passwd', 'password']);

export function lookup<V>(map: Readonly<Record<string, V>> | ReadonlyMap<string, V> | undefined, key: string): V | undefined {
  if (map === undefined) return undefined;
  if (map instanceof Map) return map.get(key);
  return Object.hasOwn(map, key) ? (map as Record<string, V>)[key] : undefined;
}

export function localName(element: XmlElement): string {
  const colon = element.name.indexOf(':');
  return colon < 0 ? element.name : element.name.slice(colon + 1);
}

/** A value as it may appear in a sentence: quoted, control characters escaped, long values cut. */
export function show(value: string, max = 120): string {
  const escaped = JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
  return escaped.replace(/[\u2028\u2029\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The start tag of an element, for messages: `<vmport state='off'/>` (children elided, passwords hidden). */
export function tag(element: XmlElement): string {
  const attributes = Object.entries(element.attributes)
    .map(([key, value]) => ` ${key}=${SECRET_ATTRIBUTES.has(key) ? "'…'" : show(value, 80).replace(/^"|"$/g, "'")}`)
    .join('');
  return `<${element.name}${attributes}${childElements(element).length > 0 || ownText(element).trim() !== '' ? '>…' : '/>'}`;
}

/** The start tags of several elements, comma-separated. */
export function tags(elements: readonly XmlElement[]): string {
  return elements.map((element) => tag(element)).join(', ');
}

export function first(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element).find((child) => child.name === name);
}

export function all(element: XmlElement, name: string): XmlElement[] {
  return childElements(element).filter((child) => child.name === name);
}

export function text(element: XmlElement | undefined): string {
  return element === undefined ? '' : ownText(element).trim();
}

/** Attributes of `element` other than the expected ones (with their expected values when given). */
export function extraAttributes(element: XmlElement, expected: Record<string, string | string[] | null>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(element.attributes)) {
    if (SECRET_ATTRIBUTES.has(key) && !(key in expected)) out.push(key);
    else if (!(key in expected)) out.push(`${key}=${show(value, 60)}`);
    else {
      const allowed = expected[key];
      if (allowed === null) continue;
      if (Array.isArray(allowed) ? !allowed.includes(value) : allowed !== value) out.push(`${key}=${show(value, 60)}`);
    }
  }
  return out;
}

/** vda → { family: 'vd', index: 0 }; sdab → { family: 'sd', index: 27 }. */
export function targetIndex(dev: string): { family: string; index: number } | null {
  const match = /^(vd|sd|hd|xvd)([a-z]+)$/.exec(dev);
  if (!match) return null;
  let index = 0;
  for (const c of match[2]!) index = index * 26 + (c.charCodeAt(0) - 96);
  return { family: match[1]!, index: index - 1 };
}

/** A disk's target device name (`vda`), or '' when it has none. */
export function diskTarget(disk: XmlElement): string {
  return first(disk, 'target')?.attributes.dev ?? '';
}
