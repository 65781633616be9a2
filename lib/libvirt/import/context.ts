// lib/libvirt/import/context — what every import section shares: the host
// spec and options it reads, and the list of notes it writes.
//
// Owns: recording a finding once, in document order, together with the plan
// categories (memory, disks, …) it explains, so the importer's last check can
// tell which differences of the first plan are already explained; and
// carrying an element the spec has no field for into the VM's unmanaged XML
// (lib/spec unmanaged-xml), or noting it when the rules refuse it.
import { unmanagedFragmentProblem, type HostSpec, type UnmanagedPlace, type UnmanagedXml } from '@/lib/spec';
import { serializeXml, withoutLayout, type XmlElement } from '../xml-tree';
import { NOT_KEPT } from './not-kept';
import type { ImportOptions } from './types';
import { LIBVIRT_ADDED } from './xml';

export class ImportContext {
  /** What the spec cannot express, one sentence each (sentences: ./not-kept). */
  readonly unsupported: string[] = [];
  private readonly covered = new Set<string>();
  /** Elements kept as they are (vm.unmanagedXml). */
  readonly unmanaged: UnmanagedXml = { domain: [], devices: [], metadata: [] };

  constructor(
    readonly host: HostSpec,
    readonly options: ImportOptions,
  ) {}

  /** Record something the spec cannot express; `categories` are the plan categories it explains. */
  note(categories: string | string[], sentence: string): void {
    for (const category of Array.isArray(categories) ? categories : [categories]) this.covered.add(category);
    if (!this.unsupported.includes(sentence)) this.unsupported.push(sentence);
  }

  /**
   * Keep `element` as unmanaged XML (without the alias and address libvirt
   * gives a device); when the rules refuse it, note `refused` (or, without
   * one, which rule refused it).
   * Returns whether it was kept.
   */
  carry(where: UnmanagedPlace, element: XmlElement, categories: string | string[], refused?: string): boolean {
    const plain = withoutLayout(element);
    const kept =
      where === 'devices'
        ? { ...plain, children: plain.children.filter((child) => typeof child === 'string' || !LIBVIRT_ADDED.has(child.name)) }
        : plain;
    const fragment = serializeXml(kept).trim();
    const problem = unmanagedFragmentProblem(where, fragment);
    if (problem === null) {
      this.unmanaged[where].push(fragment);
      return true;
    }
    this.note(categories, refused ?? NOT_KEPT.domain.unmanagedRefused(element, problem));
    return false;
  }

  isCovered(category: string): boolean {
    return this.covered.has(category);
  }
}
