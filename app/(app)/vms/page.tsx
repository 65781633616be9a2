// Virtual machines on all hosts, searchable and paged.
import Link from 'next/link';
import { Monitor } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Pager } from '@/components/pager';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { listVms } from '@/lib/hosts/queries';

export const metadata = { title: 'Virtual machines' };

export default async function VmsPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  await requireUser();
  const { q, page } = await searchParams;
  const query = typeof q === 'string' ? q.slice(0, 100) : '';
  const result = await listVms({ q: query || undefined, page: Number(page) || 1 });
  return (
    <>
      <PageHeader title="Virtual machines" description="Every VM on every host, with its desired and live state." />
      {result.total === 0 && !query ? (
        <EmptyState icon={Monitor} title="No virtual machines yet">
          Add a host first; then import the VMs it already runs, or define new ones. Each VM becomes a libvirt domain XML you review before it is deployed.
        </EmptyState>
      ) : (
        <>
          <form method="get" className="mb-4 flex gap-2">
            <Input name="q" defaultValue={query} placeholder="Search by name or tag" className="max-w-xs" aria-label="Search VMs" />
            <Button type="submit" variant="outline">Search</Button>
          </form>
          <Table data-testid="vms-table">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Host</TableHead>
                <TableHead>vCPUs</TableHead>
                <TableHead>Memory</TableHead>
                <TableHead>Desired</TableHead>
                <TableHead>Live</TableHead>
                <TableHead>Tags</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {result.vms.map((vm) => (
                <TableRow key={vm.id}>
                  <TableCell className="font-medium"><Link className="hover:underline" href={`/vms/${vm.id}`}>{vm.name}</Link></TableCell>
                  <TableCell><Link className="hover:underline" href={`/hosts/${vm.host.id}`}>{vm.host.name}</Link></TableCell>
                  <TableCell>{vm.vcpus}</TableCell>
                  <TableCell>{vm.memoryMiB} MiB</TableCell>
                  <TableCell>{vm.removed ? <Badge variant="warning">remove</Badge> : vm.desiredPower}</TableCell>
                  <TableCell><Badge variant="muted">{vm.liveState.replace(/_/g, ' ')}</Badge></TableCell>
                  <TableCell className="text-xs">{vm.tags.join(', ')}</TableCell>
                </TableRow>
              ))}
              {result.vms.length === 0 && (
                <TableRow><TableCell colSpan={7} className="py-8 text-center text-muted-foreground">No VM matches “{query}”.</TableCell></TableRow>
              )}
            </TableBody>
          </Table>
          <Pager path="/vms" params={query ? { q: query } : {}} page={result.page} pageSize={result.pageSize} total={result.total} noun={['VM', 'VMs']} />
        </>
      )}
    </>
  );
}
