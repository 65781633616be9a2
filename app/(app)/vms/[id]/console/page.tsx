// A VM's console on a page of its own (the viewers' "Pop out"), with its power buttons.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { PowerButtons } from '@/components/hosts/power-buttons';
import { ConsolePanel } from '@/components/console/console-panel';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { getVm } from '@/lib/hosts/queries';
import type { VmSpec } from '@/lib/spec';

export const metadata = { title: 'Console' };

export default async function VmConsolePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ type?: string }>;
}) {
  const user = await requireUser();
  const { id } = await params;
  const { type } = await searchParams;
  const vm = await getVm(id);
  if (!vm) notFound();
  const spec = vm.spec as VmSpec;
  const kinds = (['vnc', 'spice', 'serial'] as const).filter((k) => (k === 'serial' ? spec.serialConsole : spec.graphics?.[k]));
  const initial = kinds.find((k) => k === type) ?? null;
  const canOperate = hasRole(user.role, 'operator');
  return (
    <>
      <PageHeader title={`${vm.name} — console`} description={`on ${vm.host.name}`}>
        <Link className="self-center text-sm text-primary hover:underline" href={`/vms/${vm.id}`}>
          Back to {vm.name}
        </Link>
        <PowerButtons vmId={vm.id} vmName={vm.name} liveState={vm.liveState} canOperate={canOperate} />
      </PageHeader>
      <ConsolePanel
        vmId={vm.id}
        vmName={vm.name}
        kinds={kinds}
        canOpen={canOperate}
        running={vm.liveState === 'running'}
        initial={initial}
        popOut={false}
      />
    </>
  );
}
