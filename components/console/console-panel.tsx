'use client';
// The console section of a VM page: one button per console the VM has (VNC,
// SPICE, serial). Nothing connects until the operator picks one; switching
// closes the previous console. Viewers see which consoles exist, not the buttons.
import * as React from 'react';
import dynamic from 'next/dynamic';
import { Monitor, MonitorX, TerminalSquare } from 'lucide-react';
import { Button } from '@/components/ui/button';
import type { ConsoleType } from '@/components/console/connect';

const VncViewer = dynamic(() => import('@/components/console/vnc-viewer').then((m) => m.VncViewer), { ssr: false });
const SpiceViewer = dynamic(() => import('@/components/console/spice-viewer').then((m) => m.SpiceViewer), { ssr: false });
const SerialViewer = dynamic(() => import('@/components/console/serial-viewer').then((m) => m.SerialViewer), { ssr: false });

const LABELS: Record<ConsoleType, string> = { vnc: 'VNC', spice: 'SPICE', serial: 'Serial' };

type Props = {
  vmId: string;
  vmName: string;
  kinds: ConsoleType[];
  canOpen: boolean;
  running: boolean;
  initial?: ConsoleType | null;
  popOut?: boolean;
};

export function ConsolePanel({ vmId, vmName, kinds, canOpen, running, initial = null, popOut = true }: Props) {
  const [open, setOpen] = React.useState<ConsoleType | null>(initial && kinds.includes(initial) ? initial : null);
  if (kinds.length === 0) return <p className="text-sm text-muted-foreground">This VM has no console.</p>;
  if (!canOpen)
    return (
      <p className="text-sm text-muted-foreground">
        Consoles: {kinds.map((k) => LABELS[k]).join(', ')} (opening one needs the operator role).
      </p>
    );
  const href = (k: ConsoleType) => (popOut ? `/vms/${vmId}/console?type=${k}` : undefined);
  return (
    <div className="grid gap-3" data-testid="console-panel">
      <div className="flex flex-wrap items-center gap-2">
        {kinds.map((k) => (
          <Button
            key={k}
            size="sm"
            variant={open === k ? 'default' : 'outline'}
            onClick={() => setOpen(k)}
            data-testid={`console-open-${k}`}
          >
            {k === 'serial' ? <TerminalSquare /> : <Monitor />} {LABELS[k]}
          </Button>
        ))}
        {open && (
          <Button size="sm" variant="ghost" onClick={() => setOpen(null)} data-testid="console-close">
            <MonitorX /> Close console
          </Button>
        )}
        {!running && <span className="text-xs text-muted-foreground">{vmName} is not running: graphical consoles open once it runs.</span>}
      </div>
      {open === 'vnc' && <VncViewer key="vnc" vmId={vmId} vmName={vmName} popOutHref={href('vnc')} />}
      {open === 'spice' && <SpiceViewer key="spice" vmId={vmId} popOutHref={href('spice')} />}
      {open === 'serial' && <SerialViewer key="serial" vmId={vmId} popOutHref={href('serial')} />}
    </div>
  );
}
