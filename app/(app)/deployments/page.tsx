// Deployments: approved changes applied to hosts (and import baselines), newest
// first; each row opens the deployment's page with its steps and log.
import Link from 'next/link';
import { Rocket } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { DeploymentStatusBadge } from '@/components/changes/status-badges';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { listDeployments } from '@/lib/deploy/queries';
import { formatDateTime } from '@/lib/utils';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Deployments' };

const KIND_WORDS: Record<string, string> = { import: 'import (as found)', reapply: 're-apply' };

export default async function DeploymentsPage() {
  await requireUser();
  const deployments = await listDeployments();
  return (
    <>
      <PageHeader title="Deployments" description="Approved changes applied to hosts, step by step, with their logs and a way back." />
      {deployments.length === 0 ? (
        <EmptyState icon={Rocket} title="Nothing deployed yet">
          Approve a change to deploy it. Each deployment keeps its log, and a host can be rolled back to an earlier revision from its
          History tab.
        </EmptyState>
      ) : (
        <Table data-testid="deployments-table">
          <TableHeader>
            <TableRow>
              <TableHead>Status</TableHead>
              <TableHead>Host</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Change</TableHead>
              <TableHead>Revision</TableHead>
              <TableHead>Started</TableHead>
              <TableHead>Finished</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {deployments.map((d) => (
              <TableRow key={d.id} data-deployment={d.id}>
                <TableCell>
                  <Link href={`/deployments/${d.id}`} aria-label={`Deployment ${d.id}`}>
                    <DeploymentStatusBadge status={d.status} />
                  </Link>
                </TableCell>
                <TableCell>
                  <Link className="hover:underline" href={`/hosts/${d.host.id}`}>
                    {d.host.name}
                  </Link>
                </TableCell>
                <TableCell>
                  <Link className="hover:underline" href={`/deployments/${d.id}`}>
                    {KIND_WORDS[d.kind] ?? d.kind}
                  </Link>
                </TableCell>
                <TableCell className="max-w-sm truncate">
                  {d.change ? (
                    <Link className="hover:underline" href={`/changes/${d.change.id}`}>
                      {d.change.title}
                    </Link>
                  ) : (
                    '—'
                  )}
                  {d.error && <div className="truncate text-xs text-destructive">{d.error}</div>}
                </TableCell>
                <TableCell className="font-mono text-xs">{d.revision.contentHash.slice(0, 12)}</TableCell>
                <TableCell className="text-xs">{formatDateTime(d.startedAt ?? d.createdAt)}</TableCell>
                <TableCell className="text-xs">{formatDateTime(d.finishedAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
