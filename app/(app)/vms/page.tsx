// Virtual machines on all hosts, searchable and paged.
import Link from 'next/link';
import { Monitor } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Pager } from '@/components/pager';
import { Badge } from '@/components/ui/badge';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { listVms, VM_SORTS, VM_STATES } from '@/lib/hosts/queries';
import { ListFilter } from '@/components/list-filter';

export const metadata = { title: 'Virtual machines' };

export default async function VmsPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; page?: string; state?: string; sort?: string }>;
}) {
  await requireUser();
  const { q, page, state, sort } = await searchParams;
  const query = typeof q === 'string' ? q.slice(0, 100) : '';
  const result = await listVms({ q: query || undefined, page: Number(page) || 1, state, sort });
  const filters = Object.fromEntries(
    Object.entries({ q: query, state, sort }).filter(([, v]) => typeof v === 'string' && v !== ''),
  ) as Record<string, string>;
  return (
    <>
      <PageHeader title="Virtual machines" description="Every VM on every host, with its desired and live state." />
      {result.total === 0 && Object.keys(filters).length === 0 ? (
        <EmptyState icon={Monitor} title="No virtual machines yet">
          Add a host first; then import the VMs it already runs, or define new ones. Each VM becomes a libvirt domain XML you review before
          it is deployed.
        </EmptyState>
      ) : (
        <>
          <ListFilter
            q={query}
            placeholder="Search by name or tag"
            choices={[
              { name: 'state', label: 'State', value: state, options: VM_STATES },
              { name: 'sort', label: 'Sort', value: sort, options: Object.keys(VM_SORTS) },
            ]}
          />
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
                  <TableCell className="font-medium">
                    <Link className="hover:underline" href={`/vms/${vm.id}`}>
                      {vm.name}
                    </Link>
                  </TableCell>
                  <TableCell>
                    <Link className="hover:underline" href={`/hosts/${vm.host.id}`}>
                      {vm.host.name}
                    </Link>
                  </TableCell>
                  <TableCell>{vm.vcpus}</TableCell>
                  <TableCell>{vm.memoryMiB} MiB</TableCell>
                  <TableCell>{vm.removed ? <Badge variant="warning">remove</Badge> : vm.desiredPower}</TableCell>
                  <TableCell>
                    <Badge variant="muted">{vm.liveState.replace(/_/g, ' ')}</Badge>
                  </TableCell>
                  <TableCell className="text-xs">{vm.tags.join(', ')}</TableCell>
                </TableRow>
              ))}
              {result.vms.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7} className="py-8 text-center text-muted-foreground">
                    No VM matches these filters.
                  </TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
          <Pager path="/vms" params={filters} page={result.page} pageSize={result.pageSize} total={result.total} noun={['VM', 'VMs']} />
        </>
      )}
    </>
  );
}
