'use client';
// The window buttons of every console viewer: full screen (of the viewer's
// frame) and, on the VM page, pop-out into a window of its own (the console
// page, which opens a new console there).
import type * as React from 'react';
import { Expand, ExternalLink } from 'lucide-react';
import { Button } from '@/components/ui/button';

export function ViewerWindowButtons({
  frameRef,
  popOutHref,
  windowName,
  width = 1040,
  height = 820,
}: {
  /** The element shown full screen: the viewer's screen or terminal with its frame. */
  frameRef: React.RefObject<HTMLElement | null>;
  /** The console page to open in a window; no pop-out button without it (e.g. in that window itself). */
  popOutHref?: string;
  /** The pop-out window's name: one window per VM and console type. */
  windowName: string;
  width?: number;
  height?: number;
}) {
  return (
    <>
      <Button size="sm" variant="outline" onClick={() => void frameRef.current?.requestFullscreen()} data-testid="console-fullscreen">
        <Expand /> Full screen
      </Button>
      {popOutHref && (
        <Button
          size="sm"
          variant="outline"
          onClick={() => window.open(popOutHref, windowName, `popup,width=${width},height=${height}`)}
          data-testid="console-popout"
        >
          <ExternalLink /> Pop out
        </Button>
      )}
    </>
  );
}
