'use client';
// Roll a host back to an earlier revision, or re-apply the deployed one over
// drift: a small dialog (title; for admins "urgent", which lets their own
// approval suffice) that creates the change and opens it. The change goes
// through review like any other; nothing reaches the host from here.
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { History, RotateCcw } from 'lucide-react';
import { rollbackHostAction } from '@/lib/actions/changes';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';

export function RollbackButton({
  hostId,
  revisionId,
  hash,
  kind = 'rollback',
  canMarkUrgent,
  testId,
  disabledReason,
}: {
  hostId: string;
  revisionId: string;
  hash: string;
  kind?: 'rollback' | 'reapply';
  canMarkUrgent: boolean;
  testId: string;
  disabledReason?: string;
}) {
  const router = useRouter();
  const [open, setOpen] = React.useState(false);
  const [title, setTitle] = React.useState('');
  const [urgent, setUrgent] = React.useState(false);
  const create = useAction(rollbackHostAction, {
    onSuccess: ({ data }) => {
      if (data?.id) router.push(`/changes/${data.id}`);
    },
  });
  const label = kind === 'reapply' ? 'Re-apply' : 'Roll back to this revision';
  const Icon = kind === 'reapply' ? RotateCcw : History;
  const titleId = `${testId}-title`;
  if (!open)
    return (
      // A disabled button gets no pointer events: the wrapper carries the reason as its tooltip.
      <span title={disabledReason} className="inline-flex">
        <Button variant="outline" size="sm" data-testid={testId} disabled={Boolean(disabledReason)} onClick={() => setOpen(true)}>
          <Icon /> {label}
        </Button>
      </span>
    );
  const validation = create.result.validationErrors as { fieldErrors?: Record<string, string[] | undefined> } | undefined;
  const error =
    (typeof create.result.serverError === 'string' ? create.result.serverError : undefined) ??
    Object.values(validation?.fieldErrors ?? {}).find((m) => m?.length)?.[0];
  return (
    <div
      role="dialog"
      aria-labelledby={titleId}
      className="grid max-w-md gap-3 rounded-md border bg-card p-3 text-left text-sm shadow-sm"
      data-testid={`${testId}-dialog`}
    >
      <p id={titleId} className="font-medium">
        {kind === 'reapply'
          ? `Re-apply revision ${hash.slice(0, 12)}: deploy what Hostdeck deployed last, over the changes made on the host.`
          : `Roll back to revision ${hash.slice(0, 12)}: a change that deploys it again, reviewed like any other.`}
      </p>
      <form
        className="grid gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          create.execute({ hostId, revisionId, kind, ...(title.trim() ? { title: title.trim() } : {}), ...(urgent ? { urgent } : {}) });
        }}
      >
        <div className="grid gap-1.5">
          <Label htmlFor={`${testId}-title-input`}>Title (optional)</Label>
          <Input
            id={`${testId}-title-input`}
            data-testid="rollback-title"
            value={title}
            maxLength={200}
            onChange={(event) => setTitle(event.target.value)}
            placeholder={kind === 'reapply' ? 'Re-apply …' : `Roll back to ${hash.slice(0, 12)}`}
          />
        </div>
        {canMarkUrgent && kind === 'rollback' && (
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              className="mt-0.5"
              data-testid="rollback-urgent"
              checked={urgent}
              onChange={(event) => setUrgent(event.target.checked)}
            />
            <span>Urgent: my own approval suffices (four-eyes is waived for this rollback; it is audited)</span>
          </label>
        )}
        {error && (
          <Alert variant="destructive" data-testid="rollback-error">
            {error}
          </Alert>
        )}
        <div className="flex gap-2">
          <Button type="submit" size="sm" data-testid="rollback-confirm" disabled={create.isPending || create.hasSucceeded}>
            {create.isPending || create.hasSucceeded ? 'Creating the change…' : 'Create change'}
          </Button>
          <Button type="button" size="sm" variant="ghost" disabled={create.isPending} onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}
