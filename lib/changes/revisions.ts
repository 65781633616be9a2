// lib/changes/revisions — revisions of a host: the desired state rendered now
// (stored as a Revision with its {host, vms} document, so a rollback can put it
// back), the history of deployed revisions, and a revision's plan against what
// is deployed (and optionally what runs).
import { getDb, type Prisma } from '@/lib/db';
import { notFound } from '@/lib/errors';
import { deployedRevision, domainTypeOf } from '@/lib/hosts/configuration';
import { revisionFilesOf } from '@/lib/hosts/columns';
import { loadHostWithVms } from '@/lib/hosts/inventory';
import { plan, renderHost, type HostPlan, type RenderedFile, type RenderManifest } from '@/lib/render';
import type { FieldIssue } from '@/lib/spec';

export type StoredRevision = { id: string; hash: string; files: RenderedFile[]; manifest: RenderManifest | null };

export type LiveDomains = { xml: ReadonlyMap<string, string>; running: ReadonlySet<string> };

function stored(row: { id: string; contentHash: string; files: unknown }): StoredRevision {
  const { files, manifest } = revisionFilesOf(row);
  return { id: row.id, hash: row.contentHash, files, manifest: manifest ?? null };
}

/** The host's desired state rendered and stored as a revision (one row per distinct content). */
export async function snapshotDesired(
  hostId: string,
): Promise<{ ok: true; revision: StoredRevision } | { ok: false; issues: FieldIssue[] }> {
  const loaded = await loadHostWithVms(hostId);
  if (!loaded) throw notFound('host');
  if (!loaded.doc.ok) return { ok: false, issues: loaded.doc.issues };
  const rendered = renderHost(loaded.doc.value, { domainType: await domainTypeOf(hostId) });
  const db = getDb();
  const data = {
    hostId,
    contentHash: rendered.hash,
    files: { files: rendered.files, manifest: rendered.manifest } as unknown as Prisma.InputJsonValue,
    spec: loaded.doc.value as unknown as Prisma.InputJsonValue,
  };
  const row = await db.revision.upsert({ where: { hostId_contentHash: { hostId, contentHash: rendered.hash } }, create: data, update: {} });
  return { ok: true, revision: stored(row) };
}

export async function getRevision(hostId: string, revisionId: string): Promise<StoredRevision & { spec: unknown }> {
  const row = await getDb().revision.findFirst({ where: { id: revisionId, hostId } });
  if (!row) throw notFound('revision');
  return { ...stored(row), spec: row.spec };
}

/** The plan of deploying `revision` now: against the deployed revision, and the live domains when given. */
export async function planRevision(
  hostId: string,
  revision: StoredRevision,
  live?: LiveDomains | null,
): Promise<{ plan: HostPlan; baseRevisionId: string | null }> {
  if (!revision.manifest) throw new Error('this revision was recorded from the host as found and has no manifest: it cannot be planned');
  const deployed = await deployedRevision(hostId);
  const result = plan({
    desired: { files: revision.files, manifest: revision.manifest },
    deployed: deployed ? { files: deployed.files, manifest: deployed.manifest ?? null } : null,
    live: live?.xml ?? null,
    liveRunning: live?.running ?? null,
  });
  return { plan: result, baseRevisionId: deployed?.id ?? null };
}

export type RevisionHistoryEntry = {
  revisionId: string;
  hash: string;
  deploymentId: string;
  kind: string;
  deployedAt: Date | null;
  changeId: string | null;
  changeTitle: string | null;
  current: boolean;
  /** Whether it can be rolled back to (it has a manifest: rendered by Hostdeck, not recorded as found). */
  rollbackable: boolean;
};

/** Deployed revisions of a host, newest first (each successful deployment once). */
export async function revisionHistory(hostId: string, take = 50): Promise<RevisionHistoryEntry[]> {
  const rows = await getDb().deployment.findMany({
    where: { hostId, status: 'succeeded' },
    orderBy: [{ finishedAt: 'desc' }, { createdAt: 'desc' }],
    take,
    select: {
      id: true,
      kind: true,
      finishedAt: true,
      revision: { select: { id: true, contentHash: true, files: true } },
      change: { select: { id: true, title: true } },
    },
  });
  return rows.map((row, index) => ({
    revisionId: row.revision.id,
    hash: row.revision.contentHash,
    deploymentId: row.id,
    kind: row.kind,
    deployedAt: row.finishedAt,
    changeId: row.change?.id ?? null,
    changeTitle: row.change?.title ?? null,
    current: index === 0,
    rollbackable: Boolean(revisionFilesOf(row.revision).manifest),
  }));
}
