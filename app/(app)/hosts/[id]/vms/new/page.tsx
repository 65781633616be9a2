// Define a new VM on a host (operator or above).
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { VmForm } from '@/components/forms/vm-form';
import { requireUser } from '@/lib/auth/current-user';
import { getHost } from '@/lib/hosts/queries';
import { hostSpecOf } from '@/lib/hosts/columns';

export const metadata = { title: 'Add VM' };

export default async function NewVmPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser('operator');
  const { id } = await params;
  const host = await getHost(id);
  if (!host) notFound();
  return (
    <>
      <PageHeader
        title={`New VM on ${host.name}`}
        description="UUID and MAC addresses are assigned once when you save, and never change."
      />
      <VmForm hostId={host.id} host={hostSpecOf(host)} />
    </>
  );
}
