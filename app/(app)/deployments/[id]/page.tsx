// A deployment: which host and change, who started it, its steps, progress and
// elapsed time, NixOS generations, error, and the log — streamed while it runs
// (components/deployments/deployment-live), whole once it has finished.
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { DeploymentLive } from '@/components/deployments/deployment-live';
import { Card, CardContent } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { getDeployment } from '@/lib/deploy/queries';
import { logSoFar } from '@/lib/deploy/log';
import { loadOrNotFound } from '@/lib/server/page-load';
import { formatDateTime } from '@/lib/utils';

export const metadata = { title: 'Deployment' };

const KIND_WORDS: Record<string, string> = {
  deploy: 'Deployment',
  rollback: 'Rollback',
  reapply: 'Re-apply',
  import: 'Import baseline',
};

export default async function DeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const d = await loadOrNotFound(id, getDeployment);
  const log = await logSoFar(d.id);
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return (
    <>
      <PageHeader
        title={`${KIND_WORDS[d.kind] ?? d.kind} on ${d.host.name}`}
        description={d.change ? `Change “${d.change.title}”` : 'Recorded without a change'}
      />
      <Card className="mb-6">
        <CardContent className="pt-5">
          <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[9rem_1fr_9rem_1fr]">
            <dt className="text-muted-foreground">Host</dt>
            <dd>
              <Link className="text-primary hover:underline" href={`/hosts/${d.host.id}`} data-testid="deployment-host">
                {d.host.name}
              </Link>
            </dd>
            <dt className="text-muted-foreground">Change</dt>
            <dd>
              {d.change ? (
                <Link className="text-primary hover:underline" href={`/changes/${d.change.id}`} data-testid="deployment-change">
                  {d.change.title}
                </Link>
              ) : (
                '—'
              )}
            </dd>
            <dt className="text-muted-foreground">Started by</dt>
            <dd>{d.startedBy?.username ?? '—'}</dd>
            <dt className="text-muted-foreground">Revision</dt>
            <dd className="font-mono text-xs">{d.revisionHash.slice(0, 16)}</dd>
            <dt className="text-muted-foreground">Queued</dt>
            <dd className="text-xs">{formatDateTime(d.createdAt)}</dd>
            <dt className="text-muted-foreground">Started</dt>
            <dd className="text-xs">{formatDateTime(d.startedAt)}</dd>
            <dt className="text-muted-foreground">Finished</dt>
            <dd className="text-xs">{formatDateTime(d.finishedAt)}</dd>
            {(d.generationBefore !== null || d.generationAfter !== null) && (
              <>
                <dt className="text-muted-foreground">NixOS generation</dt>
                <dd data-testid="deployment-generations">
                  {d.generationBefore ?? '?'} → {d.generationAfter ?? '…'}
                </dd>
              </>
            )}
            {d.cancelRequestedAt && (
              <>
                <dt className="text-muted-foreground">Cancel requested</dt>
                <dd className="text-xs">{formatDateTime(d.cancelRequestedAt)}</dd>
              </>
            )}
          </dl>
        </CardContent>
      </Card>
      <DeploymentLive
        deploymentId={d.id}
        initial={{ status: d.status, progress: d.progress, steps: d.steps, error: d.error, finishedAt: iso(d.finishedAt) }}
        startedAt={iso(d.startedAt)}
        log={log.text}
        lastChunkId={log.lastChunkId}
        canCancel={hasRole(user.role, 'operator')}
        cancelRequested={d.cancelRequestedAt !== null}
      />
    </>
  );
}
