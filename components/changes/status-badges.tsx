// Status badges of changes and deployments: one variant per status (total maps,
// so a new status is a type error here, not a blank badge). Safe for the browser.
import type * as React from 'react';
import { Badge } from '@/components/ui/badge';
import type { ChangeStatus } from '@/lib/changes/rules';
import type { DeploymentStatus } from '@/lib/generated/prisma/enums';

type Variant = 'default' | 'muted' | 'success' | 'warning' | 'destructive';

export const changeStatusVariant: Record<ChangeStatus, Variant> = {
  draft: 'muted',
  proposed: 'warning',
  approved: 'default',
  rejected: 'destructive',
  deploying: 'default',
  deployed: 'success',
  failed: 'destructive',
  rolled_back: 'warning',
};

export const deploymentStatusVariant: Record<DeploymentStatus, Variant> = {
  queued: 'muted',
  running: 'default',
  succeeded: 'success',
  failed: 'destructive',
  interrupted: 'destructive',
  rolled_back: 'warning',
  cancelled: 'muted',
};

const words = (status: string) => status.replace(/_/g, ' ');

export function ChangeStatusBadge({ status, ...props }: { status: ChangeStatus } & React.ComponentProps<'span'>) {
  return (
    <Badge variant={changeStatusVariant[status]} data-status={status} {...props}>
      {words(status)}
    </Badge>
  );
}

export function DeploymentStatusBadge({ status, ...props }: { status: DeploymentStatus } & React.ComponentProps<'span'>) {
  return (
    <Badge variant={deploymentStatusVariant[status]} data-status={status} {...props}>
      {words(status)}
    </Badge>
  );
}

/** The kind of a change as a small badge (edits need none), plus "urgent". */
export function ChangeKindBadges({ kind, urgent }: { kind: string; urgent: boolean }) {
  return (
    <>
      {kind !== 'edit' && (
        <Badge variant="warning" data-kind={kind}>
          {kind === 'reapply' ? 're-apply' : kind}
        </Badge>
      )}
      {urgent && <Badge variant="destructive">urgent</Badge>}
    </>
  );
}
