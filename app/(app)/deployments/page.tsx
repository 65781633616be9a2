// Deployments: approved changes applied to hosts (and import baselines), newest first.
import Link from 'next/link';
import { Rocket } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Badge } from '@/components/ui/badge';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { listDeployments } from '@/lib/deploy/queries';
import { formatDateTime } from '@/lib/utils';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Deployments' };

const statusVariant = {
  queued: 'muted',
  running: 'default',
  succeeded: 'success',
  failed: 'destructive',
  interrupted: 'destructive',
  rolled_back: 'warning',
} as const;

export default async function DeploymentsPage() {
  await requireUser();
  const deployments = await listDeployments();
  return (
    <>
      <PageHeader title="Deployments" description="Approved changes applied to hosts, step by step, with their logs and a way back." />
      {deployments.length === 0 ? (
        <EmptyState icon={Rocket} title="Nothing deployed yet">
          Approve a change to deploy it. Each deployment keeps its log, and a host can be rolled back to an earlier revision from here.
        </EmptyState>
      ) : (
        <Table data-testid="deployments-table">
          <TableHeader>
            <TableRow>
              <TableHead>Host</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Revision</TableHead>
              <TableHead>Finished</TableHead>
              <TableHead>Log</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {deployments.map((d) => (
              <TableRow key={d.id}>
                <TableCell>
                  <Link className="hover:underline" href={`/hosts/${d.host.id}/configuration`}>
                    {d.host.name}
                  </Link>
                </TableCell>
                <TableCell>{d.kind === 'import' ? 'import (as found)' : d.kind}</TableCell>
                <TableCell>
                  <Badge variant={statusVariant[d.status]}>{d.status.replace(/_/g, ' ')}</Badge>
                </TableCell>
                <TableCell className="font-mono text-xs">{d.revision.contentHash.slice(0, 12)}</TableCell>
                <TableCell className="text-xs">{formatDateTime(d.finishedAt)}</TableCell>
                <TableCell className="max-w-md truncate text-xs text-muted-foreground">{d.log.split('\n')[0]}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
