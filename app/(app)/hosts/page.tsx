// Hosts: the KVM hosts Hostdeck manages.
import { Server } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { getDb } from '@/lib/db';

export const metadata = { title: 'Hosts' };

export default async function HostsPage() {
  const count = await getDb().host.count();
  return (
    <>
      <PageHeader title="Hosts" description="KVM hosts reached over SSH: NixOS or any Linux with libvirt." />
      {count === 0 && (
        <EmptyState icon={Server} title="No hosts yet">
          Add a host by its address and SSH user. Hostdeck shows you its public key for the host's <code>authorized_keys</code> and asks you to confirm the host key fingerprint on first contact.
        </EmptyState>
      )}
    </>
  );
}
