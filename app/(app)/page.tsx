// Dashboard: hosts by status, VMs by state, capacity, hosts needing attention,
// and what to do first on a new installation.
import Link from 'next/link';
import { Server } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { dashboardSummary } from '@/lib/hosts/dashboard';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Dashboard' };

const label = (s: string) => s.replace(/_/g, ' ');

export default async function DashboardPage() {
  await requireUser();
  const d = await dashboardSummary();
  const hostTotal = d.hostsByStatus.reduce((n, h) => n + h.count, 0);
  const vmTotal = d.vmsByState.reduce((n, v) => n + v.count, 0);
  return (
    <>
      <PageHeader title="Dashboard" description="Your hosts and virtual machines at a glance." />
      <div className="mb-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat
          title="Hosts"
          value={hostTotal}
          detail={d.hostsByStatus.map((h) => `${h.count} ${label(h.status)}`).join(' · ') || 'none yet'}
          testId="stat-hosts"
        />
        <Stat
          title="Virtual machines"
          value={vmTotal}
          detail={d.vmsByState.map((v) => `${v.count} ${label(v.state)}`).join(' · ') || 'none yet'}
          testId="stat-vms"
        />
        <Stat
          title="vCPUs allocated"
          value={d.allocated.vcpus}
          detail={
            d.capacity.cpus
              ? `of ${d.capacity.cpus} host CPUs (${Math.round((100 * d.allocated.vcpus) / d.capacity.cpus)} %)`
              : 'host CPUs unknown until hosts are connected'
          }
          testId="stat-cpu"
        />
        <Stat
          title="Memory allocated"
          value={`${(d.allocated.memoryMiB / 1024).toFixed(1)} GiB`}
          detail={
            d.capacity.memoryMiB
              ? `of ${(d.capacity.memoryMiB / 1024).toFixed(1)} GiB (${Math.round((100 * d.allocated.memoryMiB) / d.capacity.memoryMiB)} %)`
              : 'host memory unknown until hosts are connected'
          }
          testId="stat-memory"
        />
      </div>
      {d.attention.length > 0 && (
        <Card className="mb-6" data-testid="attention">
          <CardHeader>
            <CardTitle>Needs attention</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-2 text-sm">
            {d.attention.map((h) => (
              <div key={h.id} className="flex flex-wrap items-center gap-2">
                <Link className="font-medium hover:underline" href={`/hosts/${h.id}`}>
                  {h.name}
                </Link>
                {h.status !== 'online' && h.status !== 'new' && <Badge variant="destructive">{label(h.status)}</Badge>}
                {h.pendingChanges > 0 && <Badge variant="warning">{h.pendingChanges} change(s) to review</Badge>}
                {h.driftedVms.length > 0 && (
                  <Link href={`/hosts/${h.id}/history`} title={`Drifted: ${h.driftedVms.join(', ')}`} data-testid="attention-drift">
                    <Badge variant="destructive">
                      drift: {h.driftedVms.length} VM{h.driftedVms.length === 1 ? '' : 's'}
                    </Badge>
                  </Link>
                )}
                {h.reason && <span className="truncate text-xs text-muted-foreground">{h.reason}</span>}
              </div>
            ))}
          </CardContent>
        </Card>
      )}
      {hostTotal === 0 && (
        <EmptyState icon={Server} title="Add your first host">
          <p>Hostdeck manages KVM hosts over SSH: NixOS hosts get a generated Nix module, other Linux hosts with libvirt get domain XML.</p>
          <ol className="mt-3 list-decimal space-y-1 pl-5 text-left">
            <li>
              Add a host under{' '}
              <Link className="text-primary underline" href="/hosts">
                Hosts
              </Link>{' '}
              and put Hostdeck&apos;s public key in its <code>authorized_keys</code>.
            </li>
            <li>Confirm its SSH host key fingerprint.</li>
            <li>Import its existing VMs or define new ones, then review the generated configuration as a change.</li>
          </ol>
        </EmptyState>
      )}
    </>
  );
}

function Stat({ title, value, detail, testId }: { title: string; value: number | string; detail: string; testId: string }) {
  return (
    <Card data-testid={testId}>
      <CardHeader className="pb-1">
        <CardTitle className="text-sm font-medium text-muted-foreground">{title}</CardTitle>
      </CardHeader>
      <CardContent>
        <div className="text-3xl font-semibold">{value}</div>
        <div className="mt-1 text-xs text-muted-foreground">{detail}</div>
      </CardContent>
    </Card>
  );
}
