'use client';
// The connection status under every console viewer, with the reconnect button.
import { RefreshCw } from 'lucide-react';
import { Button } from '@/components/ui/button';
import type { ViewerStatus } from '@/components/console/connect';

export function StatusLine({ status, onReconnect }: { status: ViewerStatus; onReconnect: () => void }) {
  const text =
    status.state === 'idle'
      ? 'Not connected'
      : status.state === 'connecting'
        ? 'Connecting…'
        : status.state === 'connected'
          ? 'Connected'
          : status.message;
  const tone =
    status.state === 'connected'
      ? 'text-emerald-600 dark:text-emerald-400'
      : status.state === 'closed' && status.error
        ? 'text-destructive'
        : 'text-muted-foreground';
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className={tone} data-testid="console-status" data-state={status.state} role="status">
        {text}
      </span>
      {(status.state === 'closed' || status.state === 'idle') && (
        <Button size="sm" variant="outline" onClick={onReconnect} data-testid="console-reconnect">
          <RefreshCw /> {status.state === 'idle' ? 'Connect' : 'Reconnect'}
        </Button>
      )}
    </div>
  );
}
