// Edit a host's spec (operator or above).
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { HostForm } from '@/components/forms/host-form';
import { requireUser } from '@/lib/auth/current-user';
import { getHost } from '@/lib/hosts/queries';
import { hostSpecOf } from '@/lib/hosts/columns';
import { HostTabs } from '../host-tabs';

export const metadata = { title: 'Edit host' };

export default async function EditHostPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser('operator');
  const { id } = await params;
  const host = await getHost(id);
  if (!host) notFound();
  return (
    <>
      <PageHeader title={`Edit ${host.name}`} />
      <HostTabs id={host.id} active="edit" canEdit />
      <HostForm hostId={host.id} initial={hostSpecOf(host)} />
    </>
  );
}
