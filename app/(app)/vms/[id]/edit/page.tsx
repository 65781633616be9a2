// Edit a VM's spec (operator or above); its UUID and MACs stay as they are.
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { VmForm } from '@/components/forms/vm-form';
import { requireUser } from '@/lib/auth/current-user';
import { getVm } from '@/lib/hosts/queries';
import { hostSpecOf, vmSpecOf } from '@/lib/hosts/columns';

export const metadata = { title: 'Edit VM' };

export default async function EditVmPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser('operator');
  const { id } = await params;
  const vm = await getVm(id, { revealSecrets: true }); // operators edit the real user-data
  if (!vm) notFound();
  return (
    <>
      <PageHeader title={`Edit ${vm.name}`} description={`on ${vm.host.name}`} />
      <VmForm hostId={vm.host.id} host={hostSpecOf(vm.host)} vmId={vm.id} initial={vmSpecOf(vm)} />
    </>
  );
}
