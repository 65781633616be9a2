// A host's history: the revisions deployed to it, newest first (the first is
// what runs now), each with a way back (a rollback change, reviewed like any
// other); the host's open changes; and the drift the last check found, with
// re-apply.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { History } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { ChangeKindBadges, ChangeStatusBadge } from '@/components/changes/status-badges';
import { DriftCallout } from '@/components/hosts/drift-callout';
import { RollbackButton } from '@/components/hosts/rollback-button';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { revisionHistory } from '@/lib/changes/revisions';
import { openChangesOf } from '@/lib/deploy/queries';
import { hostDrift } from '@/lib/deploy/drift';
import { getHost } from '@/lib/hosts/queries';
import { formatDateTime } from '@/lib/utils';
import { HostTabs } from '../host-tabs';

export const metadata = { title: 'History' };

const KIND_WORDS: Record<string, string> = { import: 'import (as found)', reapply: 're-apply' };

export default async function HostHistoryPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const host = await getHost(id);
  if (!host) notFound();
  const [history, open, drift] = await Promise.all([revisionHistory(host.id), openChangesOf(host.id), hostDrift(host.id)]);
  const canOperate = hasRole(user.role, 'operator');
  const canMarkUrgent = hasRole(user.role, 'admin');
  const current = history.find((h) => h.current) ?? null;
  const seen = new Set<string>();
  return (
    <>
      <PageHeader title={`${host.name}: history`} description="Revisions deployed to this host, newest first, and the way back to each." />
      <HostTabs id={host.id} active="history" canEdit={canOperate} />
      <DriftCallout
        hostId={host.id}
        drift={drift}
        current={current && { revisionId: current.revisionId, hash: current.hash, rollbackable: current.rollbackable }}
        canOperate={canOperate}
        canMarkUrgent={canMarkUrgent}
      />
      <Card className="mb-6" data-testid="host-open-changes">
        <CardHeader className="flex-row items-center justify-between">
          <CardTitle>Open changes</CardTitle>
          <Link className="text-sm text-primary hover:underline" href={`/changes?host=${host.id}`}>
            All changes of {host.name}
          </Link>
        </CardHeader>
        <CardContent className="grid gap-2 text-sm">
          {open.length === 0 ? (
            <span className="text-muted-foreground">None: what is deployed is what the desired state describes.</span>
          ) : (
            open.map((c) => (
              <div key={c.id} className="flex flex-wrap items-center gap-2" data-testid="host-open-change">
                <ChangeStatusBadge status={c.status} />
                <Link className="font-medium text-primary hover:underline" href={`/changes/${c.id}`}>
                  {c.title}
                </Link>
                <ChangeKindBadges kind={c.kind} urgent={c.urgent} />
                <span className="text-xs text-muted-foreground">updated {formatDateTime(c.updatedAt)}</span>
              </div>
            ))
          )}
        </CardContent>
      </Card>
      <h2 className="mb-3 text-lg font-semibold">Deployed revisions</h2>
      {history.length === 0 ? (
        <EmptyState icon={History} title="Nothing deployed yet">
          Once a change is deployed (or the host's VMs are imported), its revision appears here and can be deployed again later.
        </EmptyState>
      ) : (
        <Table data-testid="host-history">
          <TableHeader>
            <TableRow>
              <TableHead>Revision</TableHead>
              <TableHead>Deployed</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Change</TableHead>
              <TableHead />
            </TableRow>
          </TableHeader>
          <TableBody>
            {history.map((h) => {
              // A revision deployed more than once gets its button on the newest row only.
              const first = !seen.has(h.revisionId);
              seen.add(h.revisionId);
              const isCurrent = h.revisionId === current?.revisionId;
              return (
                <TableRow key={h.deploymentId} data-revision={h.revisionId}>
                  <TableCell className="font-mono text-xs">
                    {h.hash.slice(0, 12)} {h.current && <Badge variant="success">deployed now</Badge>}
                  </TableCell>
                  <TableCell className="text-xs">
                    <Link className="hover:underline" href={`/deployments/${h.deploymentId}`}>
                      {formatDateTime(h.deployedAt)}
                    </Link>
                  </TableCell>
                  <TableCell>{KIND_WORDS[h.kind] ?? h.kind}</TableCell>
                  <TableCell>
                    {h.changeId ? (
                      <Link className="hover:underline" href={`/changes/${h.changeId}`}>
                        {h.changeTitle}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell className="text-right">
                    {canOperate && first && !isCurrent ? (
                      h.rollbackable ? (
                        <RollbackButton
                          hostId={host.id}
                          revisionId={h.revisionId}
                          hash={h.hash}
                          canMarkUrgent={canMarkUrgent}
                          testId={`rollback-${h.revisionId}`}
                        />
                      ) : (
                        <span className="text-xs text-muted-foreground">the host as found: cannot be deployed again</span>
                      )
                    ) : null}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </>
  );
}
