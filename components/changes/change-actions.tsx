'use client';
// The buttons of a change: only those the server said this user may use now
// (lib/changes/rules availableActions), each a server action. Approve takes an
// optional note, reject a required reason; deploy goes on to the deployment's
// page. The service re-checks everything, and its refusal shows here as is.
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { Check, RefreshCw, Rocket, Send, X } from 'lucide-react';
import {
  approveChangeAction,
  commentChangeAction,
  deployChangeAction,
  proposeChangeAction,
  rejectChangeAction,
  replanChangeAction,
} from '@/lib/actions/changes';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Textarea } from '@/components/ui/textarea';
import type { ChangeAction } from '@/lib/changes/rules';

type ActionError = { serverError?: unknown; validationErrors?: unknown };

/** The message of a failed action: the server's refusal, or the first validation message. */
function messageOf(error: ActionError): string {
  if (typeof error.serverError === 'string') return error.serverError;
  const v = error.validationErrors as { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | undefined;
  const first = v?.formErrors?.[0] ?? Object.values(v?.fieldErrors ?? {}).find((m) => m?.length)?.[0];
  return first ?? 'The action failed';
}

export function ChangeActions({ changeId, actions }: { changeId: string; actions: readonly ChangeAction[] }) {
  const router = useRouter();
  const [error, setError] = React.useState<string | null>(null);
  const [note, setNote] = React.useState('');
  const [reason, setReason] = React.useState('');
  const callbacks = {
    onExecute: () => setError(null),
    onError: ({ error }: { error: ActionError }) => setError(messageOf(error)),
    onSuccess: () => router.refresh(),
  };
  const propose = useAction(proposeChangeAction, callbacks);
  const approve = useAction(approveChangeAction, {
    ...callbacks,
    onSuccess: () => {
      setNote('');
      router.refresh();
    },
  });
  const reject = useAction(rejectChangeAction, {
    ...callbacks,
    onSuccess: () => {
      setReason('');
      router.refresh();
    },
  });
  const replan = useAction(replanChangeAction, callbacks);
  const replanLive = useAction(replanChangeAction, callbacks);
  const deploy = useAction(deployChangeAction, {
    ...callbacks,
    onSuccess: ({ data }) => {
      if (data?.deploymentId) router.push(`/deployments/${data.deploymentId}`);
    },
  });
  const pending = [propose, approve, reject, replan, replanLive, deploy].some((a) => a.isPending) || deploy.hasSucceeded;
  const may = (action: ChangeAction) => actions.includes(action);
  const buttons = may('propose') || may('deploy') || may('replan');
  if (!buttons && !may('approve') && !may('reject')) return null;

  return (
    <div className="grid gap-4" data-testid="change-actions">
      {buttons && (
        <div className="flex flex-wrap gap-2">
          {may('propose') && (
            <Button data-testid="change-propose" disabled={pending} onClick={() => propose.execute({ changeId })}>
              <Send /> {propose.isPending ? 'Proposing…' : 'Propose for review'}
            </Button>
          )}
          {may('deploy') && (
            <Button data-testid="change-deploy" disabled={pending} onClick={() => deploy.execute({ changeId })}>
              <Rocket /> {deploy.isPending || deploy.hasSucceeded ? 'Starting deployment…' : 'Deploy'}
            </Button>
          )}
          {may('replan') && (
            <>
              <Button variant="outline" data-testid="change-replan" disabled={pending} onClick={() => replan.execute({ changeId })}>
                <RefreshCw /> {replan.isPending ? 'Re-planning…' : 'Re-plan'}
              </Button>
              <Button
                variant="outline"
                data-testid="change-replan-live"
                disabled={pending}
                title="Plan again against what is deployed and the domains as they run on the host (read over SSH)"
                onClick={() => replanLive.execute({ changeId, live: true })}
              >
                <RefreshCw /> {replanLive.isPending ? 'Reading the host…' : 'Re-plan against live'}
              </Button>
            </>
          )}
        </div>
      )}
      {may('approve') && (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            approve.execute({ changeId, ...(note.trim() ? { note } : {}) });
          }}
        >
          <div className="grid min-w-64 flex-1 gap-1.5">
            <Label htmlFor="approve-note">Approval note (optional)</Label>
            <Input
              id="approve-note"
              data-testid="change-approve-note"
              value={note}
              maxLength={2000}
              onChange={(event) => setNote(event.target.value)}
              placeholder="e.g. checked the memory figures with the owner"
            />
          </div>
          <Button type="submit" data-testid="change-approve" disabled={pending}>
            <Check /> {approve.isPending ? 'Approving…' : 'Approve'}
          </Button>
        </form>
      )}
      {may('reject') && (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (!reason.trim()) {
              setError('Say why the change is rejected');
              return;
            }
            reject.execute({ changeId, reason });
          }}
        >
          <div className="grid min-w-64 flex-1 gap-1.5">
            <Label htmlFor="reject-reason">Reason for rejecting (required)</Label>
            <Textarea
              id="reject-reason"
              data-testid="change-reject-reason"
              className="min-h-16 font-sans text-sm"
              value={reason}
              maxLength={2000}
              onChange={(event) => setReason(event.target.value)}
              placeholder="What must change before this can be approved"
            />
          </div>
          <Button type="submit" variant="destructive" data-testid="change-reject" disabled={pending}>
            <X /> {reject.isPending ? 'Rejecting…' : 'Reject'}
          </Button>
        </form>
      )}
      {error && (
        <Alert variant="destructive" data-testid="change-action-error">
          {error}
        </Alert>
      )}
    </div>
  );
}

export function CommentForm({ changeId }: { changeId: string }) {
  const router = useRouter();
  const [body, setBody] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const comment = useAction(commentChangeAction, {
    onExecute: () => setError(null),
    onError: ({ error }) => setError(messageOf(error)),
    onSuccess: () => {
      setBody('');
      router.refresh();
    },
  });
  return (
    <form
      className="grid gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (!body.trim()) {
          setError('Write a comment');
          return;
        }
        comment.execute({ changeId, body });
      }}
    >
      <Label htmlFor="comment-body" className="sr-only">
        Comment
      </Label>
      <Textarea
        id="comment-body"
        data-testid="change-comment-body"
        className="min-h-20 font-sans text-sm"
        value={body}
        maxLength={10_000}
        onChange={(event) => setBody(event.target.value)}
        placeholder="Add a comment for the author and reviewers"
      />
      <div className="flex items-center gap-2">
        <Button type="submit" variant="outline" data-testid="change-comment" disabled={comment.isPending}>
          {comment.isPending ? 'Posting…' : 'Comment'}
        </Button>
        {error && (
          <span className="text-sm text-destructive" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}
