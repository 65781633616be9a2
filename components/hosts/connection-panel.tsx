'use client';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { confirmHostKeyAction, probeHostKeyAction, refreshFactsAction } from '@/lib/actions/onboarding';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

type Props = {
  hostId: string;
  address: string;
  pinned: string | null;
  status: string;
  statusReason: string | null;
  authorizedKeysLine: string | null;
  canOperate: boolean;
  canRepin: boolean;
};

export function ConnectionPanel({ hostId, address, pinned, status, statusReason, authorizedKeysLine, canOperate, canRepin }: Props) {
  const router = useRouter();
  const probe = useAction(probeHostKeyAction);
  const confirm = useAction(confirmHostKeyAction, { onSuccess: () => router.refresh() });
  const refresh = useAction(refreshFactsAction, { onSettled: () => router.refresh() });
  const offered = probe.result.data;
  const keyChanged = status === 'host_key_changed';
  const mayPin = canOperate && (!pinned || (keyChanged && canRepin));
  const error = probe.result.serverError ?? confirm.result.serverError ?? refresh.result.serverError;
  const factsError = confirm.result.data?.factsError;

  return (
    <div className="grid gap-3 text-sm" data-testid="connection-panel">
      {keyChanged && (
        <Alert variant="destructive" data-testid="key-changed">
          The host key changed. Hostdeck stopped talking to this host. {statusReason}
          {canRepin ? ' Check the host, then read and confirm the new key below.' : ' An admin must check the host and re-pin its key.'}
        </Alert>
      )}
      {status === 'unreachable' && statusReason && (
        <Alert variant="warning" data-testid="unreachable">
          Unreachable: {statusReason}
        </Alert>
      )}
      {pinned ? (
        <div>
          Pinned host key{' '}
          <code className="break-all text-xs" data-testid="pinned-fingerprint">
            {pinned}
          </code>
        </div>
      ) : (
        <p>Not connected yet. Hostdeck logs in with its own key and trusts the host only after you confirm its host key.</p>
      )}
      {!pinned && authorizedKeysLine && (
        <div className="grid gap-1">
          <span className="text-xs text-muted-foreground">
            1. Add this line to the SSH user&apos;s <code>~/.ssh/authorized_keys</code> on {address}:
          </span>
          <code className="block break-all rounded bg-muted p-2 text-xs" data-testid="authorized-keys-line">
            {authorizedKeysLine}
          </code>
        </div>
      )}
      {mayPin && (
        <div className="grid gap-2">
          {!offered ? (
            <Button variant="outline" className="justify-self-start" disabled={probe.isPending} onClick={() => probe.execute({ hostId })}>
              {probe.isPending ? 'Reading host key…' : pinned ? 'Read the new host key' : '2. Read the host key'}
            </Button>
          ) : (
            <div className="grid gap-2 rounded border p-3">
              <div>
                The host offers a <strong>{offered.keyType}</strong> key with fingerprint
                <code className="mt-1 block break-all text-xs" data-testid="offered-fingerprint">
                  {offered.fingerprint}
                </code>
              </div>
              <p className="text-xs text-muted-foreground">
                Compare it with what the host itself prints:{' '}
                <code>
                  ssh-keygen -lf /etc/ssh/ssh_host_{offered.keyType.replace(/^ssh-/, '').replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa')}_key.pub
                </code>
                . Confirm only if they are the same.
              </p>
              <div className="flex gap-2">
                <Button disabled={confirm.isPending} onClick={() => confirm.execute({ hostId, fingerprint: offered.fingerprint })}>
                  {confirm.isPending ? 'Connecting…' : 'The fingerprints match: trust and connect'}
                </Button>
                <Button variant="ghost" onClick={() => probe.reset()}>
                  Cancel
                </Button>
              </div>
            </div>
          )}
        </div>
      )}
      {pinned && !keyChanged && canOperate && (
        <Button variant="outline" className="justify-self-start" disabled={refresh.isPending} onClick={() => refresh.execute({ hostId })}>
          {refresh.isPending ? 'Reading facts…' : 'Refresh facts'}
        </Button>
      )}
      {error && (
        <Alert variant="destructive" data-testid="connection-error">
          {String(error)}
        </Alert>
      )}
      {factsError && (
        <Alert variant="warning" data-testid="connection-error">
          Key pinned, but reading facts failed: {factsError}
        </Alert>
      )}
    </div>
  );
}
