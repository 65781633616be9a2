// Changes: generated configuration waiting for review, approved or deployed.
import { FileDiff } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { countChanges } from '@/lib/deploy/queries';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Changes' };

export default async function ChangesPage() {
  await requireUser();
  const count = await countChanges();
  return (
    <>
      <PageHeader
        title="Changes"
        description="Every edit becomes a change: the generated Nix module and domain XML as a diff, approved by a second person before it reaches a host."
      />
      {count === 0 && (
        <EmptyState icon={FileDiff} title="No changes yet">
          When you define or edit VMs, Hostdeck renders the host's configuration and proposes it here as a diff against what is deployed.
        </EmptyState>
      )}
    </>
  );
}
