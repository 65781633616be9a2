// Dashboard: hosts by status, VMs by state, and what to do first on a new installation.
import Link from 'next/link';
import { Server } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { getDb } from '@/lib/db';

export const metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const db = getDb();
  const [hosts, vms, pendingChanges] = await Promise.all([
    db.host.groupBy({ by: ['status'], _count: true }),
    db.vm.groupBy({ by: ['liveState'], _count: true }),
    db.change.count({ where: { status: 'proposed' } }),
  ]);
  const hostTotal = hosts.reduce((n, h) => n + h._count, 0);
  const vmTotal = vms.reduce((n, v) => n + v._count, 0);
  return (
    <>
      <PageHeader title="Dashboard" description="Your hosts and virtual machines at a glance." />
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        <Stat title="Hosts" value={hostTotal} detail={hosts.map((h) => `${h._count} ${h.status.replace(/_/g, ' ')}`).join(' · ') || 'none yet'} />
        <Stat title="Virtual machines" value={vmTotal} detail={vms.map((v) => `${v._count} ${v.liveState.replace(/_/g, ' ')}`).join(' · ') || 'none yet'} />
        <Stat title="Changes awaiting review" value={pendingChanges} detail={pendingChanges ? 'open Changes to review them' : 'nothing to review'} />
      </div>
      {hostTotal === 0 && (
        <EmptyState icon={Server} title="Add your first host">
          <p>Hostdeck manages KVM hosts over SSH: NixOS hosts get a generated Nix module, other Linux hosts with libvirt get domain XML.</p>
          <ol className="mt-3 list-decimal space-y-1 pl-5 text-left">
            <li>Add a host under <Link className="text-primary underline" href="/hosts">Hosts</Link> and put Hostdeck's public key in its <code>authorized_keys</code>.</li>
            <li>Confirm its SSH host key fingerprint.</li>
            <li>Import its existing VMs or define new ones, then review the generated configuration as a change.</li>
          </ol>
        </EmptyState>
      )}
    </>
  );
}

function Stat({ title, value, detail }: { title: string; value: number; detail: string }) {
  return (
    <Card>
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

