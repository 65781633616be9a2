// A host's configuration as approvers read it: the files rendered from its
// desired state, the files of the revision deployed now, and the plan between them.
import { getDb } from '@/lib/db';
import { loadHostWithVms } from '@/lib/hosts/inventory';
import { factsOf, revisionFilesOf } from '@/lib/hosts/columns';
import { sameForDiff } from '@/lib/libvirt';
import { plan, renderHost, type HostPlan, type RenderedFile } from '@/lib/render';
import type { FieldIssue } from '@/lib/spec';
import { redactFileContent } from '@/lib/security/redact';

/**
 * One file of the configuration. `desired` and `deployed` are the files as
 * they are; `status` compares them as the diff shows them (lib/libvirt
 * diffText: domain XML normalised), so a domain libvirt spelled differently
 * but defined the same is `unchanged`.
 */
export type FileComparison = {
  path: string;
  desired: string | null;
  deployed: string | null;
  status: 'added' | 'changed' | 'removed' | 'unchanged';
};

export type HostConfiguration =
  | {
      ok: true;
      hash: string;
      deployedHash: string | null;
      deployedAt: Date | null;
      deployedKind: string | null;
      plan: HostPlan;
      files: FileComparison[];
    }
  | { ok: false; issues: FieldIssue[] };

/** The revision of the last successful deployment (or import baseline), if any. */
export async function deployedRevision(hostId: string) {
  const deployment = await getDb().deployment.findFirst({
    where: { hostId, status: 'succeeded' },
    orderBy: [{ finishedAt: 'desc' }, { createdAt: 'desc' }],
    include: { revision: true },
  });
  if (!deployment) return null;
  return {
    id: deployment.revision.id,
    hash: deployment.revision.contentHash,
    at: deployment.finishedAt,
    kind: deployment.kind,
    ...revisionFilesOf(deployment.revision),
  };
}

export function compareFiles(desired: readonly RenderedFile[], deployed: readonly RenderedFile[]): FileComparison[] {
  const byPath = new Map<string, FileComparison>();
  for (const f of deployed) byPath.set(f.path, { path: f.path, desired: null, deployed: f.content, status: 'removed' });
  for (const f of desired) {
    const old = byPath.get(f.path);
    byPath.set(f.path, {
      path: f.path,
      desired: f.content,
      deployed: old?.deployed ?? null,
      status: !old ? 'added' : old.deployed !== null && sameForDiff(f.path, old.deployed, f.content) ? 'unchanged' : 'changed',
    });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** KVM unless the host's facts say /dev/kvm is missing, then QEMU's TCG. */
export async function domainTypeOf(hostId: string): Promise<'kvm' | 'qemu'> {
  const host = await getDb().host.findUnique({ where: { id: hostId }, select: { facts: true } });
  const facts = host ? factsOf(host) : null;
  return facts?.cpu?.kvmDevice === false ? 'qemu' : 'kvm';
}

/** Files as viewers see them: user-data replaced by a marker (the status is still that of the real content). */
export function redactFiles(files: readonly FileComparison[]): FileComparison[] {
  return files.map((f) => ({ ...f, desired: redactFileContent(f.path, f.desired), deployed: redactFileContent(f.path, f.deployed) }));
}

/**
 * The configuration of a host. Cloud-init user-data is secret: it is redacted
 * unless `revealSecrets` (operators and above, lib/security/redact canReadSecrets).
 */
export async function hostConfiguration(
  hostId: string,
  { revealSecrets = false }: { revealSecrets?: boolean } = {},
): Promise<HostConfiguration | null> {
  const loaded = await loadHostWithVms(hostId);
  if (!loaded) return null;
  if (!loaded.doc.ok) return { ok: false, issues: loaded.doc.issues };
  const rendered = renderHost(loaded.doc.value, { domainType: await domainTypeOf(hostId) });
  const deployed = await deployedRevision(hostId);
  const result = plan({ desired: rendered, deployed: deployed ? { files: deployed.files, manifest: deployed.manifest ?? null } : null });
  const files = compareFiles(rendered.files, deployed?.files ?? []);
  return {
    ok: true,
    hash: rendered.hash,
    deployedHash: deployed?.hash ?? null,
    deployedAt: deployed?.at ?? null,
    deployedKind: deployed?.kind ?? null,
    plan: result,
    files: revealSecrets ? files : redactFiles(files),
  };
}
