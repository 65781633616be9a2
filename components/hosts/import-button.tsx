'use client';
// Adopt the host's existing domains as Hostdeck VMs, and show what was imported,
// what the spec cannot express for each VM, and what was skipped.
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { importDomainsAction } from '@/lib/actions/onboarding';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

export function ImportButton({ hostId, candidates }: { hostId: string; candidates: string[] }) {
  const router = useRouter();
  const action = useAction(importDomainsAction, { onSuccess: () => router.refresh() });
  const report = action.result.data;
  return (
    <div className="grid gap-2 text-sm" data-testid="import-panel">
      {candidates.length > 0 && !report && (
        <Button className="justify-self-start" disabled={action.isPending} onClick={() => action.execute({ hostId })}>
          {action.isPending
            ? 'Importing…'
            : `Import ${candidates.length} existing VM${candidates.length === 1 ? '' : 's'} (${candidates.join(', ')})`}
        </Button>
      )}
      {action.result.serverError && <Alert variant="destructive">{String(action.result.serverError)}</Alert>}
      {report && (
        <Alert variant={report.skipped.length ? 'warning' : 'success'} data-testid="import-report">
          <p className="font-medium">
            Imported {report.imported.length} VM{report.imported.length === 1 ? '' : 's'}
            {report.skipped.length ? `, skipped ${report.skipped.length}` : ''}.
          </p>
          {report.imported.map((vm) => (
            <div key={vm.id} className="mt-2">
              <strong>{vm.name}</strong>:{' '}
              {vm.differences.length === 0
                ? 'the first plan shows no change.'
                : `the first deployment would change ${vm.differences.join(', ')}:`}
              {vm.unsupported.length > 0 && (
                <ul className="list-disc pl-5 text-xs">
                  {vm.unsupported.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
              )}
            </div>
          ))}
          {report.skipped.map((s) => (
            <div key={s.name} className="mt-1 text-xs">
              Skipped {s.name}: {s.reason}
            </div>
          ))}
          {report.unresolved.length > 0 && <div className="mt-1 text-xs">Add to the host spec by hand: {report.unresolved.join('; ')}</div>}
        </Alert>
      )}
    </div>
  );
}
