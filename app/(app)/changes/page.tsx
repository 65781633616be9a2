// Changes: generated configuration waiting for review, approved or deployed,
// most recently updated first; filtered by status and host (query string), paged.
import Link from 'next/link';
import { FileDiff } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { EmptyState } from '@/components/empty-state';
import { Pager } from '@/components/pager';
import { ChangeKindBadges, ChangeStatusBadge } from '@/components/changes/status-badges';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/select';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { changeHostChoices, listChanges } from '@/lib/deploy/queries';
import { CHANGE_STATUSES, type ChangeStatus } from '@/lib/changes/rules';
import { looksLikeUuid } from '@/lib/spec/primitives';
import { formatDateTime } from '@/lib/utils';
import { requireUser } from '@/lib/auth/current-user';

export const metadata = { title: 'Changes' };

const PAGE_SIZE = 50;

export default async function ChangesPage({ searchParams }: { searchParams: Promise<{ status?: string; host?: string; page?: string }> }) {
  await requireUser();
  const query = await searchParams;
  const status = CHANGE_STATUSES.find((s) => s === query.status) as ChangeStatus | undefined;
  const hostId = typeof query.host === 'string' && looksLikeUuid(query.host) ? query.host : undefined;
  const page = Math.max(1, Math.floor(Number(query.page)) || 1);
  const [result, hosts] = await Promise.all([listChanges({ status, hostId, page, pageSize: PAGE_SIZE }), changeHostChoices()]);
  const filters: Record<string, string> = { ...(status ? { status } : {}), ...(hostId ? { host: hostId } : {}) };
  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <PageHeader
        title="Changes"
        description="Every edit becomes a change: the generated Nix module and domain XML as a diff, approved by a second person before it reaches a host."
      />
      {result.total === 0 && !filtered ? (
        <EmptyState icon={FileDiff} title="No changes yet">
          When you define or edit VMs, Hostdeck renders the host's configuration and proposes it here as a diff against what is deployed.
        </EmptyState>
      ) : (
        <>
          <search>
            <form method="get" className="mb-4 flex flex-wrap items-center gap-2" data-testid="changes-filter">
              <NativeSelect name="status" defaultValue={status ?? ''} aria-label="Status" className="w-44">
                <option value="">Status: any</option>
                {CHANGE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    Status: {s.replace(/_/g, ' ')}
                  </option>
                ))}
              </NativeSelect>
              <NativeSelect name="host" defaultValue={hostId ?? ''} aria-label="Host" className="w-56">
                <option value="">Host: any</option>
                {hosts.map((h) => (
                  <option key={h.id} value={h.id}>
                    Host: {h.name}
                  </option>
                ))}
              </NativeSelect>
              <Button type="submit" variant="outline">
                Apply
              </Button>
              {filtered && (
                <Button asChild variant="ghost">
                  <Link href="/changes">Clear</Link>
                </Button>
              )}
            </form>
          </search>
          <Table data-testid="changes-table">
            <TableHeader>
              <TableRow>
                <TableHead>Status</TableHead>
                <TableHead>Title</TableHead>
                <TableHead>Host</TableHead>
                <TableHead>Author</TableHead>
                <TableHead>Approver</TableHead>
                <TableHead>Plan</TableHead>
                <TableHead>Updated</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {result.changes.map((c) => (
                <TableRow key={c.id} data-change={c.id}>
                  <TableCell>
                    <ChangeStatusBadge status={c.status} />
                  </TableCell>
                  <TableCell className="font-medium">
                    <div className="flex flex-wrap items-center gap-1.5">
                      <Link className="hover:underline" href={`/changes/${c.id}`}>
                        {c.title}
                      </Link>
                      <ChangeKindBadges kind={c.kind} urgent={c.urgent} />
                    </div>
                  </TableCell>
                  <TableCell>
                    <Link className="hover:underline" href={`/hosts/${c.host.id}`}>
                      {c.host.name}
                    </Link>
                  </TableCell>
                  <TableCell>{c.author?.username ?? '—'}</TableCell>
                  <TableCell>{c.approver?.username ?? '—'}</TableCell>
                  <TableCell className="text-xs">
                    {c.summary ? (
                      <span className="flex flex-wrap gap-x-2">
                        {c.summary.added > 0 && <span className="text-success">+{c.summary.added} added</span>}
                        {c.summary.changed > 0 && <span>~{c.summary.changed} changed</span>}
                        {c.summary.removed > 0 && <span className="text-destructive">−{c.summary.removed} removed</span>}
                        {c.summary.restartNeeded > 0 && <span>{c.summary.restartNeeded} restart</span>}
                        {c.summary.added + c.summary.changed + c.summary.removed === 0 && (
                          <span className="text-muted-foreground">no VM changes</span>
                        )}
                      </span>
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell className="text-xs">{formatDateTime(c.updatedAt)}</TableCell>
                </TableRow>
              ))}
              {result.changes.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7} className="py-8 text-center text-muted-foreground">
                    No change matches these filters.
                  </TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
          <Pager
            path="/changes"
            params={filters}
            page={result.page}
            pageSize={result.pageSize}
            total={result.total}
            noun={['change', 'changes']}
          />
        </>
      )}
    </>
  );
}
