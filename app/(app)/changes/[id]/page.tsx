// A change: who wrote, proposed and approved (or rejected) it, the plan an
// approver reads (including what a deploy would remove), the Nix and XML diffs
// against its base revision, its deployments and comments, and only the
// buttons this user may use now.
import Link from 'next/link';
import { AlertTriangle } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { FileDiff } from '@/components/config/file-diff';
import { ChangeActions, CommentForm } from '@/components/changes/change-actions';
import { PlanCard } from '@/components/changes/plan-card';
import { ChangeKindBadges, ChangeStatusBadge, DeploymentStatusBadge } from '@/components/changes/status-badges';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { getChangeDetail } from '@/lib/deploy/queries';
import { OPEN_STATUSES } from '@/lib/changes/rules';
import { canReadSecrets } from '@/lib/security/redact';
import { loadOrNotFound } from '@/lib/server/page-load';
import { formatDateTime } from '@/lib/utils';

export const metadata = { title: 'Change' };

const fileVariant = { added: 'success', changed: 'warning', removed: 'destructive', unchanged: 'muted' } as const;

const KIND_WORDS: Record<string, string> = {
  edit: 'edit of the desired state',
  rollback: 'rollback to an earlier revision',
  reapply: 're-apply of the deployed revision (over drift)',
};

export default async function ChangePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const change = await loadOrNotFound(id, (changeId) =>
    getChangeDetail(changeId, { id: user.id, role: user.role, revealSecrets: canReadSecrets(user.role) }),
  );
  const open = OPEN_STATUSES.includes(change.status);
  const changedFiles = change.files.filter((f) => f.status !== 'unchanged');
  const unchangedFiles = change.files.filter((f) => f.status === 'unchanged');
  const running = change.deployments.find((d) => d.status === 'queued' || d.status === 'running');
  const decided = change.approver && change.decidedAt;
  return (
    <>
      <PageHeader title={change.title} description={`${KIND_WORDS[change.kind] ?? change.kind} on ${change.host.name}`} />
      <div className="mb-6 flex flex-wrap items-center gap-2">
        <ChangeStatusBadge status={change.status} data-testid="change-status" />
        <ChangeKindBadges kind={change.kind} urgent={change.urgent} />
        {running && (
          <Link className="text-sm text-primary hover:underline" href={`/deployments/${running.id}`}>
            Deployment {running.status}: follow its log
          </Link>
        )}
      </div>

      {open && !change.baseCurrent && (
        <Alert variant="warning" className="mb-6" data-testid="change-base-stale">
          <AlertTriangle className="mr-2 inline size-4" />
          What is deployed on {change.host.name} changed since this change was planned: re-plan before deploying (a re-planned change needs
          approval again).
        </Alert>
      )}

      <div className="mb-6 grid gap-4 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardHeader>
            <CardTitle>Review</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 text-sm">
            <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1">
              <dt className="text-muted-foreground">Host</dt>
              <dd>
                <Link className="text-primary hover:underline" href={`/hosts/${change.host.id}`} data-testid="change-host">
                  {change.host.name}
                </Link>{' '}
                <span className="text-xs text-muted-foreground">({change.host.flavour === 'nixos' ? 'NixOS' : 'libvirt'})</span>
              </dd>
              <dt className="text-muted-foreground">Author</dt>
              <dd data-testid="change-author">
                {change.author?.username ?? '—'} <span className="text-xs text-muted-foreground">{formatDateTime(change.createdAt)}</span>
              </dd>
              <dt className="text-muted-foreground">Proposed by</dt>
              <dd>
                {change.proposedBy ? (
                  <>
                    {change.proposedBy.username} <span className="text-xs text-muted-foreground">{formatDateTime(change.proposedAt)}</span>
                  </>
                ) : (
                  '—'
                )}
              </dd>
              <dt className="text-muted-foreground">{change.status === 'rejected' ? 'Rejected by' : 'Approved by'}</dt>
              <dd data-testid="change-approver">
                {decided ? (
                  <>
                    {change.approver?.username} <span className="text-xs text-muted-foreground">{formatDateTime(change.decidedAt)}</span>
                  </>
                ) : (
                  '—'
                )}
              </dd>
              <dt className="text-muted-foreground">Revision</dt>
              <dd className="font-mono text-xs" data-testid="change-revision">
                {change.revisionHash.slice(0, 16)}
              </dd>
              <dt className="text-muted-foreground">Base</dt>
              <dd className="font-mono text-xs" data-testid="change-base">
                {change.baseHash ? change.baseHash.slice(0, 16) : 'nothing deployed'}{' '}
                {open && (
                  <Badge variant={change.baseCurrent ? 'success' : 'warning'} className="font-sans">
                    {change.baseCurrent ? 'still deployed' : 'no longer deployed'}
                  </Badge>
                )}
              </dd>
              <dt className="text-muted-foreground">Updated</dt>
              <dd className="text-xs">{formatDateTime(change.updatedAt)}</dd>
            </dl>
            {change.description && <p className="whitespace-pre-wrap">{change.description}</p>}
            {change.reviewNote && (
              <Alert variant={change.status === 'rejected' ? 'destructive' : 'default'} data-testid="change-review-note">
                <span className="font-medium">{change.status === 'rejected' ? 'Reason for rejecting' : 'Review note'}:</span>{' '}
                <span className="whitespace-pre-wrap">{change.reviewNote}</span>
              </Alert>
            )}
            <ChangeActions changeId={change.id} actions={change.actions} />
          </CardContent>
        </Card>
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Deployments</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-2 text-sm" data-testid="change-deployments">
            {change.deployments.length === 0 ? (
              <span className="text-muted-foreground">Not deployed yet.</span>
            ) : (
              change.deployments.map((d) => (
                <div key={d.id} className="flex flex-wrap items-center gap-2">
                  <DeploymentStatusBadge status={d.status} />
                  <Link className="text-primary hover:underline" href={`/deployments/${d.id}`}>
                    {d.kind} {formatDateTime(d.createdAt)}
                  </Link>
                  {d.error && <span className="w-full break-words text-xs text-destructive">{d.error}</span>}
                </div>
              ))
            )}
          </CardContent>
        </Card>
      </div>

      <PlanCard plan={change.plan} liveCheckedAt={change.liveCheckedAt ? formatDateTime(change.liveCheckedAt) : null} />

      <h2 className="mb-3 text-lg font-semibold">Files ({changedFiles.length} differ)</h2>
      <div className="mb-6 grid gap-4">
        {changedFiles.map((file) => (
          <Card key={file.path} data-file={file.path} className="min-w-0 overflow-hidden">
            <CardHeader className="flex-row items-center justify-between">
              <CardTitle className="font-mono text-sm">{file.path}</CardTitle>
              <Badge variant={fileVariant[file.status]}>{file.status}</Badge>
            </CardHeader>
            <CardContent>
              <div className="rounded border">
                <FileDiff path={file.path} deployed={file.deployed ?? ''} desired={file.desired ?? ''} />
              </div>
            </CardContent>
          </Card>
        ))}
        {changedFiles.length === 0 && <p className="text-sm text-muted-foreground">No file differs from the base revision.</p>}
        {unchangedFiles.length > 0 && (
          <p className="text-xs text-muted-foreground">Unchanged: {unchangedFiles.map((f) => f.path).join(', ')}</p>
        )}
      </div>

      <h2 className="mb-3 text-lg font-semibold">Comments ({change.comments.length})</h2>
      <Card>
        <CardContent className="grid gap-4 pt-5 text-sm">
          {change.comments.length === 0 && <p className="text-muted-foreground">No comments yet.</p>}
          {change.comments.map((c) => (
            <div key={c.id} className="grid gap-1 border-b pb-3 last:border-b-0" data-testid="change-comment-item">
              <div className="text-xs text-muted-foreground">
                <span className="font-medium text-foreground">{c.author?.username ?? 'deleted user'}</span> · {formatDateTime(c.createdAt)}
              </div>
              <p className="whitespace-pre-wrap">{c.body}</p>
            </div>
          ))}
          {change.actions.includes('comment') && <CommentForm changeId={change.id} />}
        </CardContent>
      </Card>
    </>
  );
}
