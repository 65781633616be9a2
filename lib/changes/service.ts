// lib/changes/service — the change lifecycle (lib/changes/rules says who may
// do what, when). A host has at most one open `edit` change: saving the host's
// desired state (lib/hosts/inventory via the actions and the API) calls
// refreshOpenChange, which renders it, stores the revision and re-plans the
// open change — or makes a draft when there is something to deploy, and drops
// a draft when there is nothing any more. Nothing here touches a host except
// replan({ live: true }), which reads the live domains (read-only, one round
// trip). Deploying is lib/deploy/request.
//
// Who counts as the author: the user who last changed what the change would
// deploy (a later edit by someone else makes them the author), so four-eyes
// holds for the content being approved.
import { getDb, type Prisma } from '@/lib/db';
import { DomainError, notFound } from '@/lib/errors';
import type { Role } from '@/lib/auth/roles';
import { deployedRevision } from '@/lib/hosts/configuration';
import { fourEyesRequired } from '@/lib/settings';
import { readLiveDomains } from '@/lib/deploy/live-domains';
import { getRevision, planRevision, snapshotDesired, type StoredRevision } from '@/lib/changes/revisions';
import { mayDo, OPEN_STATUSES, type ChangeAction, type ChangeFacts, type ChangeStatus } from '@/lib/changes/rules';

export type ChangeActor = { id: string; username: string; role: Role };

const json = (value: unknown) => value as Prisma.InputJsonValue;

type ChangeRow = NonNullable<Awaited<ReturnType<typeof findChange>>>;

function findChange(id: string) {
  return getDb().change.findUnique({ where: { id }, include: { host: { select: { id: true, name: true } } } });
}

async function loadChange(id: string): Promise<ChangeRow> {
  const change = await findChange(id);
  if (!change) throw notFound('change');
  return change;
}

/** Facts the rules need, with whether the base is still the deployed revision. */
export async function changeFacts(change: {
  hostId: string;
  status: ChangeStatus;
  authorId: string | null;
  kind: string;
  urgent: boolean;
  baseRevisionId: string | null;
}): Promise<ChangeFacts> {
  const deployed = await deployedRevision(change.hostId);
  return {
    status: change.status,
    authorId: change.authorId,
    kind: change.kind,
    urgent: change.urgent,
    baseCurrent: (deployed?.id ?? null) === change.baseRevisionId,
  };
}

/** Throws the rules' refusal (403 or 409) unless `actor` may do `action` to the change now. */
export async function assertMay(action: ChangeAction, change: Parameters<typeof changeFacts>[0], actor: ChangeActor): Promise<void> {
  const verdict = mayDo(action, await changeFacts(change), actor, { fourEyes: await fourEyesRequired() });
  if (!verdict.ok) throw new DomainError(verdict.code, verdict.reason);
}

/** Moves the change from `from` to `data.status` only if no one else moved it meanwhile. */
async function transition(change: ChangeRow, data: Prisma.ChangeUncheckedUpdateManyInput): Promise<void> {
  const updated = await getDb().change.updateMany({ where: { id: change.id, status: change.status }, data });
  if (updated.count !== 1) throw new DomainError('conflict', 'The change was changed by someone else meanwhile: reload it and try again');
}

/** Serialises writers of one host's open change (row lock on the host, as host removal and deploy requests take). */
async function withHostRow<T>(hostId: string, run: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM "Host" WHERE id = ${hostId}::uuid FOR UPDATE`;
    if (rows.length === 0) throw notFound('host');
    return run(tx);
  });
}

export type RefreshResult = { changeId: string | null; changed: boolean };

/**
 * The host's open edit change after its desired state was saved: re-rendered
 * and re-planned; created as a draft when there is something to deploy; a draft
 * with nothing left to deploy is dropped, a proposed one closed as rejected.
 * A desired state that does not validate leaves everything as it was.
 */
export async function refreshOpenChange(hostId: string, actor: { id: string } | null, title?: string): Promise<RefreshResult> {
  const snapshot = await snapshotDesired(hostId);
  if (!snapshot.ok) return { changeId: null, changed: false };
  const { plan, baseRevisionId } = await planRevision(hostId, snapshot.revision);
  return withHostRow(hostId, async (tx) => {
    const host = await tx.host.findUniqueOrThrow({ where: { id: hostId }, select: { name: true } });
    const open = await tx.change.findFirst({
      where: { hostId, kind: 'edit', status: { in: [...OPEN_STATUSES] } },
      orderBy: { createdAt: 'desc' },
    });
    if (!plan.changed) {
      if (open?.status === 'draft') await tx.change.delete({ where: { id: open.id } });
      else if (open)
        await tx.change.update({
          where: { id: open.id },
          data: { status: 'rejected', reviewNote: 'Superseded: the desired state equals what is deployed', decidedAt: new Date() },
        });
      return { changeId: null, changed: false };
    }
    if (open) {
      const sameContent = open.revisionId === snapshot.revision.id && open.baseRevisionId === baseRevisionId;
      if (sameContent && !title) return { changeId: open.id, changed: true };
      await tx.change.update({
        where: { id: open.id },
        data: {
          revisionId: snapshot.revision.id,
          baseRevisionId,
          plan: json(plan),
          liveCheckedAt: null,
          ...(title ? { title } : {}),
          ...(sameContent
            ? {}
            : {
                // What was approved is not what would deploy now.
                status: open.status === 'draft' ? 'draft' : 'proposed',
                approverId: null,
                decidedAt: null,
                ...(actor ? { authorId: actor.id } : {}),
              }),
        },
      });
      return { changeId: open.id, changed: true };
    }
    const created = await tx.change.create({
      data: {
        hostId,
        revisionId: snapshot.revision.id,
        baseRevisionId,
        kind: 'edit',
        title: title ?? `Update ${host.name}`,
        plan: json(plan),
        authorId: actor?.id ?? null,
      },
      select: { id: true },
    });
    return { changeId: created.id, changed: true };
  });
}

/** POST /hosts/{id}/changes: the host's desired state now, as its open change with this title. */
export async function createChange(
  hostId: string,
  input: { title: string; description?: string | undefined },
  actor: ChangeActor,
): Promise<{ id: string }> {
  const host = await getDb().host.findUnique({ where: { id: hostId }, select: { name: true } });
  if (!host) throw notFound('host');
  const result = await refreshOpenChange(hostId, actor, input.title);
  if (!result.changeId)
    throw new DomainError(
      'conflict',
      `Nothing to change: the desired state of ${host.name} equals its deployed revision (or does not validate)`,
    );
  await getDb().change.update({
    where: { id: result.changeId },
    data: { authorId: actor.id, ...(input.description !== undefined ? { description: input.description } : {}) },
  });
  return { id: result.changeId };
}

export async function proposeChange(id: string, actor: ChangeActor): Promise<void> {
  const change = await loadChange(id);
  await assertMay('propose', change, actor);
  await transition(change, { status: 'proposed', proposedById: actor.id, proposedAt: new Date() });
}

export async function approveChange(id: string, actor: ChangeActor, note?: string): Promise<void> {
  const change = await loadChange(id);
  await assertMay('approve', change, actor);
  await transition(change, { status: 'approved', approverId: actor.id, decidedAt: new Date(), reviewNote: note || null });
}

export async function rejectChange(id: string, actor: ChangeActor, reason: string): Promise<void> {
  const change = await loadChange(id);
  await assertMay('reject', change, actor);
  await transition(change, { status: 'rejected', approverId: actor.id, decidedAt: new Date(), reviewNote: reason });
}

export async function commentOnChange(id: string, actor: ChangeActor, body: string): Promise<{ id: string }> {
  const change = await loadChange(id);
  await assertMay('comment', change, actor);
  return getDb().changeComment.create({ data: { changeId: id, authorId: actor.id, body }, select: { id: true } });
}

/**
 * Plans the change again against what is deployed now (and, with `live`, the
 * host's live domains, read over SSH). A proposed or approved change goes back
 * to proposed — the approver reviews the new plan — and a failed one to draft.
 */
export async function replanChange(id: string, actor: ChangeActor, options: { live?: boolean } = {}): Promise<void> {
  const change = await loadChange(id);
  await assertMay('replan', change, actor);
  const revision: StoredRevision =
    change.kind === 'edit' ? await desiredOrOwn(change) : await getRevision(change.hostId, change.revisionId);
  const live = options.live ? await readLiveDomains(change.hostId) : null;
  const { plan, baseRevisionId } = await planRevision(change.hostId, revision, live);
  const status: ChangeStatus =
    change.status === 'draft' || change.status === 'failed' || change.status === 'rolled_back' ? 'draft' : 'proposed';
  const clearApproval = change.status === 'approved' || change.status !== status;
  await transition(change, {
    revisionId: revision.id,
    baseRevisionId,
    plan: json(plan),
    liveCheckedAt: live ? new Date() : null,
    status,
    ...(clearApproval ? { approverId: null, decidedAt: null } : {}),
  });
}

/** An edit change re-plans the desired state as it is now; if that no longer validates, its own revision. */
async function desiredOrOwn(change: ChangeRow): Promise<StoredRevision> {
  const snapshot = await snapshotDesired(change.hostId);
  return snapshot.ok ? snapshot.revision : getRevision(change.hostId, change.revisionId);
}

/**
 * A change that deploys an earlier revision of the host again (it goes through
 * review like any other). Admins may mark it urgent: then their own approval
 * suffices. `kind: 'reapply'` deploys the current revision again (over drift).
 */
export async function createRollback(
  hostId: string,
  input: { revisionId: string; title?: string | undefined; urgent?: boolean | undefined; kind?: 'rollback' | 'reapply' },
  actor: ChangeActor,
): Promise<{ id: string }> {
  const host = await getDb().host.findUnique({ where: { id: hostId }, select: { name: true } });
  if (!host) throw notFound('host');
  if (input.urgent && actor.role !== 'admin') throw new DomainError('forbidden', 'Only an admin can mark a rollback urgent');
  const revision = await getRevision(hostId, input.revisionId);
  if (!revision.manifest)
    throw new DomainError(
      'conflict',
      'That revision is the host as found at import: it cannot be deployed again; pick a revision Hostdeck deployed',
    );
  const live = await readLiveDomains(hostId).catch(() => null);
  const { plan, baseRevisionId } = await planRevision(hostId, revision, live);
  // Deploying the revision that is deployed now is a re-apply (over drift), whatever the caller called it.
  const kind = input.kind ?? (baseRevisionId === revision.id ? 'reapply' : 'rollback');
  const created = await getDb().change.create({
    data: {
      hostId,
      revisionId: revision.id,
      baseRevisionId,
      kind,
      urgent: Boolean(input.urgent),
      title: input.title || (kind === 'reapply' ? `Re-apply ${host.name}` : `Roll back ${host.name} to ${revision.hash.slice(0, 12)}`),
      plan: json(plan),
      liveCheckedAt: live ? new Date() : null,
      authorId: actor.id,
    },
    select: { id: true },
  });
  return created;
}
