// Virtual machines on all hosts.
import { Monitor } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { getDb } from '@/lib/db';

export const metadata = { title: 'Virtual machines' };

export default async function VmsPage() {
  const count = await getDb().vm.count();
  return (
    <>
      <PageHeader title="Virtual machines" description="Every VM on every host, with its desired and live state." />
      {count === 0 && (
        <EmptyState icon={Monitor} title="No virtual machines yet">
          Add a host first; then import the VMs it already runs, or define new ones. Each VM becomes a libvirt domain XML you review before it is deployed.
        </EmptyState>
      )}
    </>
  );
}
