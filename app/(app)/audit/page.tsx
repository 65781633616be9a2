// Audit log: who did what to which target, when and from where; filtered and paged.
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Pager } from '@/components/pager';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/select';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { listAuditEvents } from '@/lib/auth/audit';
import { auditQuerySchema } from '@/lib/api/endpoints';
import { formatDateTime } from '@/lib/utils';

export const metadata = { title: 'Audit log' };

type Search = Record<string, string | string[] | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requireUser('approver');
  const raw = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => typeof v === 'string' && v !== ''));
  const parsed = auditQuerySchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const { events, total, page, pageSize } = await listAuditEvents(filter);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change of state: sign-ins, accounts, tokens, and everything done to hosts and VMs."
      />
      {!parsed.success && <p className="mb-3 text-sm text-destructive">Some filters were invalid and were ignored.</p>}
      <form className="mb-4 flex flex-wrap items-end gap-3" method="get">
        <div className="grid gap-1">
          <label htmlFor="f-action" className="text-xs text-muted-foreground">
            Action starts with
          </label>
          <Input id="f-action" name="action" defaultValue={filter.action} placeholder="e.g. auth." className="w-48" />
        </div>
        <div className="grid gap-1">
          <label htmlFor="f-actor" className="text-xs text-muted-foreground">
            User
          </label>
          <Input id="f-actor" name="actor" defaultValue={filter.actor} className="w-40" />
        </div>
        <div className="grid gap-1">
          <label htmlFor="f-outcome" className="text-xs text-muted-foreground">
            Outcome
          </label>
          <NativeSelect id="f-outcome" name="outcome" defaultValue={filter.outcome ?? ''} className="w-32">
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="failed">failed</option>
            <option value="denied">denied</option>
          </NativeSelect>
        </div>
        <Button type="submit" variant="outline">
          Filter
        </Button>
        <Button asChild variant="ghost">
          <Link href="/audit">Clear</Link>
        </Button>
      </form>
      <Table data-testid="audit-table">
        <TableHeader>
          <TableRow>
            <TableHead>When</TableHead>
            <TableHead>User</TableHead>
            <TableHead>Action</TableHead>
            <TableHead>Target</TableHead>
            <TableHead>Outcome</TableHead>
            <TableHead>Via</TableHead>
            <TableHead>Address</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {events.map((e) => (
            <TableRow key={e.id.toString()}>
              <TableCell className="whitespace-nowrap font-mono text-xs">{formatDateTime(e.at)}</TableCell>
              <TableCell>{e.actorName ?? '—'}</TableCell>
              <TableCell className="font-mono text-xs">{e.action}</TableCell>
              <TableCell className="text-xs">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</TableCell>
              <TableCell>
                <Badge variant={e.outcome === 'ok' ? 'success' : e.outcome === 'denied' ? 'warning' : 'destructive'}>{e.outcome}</Badge>
              </TableCell>
              <TableCell className="text-xs">{e.via}</TableCell>
              <TableCell className="font-mono text-xs">{e.ip ?? '—'}</TableCell>
            </TableRow>
          ))}
          {events.length === 0 && (
            <TableRow>
              <TableCell colSpan={7} className="py-8 text-center text-muted-foreground">
                No events match these filters.
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <Pager
        path="/audit"
        params={raw as Record<string, string>}
        page={page}
        pageSize={pageSize}
        total={total}
        noun={['event', 'events']}
      />
    </>
  );
}
