// A host's configuration for review: the plan at the top (what is added, changed
// — and whether it needs a restart — removed, drifted), then every rendered file,
// highlighted, with a side-by-side diff against the deployed revision.
import { notFound } from 'next/navigation';
import { AlertTriangle } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { IssueList } from '@/components/forms/spec-form-kit';
import { FileDiff } from '@/components/config/file-diff';
import { highlight } from '@/components/config/highlight';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { hostConfiguration } from '@/lib/hosts/configuration';
import { canReadSecrets } from '@/lib/security/redact';
import { getHost } from '@/lib/hosts/queries';
import { formatDateTime } from '@/lib/utils';
import { HostTabs } from '../host-tabs';

export const metadata = { title: 'Configuration' };

const actionVariant = { added: 'success', changed: 'warning', removed: 'destructive', unchanged: 'muted', unmanaged: 'muted' } as const;
const fileVariant = { added: 'success', changed: 'warning', removed: 'destructive', unchanged: 'muted' } as const;

export default async function ConfigurationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const host = await getHost(id);
  if (!host) notFound();
  const config = await hostConfiguration(host.id, { revealSecrets: canReadSecrets(user.role) });
  if (!config) notFound();
  const canEdit = hasRole(user.role, 'operator');
  if (!config.ok) {
    return (
      <>
        <PageHeader title={`${host.name}: configuration`} />
        <HostTabs id={host.id} active="configuration" canEdit={canEdit} />
        <IssueList issues={config.issues} title="The stored desired state does not validate; fix it before it can be rendered:" />
      </>
    );
  }
  const { plan, files } = config;
  const s = plan.summary;
  const highlighted = await Promise.all(files.map(async (f) => (f.desired === null ? null : highlight(f.desired, f.path))));
  return (
    <>
      <PageHeader
        title={`${host.name}: configuration`}
        description={`Revision ${config.hash.slice(0, 12)} · deployed ${config.deployedHash ? `${config.deployedHash.slice(0, 12)} ${config.deployedKind === 'import' ? '(as found at import) ' : ''}at ${formatDateTime(config.deployedAt)}` : 'never'}`}
      />
      <HostTabs id={host.id} active="configuration" canEdit={canEdit} />
      <Card className="mb-6" data-testid="plan-summary">
        <CardHeader>
          <CardTitle>Plan</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <div className="flex flex-wrap gap-2 text-sm">
            <Badge variant="success">{s.added} added</Badge>
            <Badge variant="warning">{s.changed} changed</Badge>
            <Badge variant="destructive">{s.removed} removed</Badge>
            <Badge variant="muted">{s.unchanged} unchanged</Badge>
            {s.drifted > 0 && <Badge variant="destructive">{s.drifted} drifted</Badge>}
            {plan.hostModule !== 'none' && <Badge variant="muted">Nix module: {plan.hostModule}</Badge>}
          </div>
          {!plan.changed && (
            <p className="text-sm text-muted-foreground">Nothing to deploy: the rendered configuration equals the deployed revision.</p>
          )}
          {s.restartNeeded > 0 && (
            <Alert variant="warning" data-testid="restart-warning">
              <AlertTriangle className="mr-2 inline size-4" />
              {s.restartNeeded} VM{s.restartNeeded === 1 ? ' needs' : 's need'} a restart for the change to take effect. Hostdeck defines
              the new configuration but does not restart running VMs by itself.
            </Alert>
          )}
          {plan.vms.length > 0 && (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>VM</TableHead>
                  <TableHead>Action</TableHead>
                  <TableHead>What changes</TableHead>
                  <TableHead>Restart</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {plan.vms.map((vm) => (
                  <TableRow key={vm.name} data-plan-vm={vm.name}>
                    <TableCell className="font-medium">{vm.name}</TableCell>
                    <TableCell>
                      <Badge variant={actionVariant[vm.action]}>{vm.action}</Badge>
                    </TableCell>
                    <TableCell className="text-xs">
                      {vm.changes.join(', ') || '—'}
                      {vm.removal && (
                        <div>{vm.removal.deleteDisks ? `disks deleted: ${vm.removal.disks.join(', ') || 'none'}` : 'disks kept'}</div>
                      )}
                      {vm.drifted && <div className="text-destructive">drifted on host: {vm.drift.join(', ')}</div>}
                    </TableCell>
                    <TableCell>{vm.restartNeeded ? <Badge variant="warning">needed</Badge> : '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <h2 className="mb-3 text-lg font-semibold">Files ({files.length})</h2>
      <div className="grid gap-4">
        {files.map((file, index) => (
          <Card key={file.path} data-file={file.path} className="min-w-0 overflow-hidden">
            <CardHeader className="flex-row items-center justify-between">
              <CardTitle className="font-mono text-sm">{file.path}</CardTitle>
              <Badge variant={fileVariant[file.status]}>{file.status}</Badge>
            </CardHeader>
            <CardContent className="grid gap-3">
              {file.status !== 'unchanged' && (
                <details open={file.status === 'changed'}>
                  <summary className="cursor-pointer text-sm font-medium">Diff against the deployed revision</summary>
                  <div className="mt-2 rounded border">
                    <FileDiff path={file.path} deployed={file.deployed ?? ''} desired={file.desired ?? ''} />
                  </div>
                </details>
              )}
              {highlighted[index] && (
                <details open={file.status === 'added'}>
                  <summary className="cursor-pointer text-sm font-medium">Rendered file</summary>
                  <div
                    className="mt-2 max-h-[32rem] overflow-auto rounded border text-xs [&_pre]:p-3"
                    // biome-ignore lint/security/noDangerouslySetInnerHtml: shiki's HTML, rendered on the server from escaped file text
                    dangerouslySetInnerHTML={{ __html: highlighted[index] }}
                  />
                </details>
              )}
            </CardContent>
          </Card>
        ))}
      </div>
    </>
  );
}
