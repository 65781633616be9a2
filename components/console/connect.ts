// What every console viewer does first: ask the server for a one-time ticket
// (server action: role checked, audited) and turn the path it returns into a
// WebSocket URL on this same server. The ticket is the only secret the browser
// ever holds; it is good for 30 seconds and one console session.
import { consoleTicketAction } from '@/lib/actions/console';

export type ConsoleType = 'vnc' | 'spice' | 'serial';

export type ViewerStatus =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'closed'; message: string; error: boolean };

export async function consoleSocketUrl(vmId: string, type: ConsoleType, extra: Record<string, string> = {}): Promise<string> {
  const result = await consoleTicketAction({ vmId, type });
  if (!result?.data) throw new Error(result?.serverError ?? 'Could not get a console ticket');
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams(extra).toString();
  return `${scheme}//${window.location.host}${result.data.url}${query ? `&${query}` : ''}`;
}

/** What the viewer says when the server closed the socket (close codes of lib/console/session). */
export function closeMessage(event: { code: number; reason: string } | null, fallback: string): { message: string; error: boolean } {
  if (!event) return { message: fallback, error: true };
  if (event.reason) return { message: event.reason, error: event.code !== 1000 };
  if (event.code === 1000) return { message: 'Disconnected', error: false };
  if (event.code === 1006) return { message: 'The connection to Hostdeck was lost', error: true };
  return { message: fallback, error: true };
}

/** Keysyms for text typed as keystrokes (X11: Latin-1 as is, other characters as 0x01000000 + code point). */
export function keysymOf(ch: string): number | null {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return null;
  if (ch === '\n' || ch === '\r') return 0xff0d; // Return
  if (ch === '\t') return 0xff09; // Tab
  if (cp < 0x20 || cp === 0x7f) return null;
  if (cp <= 0xff) return cp;
  return 0x01000000 + cp;
}
