// The JSON columns of hosts, VMs and revisions, read in one place. Prisma types
// them as JsonValue; what they hold was validated when it was written (specs by
// lib/spec on every save, facts by parseFacts, revision files by the renderer),
// so these accessors are the only place that turns the column into its type —
// callers never cast `row.spec as HostSpec`. A column that is not even the
// right kind of value (an object, an array of files) is reported, not trusted.
// Whole documents that must be re-validated (older versions' specs) go through
// lib/hosts/inventory's loadHostWithVms, which parses them with lib/spec.
import type { HostSpec, VmSpec } from '@/lib/spec';
import type { HostFacts } from '@/lib/hosts/facts';
import type { RenderedFile, RenderManifest } from '@/lib/render';
import { DomainError } from '@/lib/errors';

type JsonColumn = unknown;

function objectColumn(value: JsonColumn, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DomainError('internal', `${what} is not a JSON object in the database`);
  return value as Record<string, unknown>;
}

/** The host spec stored on a Host row. */
export function hostSpecOf(row: { spec: JsonColumn }): HostSpec {
  return objectColumn(row.spec, 'the host spec') as unknown as HostSpec;
}

/** The VM spec stored on a Vm row. */
export function vmSpecOf(row: { spec: JsonColumn }): VmSpec {
  return objectColumn(row.spec, 'the VM spec') as unknown as VmSpec;
}

/** The host's facts as last read, or null before the first read. */
export function factsOf(row: { facts: JsonColumn }): HostFacts | null {
  return row.facts === null || row.facts === undefined ? null : (objectColumn(row.facts, "the host's facts") as unknown as HostFacts);
}

export type RevisionFiles = { files: RenderedFile[]; manifest?: RenderManifest | null };

/** The rendered files (and manifest) a Revision row keeps. */
export function revisionFilesOf(row: { files: JsonColumn }): RevisionFiles {
  const value = objectColumn(row.files, "the revision's files");
  if (!Array.isArray(value.files)) throw new DomainError('internal', "the revision's files are not a list in the database");
  return value as unknown as RevisionFiles;
}
