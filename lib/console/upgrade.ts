// WebSocket upgrades on /console. Consoles (VNC, SPICE, serial) come with a later
// issue; until then every upgrade is answered 401 unless it carries a valid
// ticket, and no ticket can be issued yet, so nothing is ever tunnelled.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { getDb } from '@/lib/db';
import { sha256Hex } from '@/lib/auth/crypto';

export const CONSOLE_PATH = '/console';

function reject(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function handleConsoleUpgrade(req: IncomingMessage, socket: Duplex): Promise<void> {
  const ticket = new URL(req.url ?? '/', 'http://localhost').searchParams.get('ticket');
  if (!ticket || ticket.length > 128) return reject(socket, 401, 'Unauthorized');
  const found = await getDb().consoleTicket.findUnique({ where: { id: sha256Hex(ticket) } });
  if (!found || found.expiresAt < new Date()) return reject(socket, 401, 'Unauthorized');
  reject(socket, 501, 'Not Implemented');
}
