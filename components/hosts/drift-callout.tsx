// The host's drift as the last check found it: which VMs' live definitions
// differ from what Hostdeck deployed, with the differing lines, and the ways
// back — re-apply the deployed revision (a change, reviewed), or adopt what
// runs as the desired state.
import { AlertTriangle } from 'lucide-react';
import { AdoptLiveButton } from '@/components/hosts/adopt-live-button';
import { RollbackButton } from '@/components/hosts/rollback-button';
import { Alert } from '@/components/ui/alert';
import type { HostDrift } from '@/lib/deploy/drift';
import { formatDateTime } from '@/lib/utils';

export function DriftCallout({
  hostId,
  drift,
  current,
  canOperate,
  canMarkUrgent,
}: {
  hostId: string;
  drift: HostDrift;
  /** The deployed revision (what a re-apply deploys again), when there is one. */
  current: { revisionId: string; hash: string; rollbackable: boolean } | null;
  canOperate: boolean;
  canMarkUrgent: boolean;
}) {
  const vms = Object.entries(drift.vms);
  if (vms.length === 0) return null;
  return (
    <Alert variant="warning" className="mb-6 grid gap-3" data-testid="host-drift">
      <p className="font-medium">
        <AlertTriangle className="mr-2 inline size-4" />
        {vms.length === 1 ? '1 VM on this host differs' : `${vms.length} VMs on this host differ`} from what Hostdeck deployed (checked{' '}
        {formatDateTime(drift.checkedAt)}): changed outside Hostdeck.
      </p>
      <ul className="grid gap-2">
        {vms.map(([name, vm]) => (
          <li key={name} data-drift-vm={name}>
            <span className="font-medium">{name}</span>
            {vm.drift.length > 0 && <span className="text-muted-foreground">: {vm.drift.join(', ')}</span>}
            {vm.lines.length > 0 && (
              <pre className="mt-1 max-h-48 overflow-auto rounded border bg-card p-2 font-mono text-xs whitespace-pre-wrap">
                {vm.lines.join('\n')}
              </pre>
            )}
          </li>
        ))}
      </ul>
      {canOperate && (
        <div className="flex flex-wrap items-start gap-2">
          {current && (
            <RollbackButton
              hostId={hostId}
              revisionId={current.revisionId}
              hash={current.hash}
              kind="reapply"
              canMarkUrgent={canMarkUrgent}
              testId="host-reapply"
              disabledReason={
                current.rollbackable
                  ? undefined
                  : 'The deployed revision is the host as found at import: there is nothing Hostdeck deployed to re-apply'
              }
            />
          )}
          <AdoptLiveButton hostId={hostId} />
        </div>
      )}
    </Alert>
  );
}
