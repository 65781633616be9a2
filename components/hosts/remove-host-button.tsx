'use client';
// Remove a host from the inventory (admins), after a confirmation step that says
// what happens: Hostdeck forgets the host and its VMs; nothing is sent to the
// host, so its VMs keep running there.
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { Trash2 } from 'lucide-react';
import { removeHostAction } from '@/lib/actions/inventory';
import { Button } from '@/components/ui/button';

export function RemoveHostButton({ hostId, name, vmCount }: { hostId: string; name: string; vmCount: number }) {
  const router = useRouter();
  const [confirming, setConfirming] = React.useState(false);
  const remove = useAction(removeHostAction, { onSuccess: () => router.push('/hosts') });
  if (!confirming)
    return (
      <Button variant="outline" onClick={() => setConfirming(true)}>
        <Trash2 /> Remove host
      </Button>
    );
  const vms = `${vmCount} VM${vmCount === 1 ? '' : 's'}`;
  return (
    <div role="alertdialog" aria-label={`Remove ${name}`} className="grid max-w-sm gap-2 rounded-md border bg-card p-3 text-sm shadow-sm">
      <p>
        Remove <strong>{name}</strong> from Hostdeck? Hostdeck forgets the host, its {vms}, revisions and deployments. Nothing is sent to
        the host: its VMs keep running there.
      </p>
      {remove.result.serverError && <p className="text-destructive">{String(remove.result.serverError)}</p>}
      <div className="flex gap-2">
        <Button variant="destructive" disabled={remove.isPending} onClick={() => remove.execute({ hostId })}>
          {remove.isPending ? 'Removing…' : `Remove ${name}`}
        </Button>
        <Button variant="ghost" disabled={remove.isPending} onClick={() => setConfirming(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
