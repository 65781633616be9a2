// Add a host (operator or above).
import { PageHeader } from '@/components/page-header';
import { HostForm } from '@/components/forms/host-form';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Add host' };

export default async function NewHostPage() {
  await requireUser('operator');
  return (
    <>
      <PageHeader title="Add host" description="Describe the host; Hostdeck validates it and renders its configuration for review." />
      <HostForm />
    </>
  );
}
