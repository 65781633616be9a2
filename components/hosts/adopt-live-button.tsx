'use client';
// Adopt what runs on the host: the drifted VMs' live definitions become their
// desired state, and the host's open change (opened here) shows the approver
// what that means. Nothing is sent to the host.
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { Download } from 'lucide-react';
import { adoptLiveAction } from '@/lib/actions/changes';
import { Button } from '@/components/ui/button';

export function AdoptLiveButton({ hostId }: { hostId: string }) {
  const router = useRouter();
  const adopt = useAction(adoptLiveAction, {
    onSuccess: ({ data }) => {
      if (data?.id) router.push(`/changes/${data.id}`);
      else router.refresh();
    },
  });
  return (
    <span className="flex flex-wrap items-center gap-2">
      <Button
        variant="outline"
        size="sm"
        data-testid="host-adopt-live"
        title="Make the live definitions of the drifted VMs their desired state, as a change to review"
        disabled={adopt.isPending || adopt.hasSucceeded}
        onClick={() => {
          if (
            window.confirm(
              'Adopt the live definitions of the drifted VMs as their desired state? This updates the VMs in Hostdeck and opens a change to review.',
            )
          )
            adopt.execute({ hostId });
        }}
      >
        <Download /> {adopt.isPending ? 'Reading the host…' : 'Adopt live'}
      </Button>
      {adopt.result.serverError && (
        <span className="text-sm text-destructive" role="alert" data-testid="adopt-live-error">
          {String(adopt.result.serverError)}
        </span>
      )}
      {adopt.hasSucceeded && !adopt.result.data?.id && <span className="text-sm">Adopted: nothing is left to deploy.</span>}
    </span>
  );
}
