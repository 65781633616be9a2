// A VM: its spec (identity, resources, disks, interfaces, consoles) and state.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Pencil } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { PowerButtons } from '@/components/hosts/power-buttons';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { UnmanagedXmlCard } from '@/components/config/unmanaged-xml';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { getVm, vmMetrics } from '@/lib/hosts/queries';
import { Sparkline } from '@/components/charts/sparkline';
import { AutoRefresh } from '@/components/auto-refresh';
import { ConsolePanel } from '@/components/console/console-panel';
import { formatDateTime } from '@/lib/utils';
import { hostDrift } from '@/lib/deploy/drift';
import type { VmSpec } from '@/lib/spec';

export const metadata = { title: 'Virtual machine' };

export default async function VmPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const vm = await getVm(id);
  if (!vm) notFound();
  const spec = vm.spec as VmSpec;
  const metrics = await vmMetrics(vm.id);
  const hostDriftState = await hostDrift(vm.host.id);
  const drift = hostDriftState.vms[vm.name];
  return (
    <>
      <AutoRefresh />
      <PageHeader title={vm.name} description={spec.description || `on ${vm.host.name}`}>
        <PowerButtons vmId={vm.id} vmName={vm.name} liveState={vm.liveState} canOperate={hasRole(user.role, 'operator')} />
        {hasRole(user.role, 'operator') && (
          <Button asChild variant="outline">
            <Link href={`/vms/${vm.id}/edit`}>
              <Pencil /> Edit
            </Link>
          </Button>
        )}
      </PageHeader>
      {drift && (
        <div className="mb-4 rounded-md border border-warning/50 bg-warning/10 px-4 py-3 text-sm" data-testid="vm-drift">
          <Badge variant="destructive">drift</Badge> The definition on the host differs from what Hostdeck deployed
          {drift.drift.length > 0 ? ` (${drift.drift.join(', ')})` : ''}, checked {formatDateTime(hostDriftState.checkedAt)}.{' '}
          <Link className="text-primary hover:underline" href={`/hosts/${vm.host.id}/history`}>
            Re-apply from the host's history
          </Link>
          {drift.lines.length > 0 && (
            <pre className="mt-2 max-h-40 overflow-auto whitespace-pre-wrap rounded border bg-card p-2 font-mono text-xs">
              {drift.lines.join('\n')}
            </pre>
          )}
        </div>
      )}
      {spec.remove && (
        <p className="mb-4 text-sm text-destructive">
          Marked for removal at the next deployment ({spec.deleteDisks ? 'its disks will be deleted' : 'its disks are kept'}).
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Identity and resources</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-1 text-sm">
            <div>
              Host{' '}
              <Link className="text-primary hover:underline" href={`/hosts/${vm.host.id}`}>
                {vm.host.name}
              </Link>
            </div>
            <div>
              UUID <code className="text-xs">{spec.uuid}</code>
            </div>
            <div>
              {spec.vcpus} vCPUs · {spec.memoryMiB} MiB · {spec.machine} · {spec.firmware.toUpperCase()}
            </div>
            <div>
              Desired {spec.powerState}
              {spec.autostart ? ', starts with the host' : ''} · live{' '}
              <Badge variant="muted" data-testid="vm-live-state">
                {vm.liveState.replace(/_/g, ' ')}
              </Badge>
              {vm.liveAt && <span className="text-xs text-muted-foreground"> as of {formatDateTime(vm.liveAt)}</span>}
            </div>
            <div>
              Consoles:{' '}
              {[spec.graphics.vnc && 'VNC', spec.graphics.spice && 'SPICE', spec.serialConsole && 'serial'].filter(Boolean).join(', ') ||
                'none'}
            </div>
            {spec.tags.length > 0 && (
              <div className="flex flex-wrap gap-1">
                {spec.tags.map((t) => (
                  <Badge key={t} variant="muted">
                    {t}
                  </Badge>
                ))}
              </div>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Disks and network</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-1 text-sm">
            {spec.disks.map((d) => (
              <div key={d.source.type === 'volume' ? `${d.source.pool}/${d.source.volume}` : d.source.path} className="font-mono text-xs">
                {d.source.type === 'volume' ? `${d.source.pool}/${d.source.volume}` : d.source.path} · {d.sizeGiB} GiB {d.format} · {d.bus}
                {d.baseImage ? ` · from ${d.baseImage}` : ''}
              </div>
            ))}
            {spec.disks.length === 0 && <div className="text-muted-foreground">No disks (diskless).</div>}
            {spec.interfaces.map((n) => (
              <div key={n.mac} className="font-mono text-xs">
                {n.mac} · {n.type} {n.type === 'bridge' ? n.bridge : n.type === 'direct' ? n.dev : n.network}
              </div>
            ))}
            {spec.interfaces.length === 0 && <div className="text-muted-foreground">No network interfaces.</div>}
          </CardContent>
        </Card>
        <UnmanagedXmlCard spec={spec} />
        <Card className="lg:col-span-2" data-testid="vm-console">
          <CardHeader>
            <CardTitle>Console</CardTitle>
          </CardHeader>
          <CardContent>
            <ConsolePanel
              vmId={vm.id}
              vmName={vm.name}
              canOpen={hasRole(user.role, 'operator')}
              running={vm.liveState === 'running'}
              kinds={(['vnc', 'spice', 'serial'] as const).filter((k) => (k === 'serial' ? spec.serialConsole : spec.graphics[k]))}
            />
          </CardContent>
        </Card>
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Load (last 2 hours)</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 md:grid-cols-2">
            <Sparkline
              label="CPU"
              unit="%"
              max={100}
              testId="vm-cpu-chart"
              points={metrics.filter((m) => m.cpuPercent !== null).map((m) => ({ at: m.at, value: m.cpuPercent! }))}
            />
            <Sparkline
              label="Memory used"
              unit="MiB"
              max={spec.memoryMiB}
              testId="vm-memory-chart"
              points={metrics.filter((m) => m.memUsedMiB !== null).map((m) => ({ at: m.at, value: m.memUsedMiB! }))}
            />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
