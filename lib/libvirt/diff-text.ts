// lib/libvirt/diff-text — the text of a file as an approver's diff shows it.
//
// Owns: putting both sides of every diff through the same normalisation as
// the plan (./normalize), so libvirt's own spelling of a domain (units,
// attribute order and quoting, the addresses, aliases, <emulator> and
// controllers it adds) never shows as a changed line. A domain XML file
// (`*.xml` whose root is <domain>) becomes its canonical text; any other file,
// or XML that does not parse, is shown as it is. Pure, and safe in the
// browser (the diff viewer calls it on both sides).
import { normalizeDomainTree } from './normalize';
import { parseXml, serializeXml } from './xml-tree';

/** The canonical text of a domain XML file for a diff; other files unchanged. */
export function diffText(path: string, content: string): string {
  if (!path.endsWith('.xml') || !/<domain[\s>]/.test(content)) return content;
  try {
    const root = parseXml(content);
    return root.name === 'domain' ? serializeXml(normalizeDomainTree(root)) : content;
  } catch {
    return content;
  }
}

/** Whether two versions of a file are the same once normalised for a diff. */
export function sameForDiff(path: string, a: string, b: string): boolean {
  return a === b || diffText(path, a) === diffText(path, b);
}
