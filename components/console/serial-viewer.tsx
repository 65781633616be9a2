'use client';
// The serial console: xterm.js on a ticketed /console socket, which the server
// attaches to `virsh console --force` on an SSH channel with a pty. Keystrokes
// go as binary frames, the terminal size as a text frame {"resize":[cols,rows]}
// whenever the terminal is fitted to its box (window resize, full screen).
import * as React from 'react';
import '@xterm/xterm/css/xterm.css';
import { closeMessage, consoleSocketUrl, type ViewerStatus } from '@/components/console/connect';
import { StatusLine } from '@/components/console/status-line';
import { ViewerWindowButtons } from '@/components/console/viewer-window-buttons';

export function SerialViewer({ vmId, popOutHref }: { vmId: string; popOutHref?: string }) {
  const frameRef = React.useRef<HTMLDivElement>(null);
  const termRef = React.useRef<HTMLDivElement>(null);
  const [status, setStatus] = React.useState<ViewerStatus>({ state: 'connecting' });
  const [attempt, setAttempt] = React.useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the reconnect button: a new value opens a new console
  React.useEffect(() => {
    let cancelled = false;
    let ws: WebSocket | null = null;
    const disposers: (() => void)[] = [];
    setStatus({ state: 'connecting' });
    (async () => {
      try {
        const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
        if (cancelled || !termRef.current) return;
        const term = new Terminal({
          convertEol: false,
          cursorBlink: true,
          fontSize: 14,
          scrollback: 5000,
          theme: { background: '#000000' },
        });
        const fit = new FitAddon();
        term.loadAddon(fit);
        termRef.current.replaceChildren();
        term.open(termRef.current);
        fit.fit();
        disposers.push(() => term.dispose());
        const url = await consoleSocketUrl(vmId, 'serial', { cols: String(term.cols), rows: String(term.rows) });
        if (cancelled) return;
        ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        const encoder = new TextEncoder();
        const sendSize = () => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ resize: [term.cols, term.rows] }));
        ws.addEventListener('open', () => {
          if (cancelled) return;
          setStatus({ state: 'connected' });
          sendSize();
          term.focus();
        });
        ws.addEventListener('message', (e) => term.write(new Uint8Array(e.data as ArrayBuffer)));
        ws.addEventListener('close', (e) => {
          if (cancelled) return;
          term.write('\r\n\x1b[2m[console closed]\x1b[0m\r\n');
          setStatus({ state: 'closed', ...closeMessage({ code: e.code, reason: e.reason }, 'The serial console closed') });
        });
        const data = term.onData((d) => ws?.readyState === WebSocket.OPEN && ws.send(encoder.encode(d)));
        const binary = term.onBinary(
          (d) => ws?.readyState === WebSocket.OPEN && ws.send(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)),
        );
        const resized = term.onResize(sendSize);
        disposers.push(
          () => data.dispose(),
          () => binary.dispose(),
          () => resized.dispose(),
        );
        const observer = new ResizeObserver(() => {
          try {
            fit.fit();
          } catch {
            /* not visible */
          }
        });
        observer.observe(termRef.current);
        disposers.push(() => observer.disconnect());
      } catch (error) {
        if (!cancelled) setStatus({ state: 'closed', message: error instanceof Error ? error.message : String(error), error: true });
      }
    })();
    return () => {
      cancelled = true;
      ws?.close();
      for (const d of disposers.reverse()) d();
    };
  }, [vmId, attempt]);

  return (
    <div className="grid gap-2" data-testid="serial-viewer">
      <div className="flex flex-wrap items-center gap-2">
        <ViewerWindowButtons frameRef={frameRef} popOutHref={popOutHref} windowName={`console-${vmId}-serial`} width={1000} height={700} />
      </div>
      <div ref={frameRef} className="rounded-md border bg-black p-1">
        <div ref={termRef} className="h-[60vh] min-h-[320px] w-full" data-testid="console-terminal" />
      </div>
      <StatusLine status={status} onReconnect={() => setAttempt((a) => a + 1)} />
    </div>
  );
}
