'use client';
// The VNC console: noVNC drawing into a canvas, fed by a WebSocket to
// Hostdeck's /console (ticket from the server action; the server finds the
// display port and tunnels it over SSH). Scale to fit or 1:1, full screen,
// pop-out, Ctrl+Alt+Del and other key combinations, paste text as keystrokes,
// a status line with reconnect. noVNC touches `window` when loaded, so it is
// imported inside the effect, never on the server.
import * as React from 'react';
import { ClipboardPaste, Keyboard, Scaling } from 'lucide-react';
import type RFB from '@novnc/novnc';
import { Button } from '@/components/ui/button';
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from '@/components/ui/dropdown-menu';
import { closeMessage, consoleSocketUrl, keysymOf, type ViewerStatus } from '@/components/console/connect';
import { StatusLine } from '@/components/console/status-line';
import { ViewerWindowButtons } from '@/components/console/viewer-window-buttons';

const XK = {
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
  Delete: 0xffff,
  BackSpace: 0xff08,
  Tab: 0xff09,
  Escape: 0xff1b,
  F1: 0xffbe,
  Super_L: 0xffeb,
  Print: 0xff61,
} as const;

type Combo = { label: string; keys: [number, string][] };
const fKey = (n: number): [number, string] => [XK.F1 + n - 1, `F${n}`];
const COMBOS: Combo[] = [
  {
    label: 'Ctrl+Alt+Backspace',
    keys: [
      [XK.Control_L, 'ControlLeft'],
      [XK.Alt_L, 'AltLeft'],
      [XK.BackSpace, 'Backspace'],
    ],
  },
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({
    label: `Ctrl+Alt+F${n}`,
    keys: [[XK.Control_L, 'ControlLeft'], [XK.Alt_L, 'AltLeft'], fKey(n)] as [number, string][],
  })),
  {
    label: 'Alt+Tab',
    keys: [
      [XK.Alt_L, 'AltLeft'],
      [XK.Tab, 'Tab'],
    ],
  },
  { label: 'Alt+F4', keys: [[XK.Alt_L, 'AltLeft'], fKey(4)] },
  { label: 'Super (Windows key)', keys: [[XK.Super_L, 'MetaLeft']] },
  { label: 'Print Screen', keys: [[XK.Print, 'PrintScreen']] },
  { label: 'Escape', keys: [[XK.Escape, 'Escape']] },
];

export function VncViewer({ vmId, vmName, popOutHref }: { vmId: string; vmName: string; popOutHref?: string }) {
  const frameRef = React.useRef<HTMLDivElement>(null);
  const screenRef = React.useRef<HTMLDivElement>(null);
  const rfbRef = React.useRef<RFB | null>(null);
  const [status, setStatus] = React.useState<ViewerStatus>({ state: 'connecting' });
  const [scale, setScale] = React.useState(true);
  const [attempt, setAttempt] = React.useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reconnects; scale is applied live by the effect below, never by reconnecting
  React.useEffect(() => {
    let cancelled = false;
    let rfb: RFB | null = null;
    let lastClose: { code: number; reason: string } | null = null;
    setStatus({ state: 'connecting' });
    (async () => {
      try {
        const [{ default: RFBClass }, url] = await Promise.all([import('@novnc/novnc'), consoleSocketUrl(vmId, 'vnc')]);
        if (cancelled || !screenRef.current) return;
        const ws = new WebSocket(url, ['binary']);
        ws.addEventListener('close', (e) => (lastClose = { code: e.code, reason: e.reason }));
        rfb = new RFBClass(screenRef.current, ws, { shared: true });
        rfbRef.current = rfb;
        rfb.scaleViewport = scale;
        rfb.resizeSession = false;
        rfb.background = 'rgb(0, 0, 0)';
        rfb.addEventListener('connect', () => !cancelled && setStatus({ state: 'connected' }));
        rfb.addEventListener('disconnect', (e) => {
          rfbRef.current = null;
          if (cancelled) return;
          const clean = (e as CustomEvent<{ clean: boolean }>).detail?.clean;
          // the close event may come a moment after noVNC's disconnect: read it on the next turn
          setTimeout(
            () =>
              !cancelled &&
              setStatus({ state: 'closed', ...closeMessage(lastClose, clean ? 'Disconnected' : 'The console connection failed') }),
            0,
          );
        });
        rfb.addEventListener('credentialsrequired', () => {
          rfb?.disconnect();
          lastClose = {
            code: 4401,
            reason: `${vmName}'s VNC display asks for a password; Hostdeck never sends display passwords to the browser`,
          };
        });
        rfb.addEventListener('securityfailure', (e) => {
          lastClose = {
            code: 4401,
            reason: `VNC security negotiation failed: ${(e as CustomEvent<{ reason?: string }>).detail?.reason ?? 'refused'}`,
          };
        });
      } catch (error) {
        if (!cancelled) setStatus({ state: 'closed', message: error instanceof Error ? error.message : String(error), error: true });
      }
    })();
    return () => {
      cancelled = true;
      rfbRef.current = null;
      try {
        rfb?.disconnect();
      } catch {
        /* already closed */
      }
    };
    // scale is applied live below; a change of it must not reconnect
  }, [vmId, vmName, attempt]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-applied once connected (noVNC exists only then)
  React.useEffect(() => {
    if (rfbRef.current) rfbRef.current.scaleViewport = scale;
  }, [scale, status.state]);

  const sendCombo = (combo: Combo) => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    for (const [sym, code] of combo.keys) rfb.sendKey(sym, code, true);
    for (const [sym, code] of [...combo.keys].reverse()) rfb.sendKey(sym, code, false);
    rfb.focus();
  };

  const paste = async () => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    let text: string | null = null;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      text = window.prompt('Text to type into the VM (sent as keystrokes):');
    }
    if (!text) return;
    for (const ch of text) {
      const sym = keysymOf(ch);
      if (sym !== null) rfb.sendKey(sym, null);
    }
    rfb.focus();
  };

  const connected = status.state === 'connected';
  return (
    <div className="grid gap-2" data-testid="vnc-viewer">
      <div className="flex flex-wrap items-center gap-2">
        <Button
          size="sm"
          variant="outline"
          disabled={!connected}
          onClick={() => rfbRef.current?.sendCtrlAltDel()}
          data-testid="console-ctrl-alt-del"
        >
          <Keyboard /> Ctrl+Alt+Del
        </Button>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button size="sm" variant="outline" disabled={!connected} data-testid="console-keys">
              <Keyboard /> Keys
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent>
            {COMBOS.map((c) => (
              <DropdownMenuItem key={c.label} onSelect={() => sendCombo(c)}>
                {c.label}
              </DropdownMenuItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
        <Button size="sm" variant="outline" disabled={!connected} onClick={() => void paste()} data-testid="console-paste">
          <ClipboardPaste /> Paste as keystrokes
        </Button>
        <Button size="sm" variant="outline" onClick={() => setScale((s) => !s)} aria-pressed={scale} data-testid="console-scale">
          <Scaling /> {scale ? 'Scaled to fit' : '1:1'}
        </Button>
        <ViewerWindowButtons frameRef={frameRef} popOutHref={popOutHref} windowName={`console-${vmId}-vnc`} />
      </div>
      <div ref={frameRef} className="overflow-auto rounded-md border bg-black">
        <div ref={screenRef} className="h-[60vh] min-h-[320px] w-full" data-testid="console-screen" />
      </div>
      <StatusLine status={status} onReconnect={() => setAttempt((a) => a + 1)} />
    </div>
  );
}
