// Hosts: the KVM hosts Hostdeck manages, searchable and paged.
import Link from 'next/link';
import { Plus, Server } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Pager } from '@/components/pager';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { listHosts } from '@/lib/hosts/queries';

export const metadata = { title: 'Hosts' };

const statusVariant = { new: 'muted', online: 'success', unreachable: 'destructive', host_key_changed: 'destructive' } as const;

export default async function HostsPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  const user = await requireUser();
  const { q, page } = await searchParams;
  const query = typeof q === 'string' ? q.slice(0, 100) : '';
  const result = await listHosts({ q: query || undefined, page: Number(page) || 1 });
  const canEdit = hasRole(user.role, 'operator');
  return (
    <>
      <PageHeader title="Hosts" description="KVM hosts reached over SSH: NixOS or any Linux with libvirt.">
        {canEdit && (
          <Button asChild>
            <Link href="/hosts/new"><Plus /> Add host</Link>
          </Button>
        )}
      </PageHeader>
      {result.total === 0 && !query ? (
        <EmptyState icon={Server} title="No hosts yet">
          Add a host by its address and SSH user. Hostdeck shows you its public key for the host&apos;s <code>authorized_keys</code> and asks you to confirm the host key fingerprint on first contact.
        </EmptyState>
      ) : (
        <>
          <form method="get" className="mb-4 flex gap-2">
            <Input name="q" defaultValue={query} placeholder="Search by name or address" className="max-w-xs" aria-label="Search hosts" />
            <Button type="submit" variant="outline">Search</Button>
          </form>
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
                  <TableCell className="font-medium"><Link className="hover:underline" href={`/hosts/${h.id}`}>{h.name}</Link></TableCell>
                  <TableCell className="font-mono text-xs">{h.sshUser}@{h.address}:{h.port}</TableCell>
                  <TableCell>{h.flavour === 'nixos' ? 'NixOS' : 'libvirt'}</TableCell>
                  <TableCell><Badge variant={statusVariant[h.status]}>{h.status.replace(/_/g, ' ')}</Badge></TableCell>
                  <TableCell className="text-right">{h._count.vms}</TableCell>
                </TableRow>
              ))}
              {result.hosts.length === 0 && (
                <TableRow><TableCell colSpan={5} className="py-8 text-center text-muted-foreground">No host matches “{query}”.</TableCell></TableRow>
              )}
            </TableBody>
          </Table>
          <Pager path="/hosts" params={query ? { q: query } : {}} page={result.page} pageSize={result.pageSize} total={result.total} noun={['host', 'hosts']} />
        </>
      )}
    </>
  );
}
