// Read models of changes and deployments for the pages, the API and the CLI.
import { getDb, type Prisma } from '@/lib/db';
import { notFound } from '@/lib/errors';
import type { HostPlan } from '@/lib/render';
import { compareFiles, deployedRevision, redactFiles, type FileComparison } from '@/lib/hosts/configuration';
import { revisionFilesOf } from '@/lib/hosts/columns';
import { fourEyesRequired } from '@/lib/settings';
import { availableActions, OPEN_STATUSES, type Actor, type ChangeAction, type ChangeStatus } from '@/lib/changes/rules';
import { stepsOf, type DeploymentStep } from '@/lib/deploy/steps';
import type { DeploymentStatus } from '@/lib/generated/prisma/enums';

const userName = { select: { id: true, username: true } } as const;

export type ChangeListFilter = { status?: ChangeStatus | undefined; hostId?: string | undefined; page?: number; pageSize?: number };

export async function listChanges(filter: ChangeListFilter = {}) {
  const page = Math.max(1, filter.page ?? 1);
  const pageSize = Math.min(200, Math.max(1, filter.pageSize ?? 50));
  const where: Prisma.ChangeWhereInput = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.hostId ? { hostId: filter.hostId } : {}),
  };
  const [total, rows] = await Promise.all([
    getDb().change.count({ where }),
    getDb().change.findMany({
      where,
      orderBy: { updatedAt: 'desc' },
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        title: true,
        kind: true,
        status: true,
        urgent: true,
        createdAt: true,
        updatedAt: true,
        plan: true,
        host: { select: { id: true, name: true } },
        author: userName,
        approver: userName,
      },
    }),
  ]);
  return {
    total,
    page,
    pageSize,
    changes: rows.map(({ plan, ...row }) => ({ ...row, summary: (plan as HostPlan | null)?.summary ?? null })),
  };
}

export type ChangeDetail = Awaited<ReturnType<typeof getChangeDetail>>;

/** A change with everything its page shows: plan, file diffs against its base, people, comments, deployments, allowed actions. */
export async function getChangeDetail(id: string, viewer: Actor & { revealSecrets: boolean }) {
  const db = getDb();
  const change = await db.change.findUnique({
    where: { id },
    include: {
      host: { select: { id: true, name: true, flavour: true } },
      revision: { select: { id: true, contentHash: true, files: true } },
      author: userName,
      approver: userName,
      proposedBy: userName,
      comments: { orderBy: { createdAt: 'asc' }, include: { author: userName } },
      deployments: {
        orderBy: { createdAt: 'desc' },
        select: { id: true, status: true, createdAt: true, finishedAt: true, error: true, kind: true },
      },
    },
  });
  if (!change) throw notFound('change');
  const base = change.baseRevisionId ? await db.revision.findUnique({ where: { id: change.baseRevisionId } }) : null;
  const deployed = await deployedRevision(change.hostId);
  const files: FileComparison[] = compareFiles(revisionFilesOf(change.revision).files, base ? revisionFilesOf(base).files : []);
  const baseCurrent = (deployed?.id ?? null) === change.baseRevisionId;
  const facts = { status: change.status, authorId: change.authorId, kind: change.kind, urgent: change.urgent, baseCurrent };
  const actions: ChangeAction[] = availableActions(facts, viewer, { fourEyes: await fourEyesRequired() });
  const { revision, ...rest } = change;
  return {
    ...rest,
    revisionHash: revision.contentHash,
    baseHash: base?.contentHash ?? null,
    plan: change.plan as HostPlan | null,
    files: viewer.revealSecrets ? files : redactFiles(files),
    baseCurrent,
    actions,
  };
}

export type DeploymentSummary = {
  id: string;
  kind: string;
  status: DeploymentStatus;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  host: { id: string; name: string };
  revision: { contentHash: string };
  change: { id: string; title: string } | null;
};

/** The latest deployments (and import baselines), newest first. */
export function listDeployments({ take = 50, hostId }: { take?: number; hostId?: string } = {}): Promise<DeploymentSummary[]> {
  return getDb().deployment.findMany({
    where: hostId ? { hostId } : {},
    orderBy: { createdAt: 'desc' },
    take,
    select: {
      id: true,
      kind: true,
      status: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      error: true,
      host: { select: { id: true, name: true } },
      revision: { select: { contentHash: true } },
      change: { select: { id: true, title: true } },
    },
  });
}

export type DeploymentDetail = Omit<DeploymentSummary, 'revision'> & {
  revisionId: string;
  revisionHash: string;
  steps: DeploymentStep[];
  progress: number;
  generationBefore: number | null;
  generationAfter: number | null;
  cancelRequestedAt: Date | null;
  startedBy: { id: string; username: string } | null;
};

export async function getDeployment(id: string): Promise<DeploymentDetail> {
  const row = await getDb().deployment.findUnique({
    where: { id },
    include: {
      host: { select: { id: true, name: true } },
      revision: { select: { contentHash: true } },
      change: { select: { id: true, title: true } },
      startedBy: userName,
    },
  });
  if (!row) throw notFound('deployment');
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
    host: row.host,
    change: row.change,
    revisionId: row.revisionId,
    revisionHash: row.revision.contentHash,
    steps: stepsOf(row.steps),
    progress: row.progress,
    generationBefore: row.generationBefore,
    generationAfter: row.generationAfter,
    cancelRequestedAt: row.cancelRequestedAt,
    startedBy: row.startedBy,
  };
}

/** Whether the deployment has ended (the log will not grow). */
export function isFinished(status: DeploymentStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

/** How many changes there are, in any state. */
export function countChanges(): Promise<number> {
  return getDb().change.count();
}

/** How many changes wait for review (the sidebar's badge). */
export function countProposedChanges(): Promise<number> {
  return getDb().change.count({ where: { status: 'proposed' } });
}

/** The hosts that have changes, by name: the choices of the change list's host filter. */
export function changeHostChoices(): Promise<{ id: string; name: string }[]> {
  return getDb().host.findMany({
    where: { changes: { some: {} } },
    orderBy: { name: 'asc' },
    take: 500,
    select: { id: true, name: true },
  });
}

/** The host's open changes (draft, proposed, approved), newest first. */
export function openChangesOf(hostId: string) {
  return getDb().change.findMany({
    where: { hostId, status: { in: [...OPEN_STATUSES] } },
    orderBy: { updatedAt: 'desc' },
    select: { id: true, title: true, kind: true, status: true, urgent: true, updatedAt: true },
  });
}
