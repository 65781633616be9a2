// lib/render/nix-value — JavaScript data → Nix expression text.
//
// Owns: printing data (strings, integers, booleans, null, lists, attribute
// sets, relative paths) as Nix source, always through the escapers in
// ./nix-escape. The generated module keeps all spec-derived values in such
// data and its fixed code only reads them, so no spec value is ever pasted
// into Nix code by hand.
import { nixAttrName, nixString } from './nix-escape';

/** A relative path literal such as `./vms/web1.xml` (copied to the store by Nix). */
export class NixPath {
  constructor(readonly path: string) {
    if (!/^\.\/[A-Za-z0-9._+-]+(?:\/[A-Za-z0-9._+-]+)*$/.test(path) || path.split('/').some((part) => part === '..')) {
      throw new Error(`not a safe relative Nix path: ${JSON.stringify(path)}`);
    }
  }
}

export type NixData = string | number | boolean | null | NixPath | NixData[] | { [key: string]: NixData };

/** Nix source for `value`, indented for a position `indent` levels deep (2 spaces each). */
export function nixValue(value: NixData, indent = 0): string {
  const pad = '  '.repeat(indent + 1);
  const end = '  '.repeat(indent);
  if (value === null) return 'null';
  if (typeof value === 'string') return nixString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`only integers are written to Nix, got ${value}`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (value instanceof NixPath) return value.path;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[\n${value.map((item) => `${pad}${nixValue(item, indent + 1)}\n`).join('')}${end}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{ }';
  return `{\n${keys.map((key) => `${pad}${nixAttrName(key)} = ${nixValue(value[key]!, indent + 1)};\n`).join('')}${end}}`;
}
