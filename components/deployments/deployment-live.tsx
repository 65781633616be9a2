'use client';
// A deployment as it runs: status, steps, progress, elapsed time and the log,
// streamed from GET /api/v1/deployments/{id}/log (server-sent events: `log`
// chunks to append, `state` with status, progress and steps, `end` when it
// finished). The page renders the log so far and the stream resumes after its
// last chunk; EventSource reconnects by itself with Last-Event-ID. Should the
// stream be refused, the page re-renders from the server every few seconds
// instead. A finished deployment shows its whole log and opens no stream.
import * as React from 'react';
import { useRouter } from 'next/navigation';
import { useAction } from 'next-safe-action/hooks';
import { Ban } from 'lucide-react';
import { cancelDeploymentAction } from '@/lib/actions/changes';
import { DeploymentStatusBadge } from '@/components/changes/status-badges';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import type { DeploymentStep, StepStatus } from '@/lib/deploy/steps';
import type { DeploymentStatus } from '@/lib/generated/prisma/enums';

export type LiveState = {
  status: DeploymentStatus;
  progress: number;
  steps: DeploymentStep[];
  error: string | null;
  finishedAt: string | null;
};

const stepVariant: Record<StepStatus, 'muted' | 'default' | 'success' | 'destructive'> = {
  pending: 'muted',
  running: 'default',
  done: 'success',
  failed: 'destructive',
  skipped: 'muted',
};

const FALLBACK_REFRESH_MS = 3000;

const unfinished = (status: DeploymentStatus) => status === 'queued' || status === 'running';

function newer(id: string, than: string | null): boolean {
  if (than === null) return true;
  try {
    return BigInt(id) > BigInt(than);
  } catch {
    return true;
  }
}

function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0
    ? `${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`
    : m > 0
      ? `${m}m ${String(s).padStart(2, '0')}s`
      : `${s}s`;
}

export function DeploymentLive({
  deploymentId,
  initial,
  startedAt,
  log,
  lastChunkId,
  canCancel,
  cancelRequested,
}: {
  deploymentId: string;
  initial: LiveState;
  startedAt: string | null;
  log: string;
  lastChunkId: string | null;
  canCancel: boolean;
  cancelRequested: boolean;
}) {
  const router = useRouter();
  const [streamed, setStreamed] = React.useState<LiveState | null>(null);
  const [text, setText] = React.useState(log);
  const [fallback, setFallback] = React.useState(false);
  const [now, setNow] = React.useState<number | null>(null);
  const lastId = React.useRef(lastChunkId);
  const stick = React.useRef(true);
  const pre = React.useRef<HTMLPreElement>(null);
  const startedLive = React.useRef(unfinished(initial.status));

  // In fallback mode the server's renders are the truth; otherwise the stream's.
  const state = fallback ? initial : (streamed ?? initial);
  const shownLog = fallback ? log : text;
  const running = unfinished(state.status);

  React.useEffect(() => {
    if (!startedLive.current) return;
    const after = lastId.current ? `?after=${encodeURIComponent(lastId.current)}` : '';
    const source = new EventSource(`/api/v1/deployments/${deploymentId}/log${after}`);
    source.addEventListener('log', (event) => {
      const message = event as MessageEvent<string>;
      if (message.lastEventId && !newer(message.lastEventId, lastId.current)) return;
      if (message.lastEventId) lastId.current = message.lastEventId;
      try {
        const chunk = JSON.parse(message.data) as { text?: unknown };
        if (typeof chunk.text === 'string') setText((t) => t + chunk.text);
      } catch {
        // not JSON: ignore the event
      }
    });
    source.addEventListener('state', (event) => {
      try {
        const next = JSON.parse((event as MessageEvent<string>).data) as LiveState;
        setStreamed({
          status: next.status,
          progress: next.progress,
          steps: Array.isArray(next.steps) ? next.steps : [],
          error: next.error ?? null,
          finishedAt: next.finishedAt ?? null,
        });
      } catch {
        // ignore
      }
    });
    source.addEventListener('end', () => {
      source.close();
      router.refresh(); // generations, the change's status, the final figures
    });
    source.onerror = () => {
      // EventSource retries by itself; CLOSED means the server refused the stream.
      if (source.readyState === EventSource.CLOSED) setFallback(true);
    };
    return () => source.close();
  }, [deploymentId, router]);

  // Fallback: re-render from the server while the deployment runs.
  React.useEffect(() => {
    if (!fallback || !unfinished(initial.status)) return;
    const timer = setInterval(() => router.refresh(), FALLBACK_REFRESH_MS);
    return () => clearInterval(timer);
  }, [fallback, initial.status, router]);

  // The elapsed time ticks while it runs (set after mount: the server's clock is not the browser's).
  React.useEffect(() => {
    setNow(Date.now());
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);

  // Keep the log scrolled to its end unless the reader scrolled up.
  React.useLayoutEffect(() => {
    const el = pre.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });

  const start =
    startedAt ??
    state.steps
      .map((s) => s.startedAt)
      .filter((s): s is string => Boolean(s))
      .sort()[0] ??
    null;
  const end = state.finishedAt ? Date.parse(state.finishedAt) : now;
  const elapsed = start && end !== null ? formatDuration(end - Date.parse(start)) : null;
  const progress = Math.max(0, Math.min(100, Math.round(state.progress)));

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <DeploymentStatusBadge status={state.status} data-testid="deployment-status" />
        <span className="text-sm text-muted-foreground" data-testid="deployment-elapsed">
          {elapsed ? `${running ? 'running for' : 'took'} ${elapsed}` : state.status === 'queued' ? 'waiting to start' : ''}
        </span>
        {canCancel && running && <CancelButton deploymentId={deploymentId} requested={cancelRequested} />}
      </div>
      <div className="grid gap-1">
        <div
          role="progressbar"
          aria-label="Progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress}
          data-testid="deployment-progress"
          className="h-2 w-full overflow-hidden rounded-full bg-muted"
        >
          <div
            className={`h-full transition-all ${state.status === 'failed' || state.status === 'interrupted' ? 'bg-destructive' : state.status === 'succeeded' ? 'bg-success' : 'bg-primary'}`}
            style={{ width: `${progress}%` }}
          />
        </div>
        <span className="text-xs text-muted-foreground">{progress} %</span>
      </div>
      {state.error && (
        <Alert variant="destructive" data-testid="deployment-error">
          {state.error}
        </Alert>
      )}
      <div className="grid gap-4 lg:grid-cols-[18rem_1fr]">
        <Card>
          <CardHeader>
            <CardTitle>Steps</CardTitle>
          </CardHeader>
          <CardContent>
            {state.steps.length === 0 ? (
              <p className="text-sm text-muted-foreground">No steps recorded.</p>
            ) : (
              <ol className="grid gap-2 text-sm" data-testid="deployment-steps">
                {state.steps.map((step) => (
                  <li
                    key={step.name}
                    className="flex items-center justify-between gap-2"
                    data-step={step.name}
                    data-step-status={step.status}
                  >
                    <span className={step.status === 'pending' || step.status === 'skipped' ? 'text-muted-foreground' : ''}>
                      {step.name}
                    </span>
                    <span className="flex items-center gap-2">
                      {step.startedAt && step.finishedAt && (
                        <span className="text-xs text-muted-foreground">
                          {formatDuration(Date.parse(step.finishedAt) - Date.parse(step.startedAt))}
                        </span>
                      )}
                      <Badge variant={stepVariant[step.status] ?? 'muted'}>{step.status}</Badge>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </CardContent>
        </Card>
        <Card className="min-w-0">
          <CardHeader className="flex-row items-center justify-between">
            <CardTitle>Log</CardTitle>
            {fallback && running && (
              <span className="text-xs text-muted-foreground">live stream unavailable: refreshing every few seconds</span>
            )}
          </CardHeader>
          <CardContent>
            <pre
              ref={pre}
              data-testid="deployment-log"
              onScroll={(event) => {
                const el = event.currentTarget;
                stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
              }}
              className="max-h-[36rem] min-h-40 overflow-auto whitespace-pre-wrap break-words rounded border bg-muted/40 p-3 font-mono text-xs"
            >
              {shownLog || (running ? 'Waiting for output…' : 'No output.')}
            </pre>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

function CancelButton({ deploymentId, requested }: { deploymentId: string; requested: boolean }) {
  const router = useRouter();
  const cancel = useAction(cancelDeploymentAction, { onSuccess: () => router.refresh() });
  const result = cancel.result.data?.status;
  const asked = requested || result === 'cancelling';
  return (
    <span className="flex items-center gap-2">
      <Button
        variant="outline"
        size="sm"
        data-testid="deployment-cancel"
        disabled={cancel.isPending || asked || result === 'cancelled'}
        onClick={() => {
          if (window.confirm('Cancel this deployment? A running deployment stops at its next step boundary.'))
            cancel.execute({ deploymentId });
        }}
      >
        <Ban /> {asked ? 'Cancel requested' : cancel.isPending ? 'Cancelling…' : 'Cancel'}
      </Button>
      {cancel.result.serverError && (
        <span className="text-sm text-destructive" role="alert">
          {String(cancel.result.serverError)}
        </span>
      )}
    </span>
  );
}
