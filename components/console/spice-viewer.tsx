'use client';
// The SPICE console: spice-html5 opens its main channel on a ticketed
// /console URL and then its display, inputs and cursor channels on the same URL
// (the ticket admits those four, within a second). The ticket-padding fault of
// spice-html5 0.2.1 is fixed on load (spice-ticket-fix). Controls: Ctrl+Alt+Del,
// scale to fit or 1:1, full screen, pop-out, status with reconnect.
import * as React from 'react';
import { Keyboard, Scaling } from 'lucide-react';
import type { SpiceMainConn } from '@spice-project/spice-html5';
import { Button } from '@/components/ui/button';
import { closeMessage, consoleSocketUrl, type ViewerStatus } from '@/components/console/connect';
import { StatusLine } from '@/components/console/status-line';
import { ViewerWindowButtons } from '@/components/console/viewer-window-buttons';
import { installSpiceTicketFix } from '@/components/console/spice-ticket-fix';

/**
 * Closes every channel. spice-html5's stop() removes the display canvas from
 * the screen element and throws when React has already removed that element,
 * before it closes the main channel: close what is left ourselves, or the
 * main socket (and the server's session) would stay open.
 */
function stopSpice(conn: SpiceMainConn | null): void {
  if (!conn) return;
  const c = conn as unknown as Partial<Record<'display' | 'inputs' | 'cursor', { cleanup?: () => void }>> & { cleanup?: () => void };
  try {
    conn.stop();
  } catch {
    for (const ch of [c.inputs, c.cursor, c.display, c]) {
      try {
        ch?.cleanup?.();
      } catch {
        /* already closed */
      }
    }
  }
}

export function SpiceViewer({ vmId, popOutHref }: { vmId: string; popOutHref?: string }) {
  const frameRef = React.useRef<HTMLDivElement>(null);
  const screenId = `spice-screen-${vmId}`;
  const connRef = React.useRef<SpiceMainConn | null>(null);
  const ctrlAltDelRef = React.useRef<((sc: SpiceMainConn) => void) | null>(null);
  const [status, setStatus] = React.useState<ViewerStatus>({ state: 'connecting' });
  const [scale, setScale] = React.useState(true);
  const [attempt, setAttempt] = React.useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the reconnect button: a new value opens a new console
  React.useEffect(() => {
    let cancelled = false;
    let conn: SpiceMainConn | null = null;
    let lastClose: { code: number; reason: string } | null = null;
    setStatus({ state: 'connecting' });
    const screen = document.getElementById(screenId);
    screen?.replaceChildren();
    (async () => {
      try {
        const [spice, url] = await Promise.all([import('@spice-project/spice-html5'), consoleSocketUrl(vmId, 'spice')]);
        if (cancelled) return;
        installSpiceTicketFix(spice.SpiceMainConn);
        ctrlAltDelRef.current = (sc) => {
          // spice-html5 reads the connection from a global named `sc`
          (window as unknown as { sc?: SpiceMainConn }).sc = sc;
          spice.sendCtrlAltDel(sc);
        };
        conn = new spice.SpiceMainConn({
          uri: url,
          screen_id: screenId,
          password: '',
          onerror: (e: Error) => {
            if (cancelled) return;
            connRef.current = null;
            stopSpice(conn);
            setTimeout(
              () => !cancelled && setStatus({ state: 'closed', ...closeMessage(lastClose, e?.message || 'The SPICE connection failed') }),
              0,
            );
          },
          // The main channel is up; "Connected" once display, inputs and cursor have logged in too
          // (spice-html5 reports their failures to no callback).
          onsuccess: () => {
            const started = Date.now();
            const check = () => {
              if (cancelled || !conn) return;
              const c = conn as unknown as Record<'display' | 'inputs' | 'cursor', { state?: string } | undefined>;
              const states = [c.display, c.inputs, c.cursor].map((ch) => ch?.state);
              if (states.every((st) => st === 'ready')) setStatus({ state: 'connected' });
              else if (states.some((st) => st === 'error') || Date.now() - started > 15_000) {
                setStatus({
                  state: 'closed',
                  message: `SPICE channels did not all connect (display ${states[0] ?? 'missing'}, inputs ${states[1] ?? 'missing'}, cursor ${states[2] ?? 'missing'})`,
                  error: true,
                });
              } else setTimeout(check, 50);
            };
            check();
          },
        });
        conn.ws?.addEventListener('close', (e) => (lastClose = { code: e.code, reason: e.reason }));
        connRef.current = conn;
      } catch (error) {
        if (!cancelled) setStatus({ state: 'closed', message: error instanceof Error ? error.message : String(error), error: true });
      }
    })();
    return () => {
      cancelled = true;
      connRef.current = null;
      stopSpice(conn);
    };
  }, [vmId, screenId, attempt]);

  const connected = status.state === 'connected';
  return (
    <div className="grid gap-2" data-testid="spice-viewer">
      <div className="flex flex-wrap items-center gap-2">
        <Button
          size="sm"
          variant="outline"
          disabled={!connected}
          onClick={() => connRef.current && ctrlAltDelRef.current?.(connRef.current)}
          data-testid="console-ctrl-alt-del"
        >
          <Keyboard /> Ctrl+Alt+Del
        </Button>
        <Button size="sm" variant="outline" onClick={() => setScale((s) => !s)} aria-pressed={scale} data-testid="console-scale">
          <Scaling /> {scale ? 'Scaled to fit' : '1:1'}
        </Button>
        <ViewerWindowButtons frameRef={frameRef} popOutHref={popOutHref} windowName={`console-${vmId}-spice`} />
      </div>
      <div ref={frameRef} className="overflow-auto rounded-md border bg-black">
        <div
          id={screenId}
          data-testid="console-screen"
          className={scale ? 'min-h-[320px] w-full [&_canvas]:!h-auto [&_canvas]:max-w-full' : 'min-h-[320px]'}
        />
      </div>
      <StatusLine status={status} onReconnect={() => setAttempt((a) => a + 1)} />
    </div>
  );
}
