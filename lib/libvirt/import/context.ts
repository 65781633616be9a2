// lib/libvirt/import/context — what every import section shares: the host
// spec and options it reads, and the list of notes it writes.
//
// Owns: recording a finding once, in document order, together with the plan
// categories (memory, disks, …) it explains, so the importer's last check can
// tell which differences of the first plan are already explained.
import type { HostSpec } from '@/lib/spec';
import type { ImportOptions } from './types';

export class ImportContext {
  /** What the spec cannot express, one sentence each (sentences: ./not-kept). */
  readonly unsupported: string[] = [];
  private readonly covered = new Set<string>();

  constructor(
    readonly host: HostSpec,
    readonly options: ImportOptions,
  ) {}

  /** Record something the spec cannot express; `categories` are the plan categories it explains. */
  note(categories: string | string[], sentence: string): void {
    for (const category of Array.isArray(categories) ? categories : [categories]) this.covered.add(category);
    if (!this.unsupported.includes(sentence)) this.unsupported.push(sentence);
  }

  isCovered(category: string): boolean {
    return this.covered.has(category);
  }
}
