// Hosts: the KVM hosts Hostdeck manages, searchable and paged.
import Link from 'next/link';
import { Plus, Server } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Pager } from '@/components/pager';
import { HostStatusBadge } from '@/components/hosts/host-status-badge';
import { Button } from '@/components/ui/button';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { HOST_SORTS, HOST_STATUSES, listHosts } from '@/lib/hosts/queries';
import { ListFilter } from '@/components/list-filter';

export const metadata = { title: 'Hosts' };

export default async function HostsPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; page?: string; status?: string; sort?: string }>;
}) {
  const user = await requireUser();
  const { q, page, status, sort } = await searchParams;
  const query = typeof q === 'string' ? q.slice(0, 100) : '';
  const result = await listHosts({ q: query || undefined, page: Number(page) || 1, status, sort });
  const filters = Object.fromEntries(
    Object.entries({ q: query, status, sort }).filter(([, v]) => typeof v === 'string' && v !== ''),
  ) as Record<string, string>;
  const canEdit = hasRole(user.role, 'operator');
  return (
    <>
      <PageHeader title="Hosts" description="KVM hosts reached over SSH: NixOS or any Linux with libvirt.">
        {canEdit && (
          <Button asChild>
            <Link href="/hosts/new">
              <Plus /> Add host
            </Link>
          </Button>
        )}
      </PageHeader>
      {result.total === 0 && Object.keys(filters).length === 0 ? (
        <EmptyState icon={Server} title="No hosts yet">
          Add a host by its address and SSH user. Hostdeck shows you its public key for the host&apos;s <code>authorized_keys</code> and
          asks you to confirm the host key fingerprint on first contact.
        </EmptyState>
      ) : (
        <>
          <ListFilter
            q={query}
            placeholder="Search by name or address"
            choices={[
              { name: 'status', label: 'Status', value: status, options: HOST_STATUSES },
              { name: 'sort', label: 'Sort', value: sort, options: Object.keys(HOST_SORTS) },
            ]}
          />
          <Table data-testid="hosts-table">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Address</TableHead>
                <TableHead>Flavour</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">VMs</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {result.hosts.map((h) => (
                <TableRow key={h.id}>
                  <TableCell className="font-medium">
                    <Link className="hover:underline" href={`/hosts/${h.id}`}>
                      {h.name}
                    </Link>
                  </TableCell>
                  <TableCell className="font-mono text-xs">
                    {h.sshUser}@{h.address}:{h.port}
                  </TableCell>
                  <TableCell>{h.flavour === 'nixos' ? 'NixOS' : 'libvirt'}</TableCell>
                  <TableCell>
                    <HostStatusBadge status={h.status} />
                  </TableCell>
                  <TableCell className="text-right">{h._count.vms}</TableCell>
                </TableRow>
              ))}
              {result.hosts.length === 0 && (
                <TableRow>
                  <TableCell colSpan={5} className="py-8 text-center text-muted-foreground">
                    No host matches these filters.
                  </TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
          <Pager
            path="/hosts"
            params={filters}
            page={result.page}
            pageSize={result.pageSize}
            total={result.total}
            noun={['host', 'hosts']}
          />
        </>
      )}
    </>
  );
}
