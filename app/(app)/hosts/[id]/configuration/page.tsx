// A host's configuration for review: the plan at the top (components/changes/plan-card:
// added, changed — and whether it needs a restart — removed, what a deploy removes,
// drifted), then every rendered file,
// highlighted, with a side-by-side diff against the deployed revision.
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { IssueList } from '@/components/forms/spec-form-kit';
import { FileDiff } from '@/components/config/file-diff';
import { PlanCard } from '@/components/changes/plan-card';
import { highlight } from '@/components/config/highlight';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { hasRole } from '@/lib/auth/roles';
import { hostConfiguration } from '@/lib/hosts/configuration';
import { canReadSecrets } from '@/lib/security/redact';
import { getHost } from '@/lib/hosts/queries';
import { formatDateTime } from '@/lib/utils';
import { HostTabs } from '../host-tabs';

export const metadata = { title: 'Configuration' };

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
  const highlighted = await Promise.all(files.map(async (f) => (f.desired === null ? null : highlight(f.desired, f.path))));
  return (
    <>
      <PageHeader
        title={`${host.name}: configuration`}
        description={`Revision ${config.hash.slice(0, 12)} · deployed ${config.deployedHash ? `${config.deployedHash.slice(0, 12)} ${config.deployedKind === 'import' ? '(as found at import) ' : ''}at ${formatDateTime(config.deployedAt)}` : 'never'}`}
      />
      <HostTabs id={host.id} active="configuration" canEdit={canEdit} />
      <PlanCard
        plan={plan}
        liveCheckedAt={null}
        nothingText="Nothing to deploy: the rendered configuration equals the deployed revision."
      />
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
