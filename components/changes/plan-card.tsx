// A plan as its approver reads it (a change's page, a host's Configuration tab): VMs added, changed (and whether
// they need a restart), removed (and whether their disks go), drifted, and per
// changed VM the elements of the deployed or live definition the deploy would
// remove or replace — nothing a deploy drops may be hidden from the approver.
import { AlertTriangle } from 'lucide-react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HostPlan } from '@/lib/render';

const actionVariant = { added: 'success', changed: 'warning', removed: 'destructive', unchanged: 'muted', unmanaged: 'muted' } as const;

export function PlanCard({
  plan,
  liveCheckedAt,
  nothingText = 'Nothing to deploy: this revision equals its base.',
}: {
  plan: HostPlan | null;
  liveCheckedAt: string | null;
  nothingText?: string;
}) {
  if (!plan)
    return (
      <Card className="mb-6" data-testid="change-plan">
        <CardHeader>
          <CardTitle>Plan</CardTitle>
        </CardHeader>
        <CardContent className="text-sm text-muted-foreground">This change has no plan yet: re-plan it.</CardContent>
      </Card>
    );
  const s = plan.summary;
  const shown = plan.vms.filter((vm) => vm.action !== 'unchanged' || vm.drifted);
  const removing = plan.vms.filter((vm) => vm.removes.length > 0);
  return (
    <Card className="mb-6" data-testid="change-plan">
      <CardHeader>
        <CardTitle>Plan</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="flex flex-wrap gap-2 text-sm" data-testid="plan-summary">
          <Badge variant="success">{s.added} added</Badge>
          <Badge variant="warning">{s.changed} changed</Badge>
          <Badge variant="destructive">{s.removed} removed</Badge>
          <Badge variant="muted">{s.unchanged} unchanged</Badge>
          {s.unmanaged > 0 && <Badge variant="muted">{s.unmanaged} left unmanaged</Badge>}
          {s.drifted > 0 && <Badge variant="destructive">{s.drifted} drifted</Badge>}
          {plan.hostModule !== 'none' && <Badge variant="muted">Nix module: {plan.hostModule}</Badge>}
          <span className="text-xs text-muted-foreground">
            {liveCheckedAt ? `compared with the live domains at ${liveCheckedAt}` : 'not compared with the live domains'}
          </span>
        </div>
        {!plan.changed && <p className="text-sm text-muted-foreground">{nothingText}</p>}
        {s.restartNeeded > 0 && (
          <Alert variant="warning" data-testid="restart-warning">
            <AlertTriangle className="mr-2 inline size-4" />
            {s.restartNeeded} VM{s.restartNeeded === 1 ? ' needs' : 's need'} a restart for the change to take effect. Hostdeck defines the
            new configuration but does not restart running VMs by itself.
          </Alert>
        )}
        {removing.length > 0 && (
          <Alert variant="warning" data-testid="plan-removes">
            <p className="font-medium">
              <AlertTriangle className="mr-2 inline size-4" />
              Deploying removes or replaces these elements of the current definition:
            </p>
            <ul className="mt-2 grid gap-1">
              {removing.map((vm) => (
                <li key={vm.name} data-removes-vm={vm.name}>
                  <span className="font-medium">{vm.name}</span>:{' '}
                  {vm.removes.map((tag) => (
                    <code key={tag} className="mr-1 rounded bg-muted px-1 text-xs">
                      {tag}
                    </code>
                  ))}
                </li>
              ))}
            </ul>
          </Alert>
        )}
        {shown.length > 0 && (
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
              {shown.map((vm) => (
                <TableRow key={vm.name} data-plan-vm={vm.name}>
                  <TableCell className="font-medium">{vm.name}</TableCell>
                  <TableCell>
                    <Badge variant={actionVariant[vm.action]}>{vm.action}</Badge>
                  </TableCell>
                  <TableCell className="text-xs">
                    {vm.changes.join(', ') || '—'}
                    {vm.removes.length > 0 && <div>removes: {vm.removes.join(' ')}</div>}
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
  );
}
