// A host: how it is reached, what it runs, its networking and storage, its VMs.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Monitor, Plus } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { getHost, hostMetrics, listVms, managedVmNames } from '@/lib/hosts/queries';
import { Sparkline } from '@/components/charts/sparkline';
import { AutoRefresh } from '@/components/auto-refresh';
import { factsOf, hostSpecOf } from '@/lib/hosts/columns';
import { authorizedKeysLineFor, hostSshKey } from '@/lib/hosts/ssh-keys';
import { formatDateTime } from '@/lib/utils';
import { ConnectionPanel } from '@/components/hosts/connection-panel';
import { ImportButton } from '@/components/hosts/import-button';
import { RemoveHostButton } from '@/components/hosts/remove-host-button';
import { HostStatusBadge } from '@/components/hosts/host-status-badge';
import { ChangeStatusBadge } from '@/components/changes/status-badges';
import { openChangesOf } from '@/lib/deploy/queries';
import { hostDrift } from '@/lib/deploy/drift';
import { HostTabs } from './host-tabs';

export const metadata = { title: 'Host' };

export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const host = await getHost(id);
  if (!host) notFound();
  const spec = hostSpecOf(host);
  const { vms, total } = await listVms({ hostId: host.id });
  const managedNames = await managedVmNames(host.id);
  const canEdit = hasRole(user.role, 'operator');
  const facts = factsOf(host);
  const metrics = await hostMetrics(host.id);
  const key = await hostSshKey(host, { createDefault: canEdit && !host.hostKeyFingerprint });
  const [openChanges, drift] = await Promise.all([openChangesOf(host.id), hostDrift(host.id)]);
  const driftedVms = Object.keys(drift.vms);
  return (
    <>
      <AutoRefresh />
      <PageHeader
        title={host.name}
        description={spec.description || `${host.flavour === 'nixos' ? 'NixOS' : 'libvirt'} host at ${host.address}`}
      >
        {canEdit && (
          <Button asChild>
            <Link href={`/hosts/${host.id}/vms/new`}>
              <Plus /> Add VM
            </Link>
          </Button>
        )}
        {hasRole(user.role, 'admin') && <RemoveHostButton hostId={host.id} name={host.name} vmCount={total} />}
      </PageHeader>
      <HostTabs id={host.id} active="overview" canEdit={canEdit} />
      {(openChanges.length > 0 || driftedVms.length > 0) && (
        <div className="mb-4 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
          {openChanges.map((c) => (
            <span key={c.id} className="flex items-center gap-2" data-testid="host-open-change">
              <ChangeStatusBadge status={c.status} />
              <Link className="text-primary hover:underline" href={`/changes/${c.id}`}>
                {c.title}
              </Link>
            </span>
          ))}
          {driftedVms.length > 0 && (
            <Link href={`/hosts/${host.id}/history`} className="flex items-center gap-2 hover:underline" data-testid="host-drift-summary">
              <Badge variant="destructive">drift</Badge>
              {driftedVms.join(', ')} differ{driftedVms.length === 1 ? 's' : ''} from what was deployed
            </Link>
          )}
        </div>
      )}
      <div className="mb-6 grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Connection</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3 text-sm">
            <div className="flex flex-wrap items-center gap-3">
              <span className="font-mono text-xs">
                {host.sshUser}@{host.address}:{host.port}
              </span>
              <span>
                libvirt <code className="text-xs">{host.libvirtUri}</code>
              </span>
              <HostStatusBadge status={host.status} testId="host-status" />
              {host.lastSeenAt && <span className="text-xs text-muted-foreground">last seen {formatDateTime(host.lastSeenAt)}</span>}
            </div>
            <ConnectionPanel
              hostId={host.id}
              address={host.address}
              pinned={host.hostKeyFingerprint}
              status={host.status}
              statusReason={host.statusReason}
              authorizedKeysLine={key ? authorizedKeysLineFor(key) : null}
              canOperate={canEdit}
              canRepin={hasRole(user.role, 'admin')}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Facts</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-1 text-sm" data-testid="host-facts">
            {facts ? (
              <>
                <div>
                  {facts.nixosVersion ? `NixOS ${facts.nixosVersion}` : facts.os.prettyName} · kernel {facts.kernel}
                </div>
                <div>
                  {facts.cpu.count} × {facts.cpu.model}
                </div>
                <div>
                  KVM {facts.cpu.kvmDevice ? 'available' : 'not available (QEMU TCG)'} · {facts.memory.totalMiB} MiB memory
                </div>
                <div>
                  libvirt {facts.libvirtVersion ?? '?'} · QEMU {facts.qemuVersion ?? '?'}
                </div>
                <div>
                  Pools: {facts.pools.join(', ') || '—'} · networks: {facts.networks.join(', ') || '—'}
                </div>
                <div>
                  Bridges: {facts.bridges.join(', ') || '—'} · NICs: {facts.nics.join(', ') || '—'}
                </div>
                <div>Domains on the host: {facts.domains.join(', ') || 'none'}</div>
                <div className="text-xs text-muted-foreground">read {formatDateTime(host.factsAt)}</div>
              </>
            ) : (
              <span className="text-muted-foreground">No facts yet: connect to the host first.</span>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Networking</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-1 text-sm">
            <div>NICs: {spec.network.nics.join(', ') || '—'}</div>
            <div>Bonds: {spec.network.bonds.map((b) => `${b.name} (${b.mode}: ${b.interfaces.join('+')})`).join(', ') || '—'}</div>
            <div>Bridges: {spec.network.bridges.map((b) => (b.uplink ? `${b.name} over ${b.uplink.name}` : b.name)).join(', ') || '—'}</div>
            <div>libvirt networks: {spec.network.libvirtNetworks.join(', ') || '—'}</div>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Storage</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-1 text-sm">
            <div>Pools: {spec.storagePools.map((p) => `${p.name} (${p.path})`).join(', ') || '—'}</div>
            <div>Base images: {spec.baseImages.map((i) => i.name).join(', ') || '—'}</div>
          </CardContent>
        </Card>
      </div>
      {host.hostKeyFingerprint && (
        <Card className="mb-6">
          <CardHeader>
            <CardTitle>Load (last 2 hours)</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 md:grid-cols-2">
            <Sparkline
              label="CPU"
              unit="%"
              max={100}
              testId="host-cpu-chart"
              points={metrics.filter((m) => m.cpuPercent !== null).map((m) => ({ at: m.at, value: m.cpuPercent! }))}
            />
            <Sparkline
              label="Memory used"
              unit="MiB"
              max={metrics.at(-1)?.memTotalMiB ?? undefined}
              testId="host-memory-chart"
              points={metrics.filter((m) => m.memUsedMiB !== null).map((m) => ({ at: m.at, value: m.memUsedMiB! }))}
            />
          </CardContent>
        </Card>
      )}
      <h2 className="mb-3 text-lg font-semibold">Virtual machines ({total})</h2>
      {canEdit && facts && host.status === 'online' && (
        <div className="mb-4">
          <ImportButton hostId={host.id} candidates={facts.domains.filter((d) => !managedNames.has(d))} />
        </div>
      )}
      {total === 0 ? (
        <EmptyState icon={Monitor} title="No VMs on this host yet">
          Define a VM with its disks and network interfaces; its domain XML appears under Configuration for review.
        </EmptyState>
      ) : (
        <Table data-testid="host-vms">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>vCPUs</TableHead>
              <TableHead>Memory</TableHead>
              <TableHead>Desired</TableHead>
              <TableHead>Live</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {vms.map((vm) => (
              <TableRow key={vm.id}>
                <TableCell className="font-medium">
                  <Link className="hover:underline" href={`/vms/${vm.id}`}>
                    {vm.name}
                  </Link>{' '}
                  {vm.removed && <Badge variant="warning">to be removed</Badge>}
                </TableCell>
                <TableCell>{vm.vcpus}</TableCell>
                <TableCell>{vm.memoryMiB} MiB</TableCell>
                <TableCell>{vm.desiredPower}</TableCell>
                <TableCell>
                  <Badge variant="muted">{vm.liveState.replace(/_/g, ' ')}</Badge>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
