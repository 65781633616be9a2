// WebSocket upgrades on /console?type=…&vm=…&ticket=… (server.ts hands them
// here). Everything is checked before the upgrade, and a refused request gets
// a plain HTTP status with no SSH channel opened: the ticket's shape, the
// Origin, then spending the ticket (30 s, one session's sockets), that it was
// issued for this VM and console type, that the session cookie (if any) is
// the ticket's user, that this user may still open consoles and has fewer than
// the allowed number open. Only then is the socket upgraded and piped to the
// host (lib/console/session). A reset at any moment ends that socket only.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { getDb } from '@/lib/db';
import { audit } from '@/lib/auth/audit';
import { hasRole } from '@/lib/auth/roles';
import { clientIp, isSecureRequest } from '@/lib/auth/request-meta';
import { readSessionCookie, validateSession } from '@/lib/auth/sessions';
import { skipReason } from '@/lib/hosts/live';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';
import { consoleLimits } from '@/lib/console/config';
import {
  CONSOLE_KINDS,
  CONSOLE_PATH,
  consoleMinRole,
  expireTicket,
  spendTicket,
  startSessionWindow,
  ticketShapeOk,
  type ConsoleKind,
} from '@/lib/console/tickets';
import { CLOSE, ConsoleSession, closeWs } from '@/lib/console/session';

export { CONSOLE_PATH };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 8 * 1024 * 1024,
  clientTracking: false,
  // spice-html5 opens every channel with the `binary` subprotocol and fails unless it is answered.
  handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
});
wss.on('error', () => {});

/** Open sessions by ticket id (SPICE's later sockets join the first one's session). */
const sessions = new Map<string, ConsoleSession>();
const perUser = new Map<string, number>();

export type ConsoleStatus = { sessions: number; sockets: number; byUser: Record<string, number> };

/** Open console sessions and sockets in this process (for tests, benchmarks and health checks). */
export function consoleStatus(): ConsoleStatus {
  let sockets = 0;
  for (const s of sessions.values()) sockets += s.open;
  return { sessions: sessions.size, sockets, byUser: Object.fromEntries(perUser) };
}

/** Close every open console (server shutdown). */
export function closeAllConsoles(reason = 'The server is shutting down'): void {
  for (const s of sessions.values()) s.closeAll(CLOSE.shutdown, reason);
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function cookieReader(header: string | undefined): { get(name: string): { value: string } | undefined } {
  const jar = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      const name = part.slice(0, i).trim();
      if (!jar.has(name)) jar.set(name, part.slice(i + 1).trim());
    }
  }
  return { get: (name) => (jar.has(name) ? { value: jar.get(name)! } : undefined) };
}

function headerReader(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get: (name) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    },
  };
}

/** A browser's Origin must be this server (a cross-site page cannot use a leaked ticket); clients without one (API tools) pass. */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function handleConsoleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer = Buffer.alloc(0)): Promise<void> {
  // A client may reset the connection at any moment: that must end this request only.
  socket.on('error', () => socket.destroy());
  try {
    await upgrade(req, socket, head);
  } catch (error) {
    console.error('[hostdeck] console upgrade failed:', error instanceof Error ? error.message : error);
    refuse(socket, 500, 'Internal Server Error');
  }
}

async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ticket = url.searchParams.get('ticket');
  const vmParam = url.searchParams.get('vm') ?? '';
  const typeParam = url.searchParams.get('type') ?? '';
  if (req.method !== 'GET' || String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(socket, 400, 'Bad Request');
  if (!ticketShapeOk(ticket)) return refuse(socket, 401, 'Unauthorized');
  if (!UUID.test(vmParam) || !(CONSOLE_KINDS as readonly string[]).includes(typeParam)) return refuse(socket, 400, 'Bad Request');
  if (!originAllowed(req)) return refuse(socket, 403, 'Forbidden');
  const ip = clientIp(headerReader(req));

  const spent = await spendTicket(ticket);
  if (!spent.ok) {
    if (spent.userId) {
      await audit({
        action: 'console.refused',
        actor: await userRef(spent.userId),
        ip,
        targetType: 'vm',
        targetId: spent.vmId,
        outcome: 'denied',
        details: { reason: `ticket ${spent.reason}`, kind: typeParam },
      });
    }
    return refuse(socket, 401, 'Unauthorized');
  }
  const t = spent.ticket;
  const kind = t.kind as ConsoleKind;
  const deny = async (status: number, text: string, reason: string) => {
    await audit({
      action: 'console.refused',
      actor: await userRef(t.userId),
      ip,
      targetType: 'vm',
      targetId: t.vmId,
      outcome: 'denied',
      details: { reason, kind },
    });
    refuse(socket, status, text);
  };
  if (t.vmId !== vmParam.toLowerCase() || kind !== typeParam) return deny(403, 'Forbidden', 'ticket issued for another VM or console type');

  const cookieToken = readSessionCookie(cookieReader(req.headers.cookie), isSecureRequest(headerReader(req)));
  if (cookieToken) {
    const session = await validateSession(cookieToken);
    if (session && session.user.id !== t.userId) return deny(403, 'Forbidden', "ticket of another user than the session's");
  }

  const db = getDb();
  const [user, vm, minRole] = await Promise.all([
    db.user.findUnique({ where: { id: t.userId }, select: { id: true, username: true, role: true, disabled: true } }),
    db.vm.findUnique({ where: { id: t.vmId }, select: { id: true, name: true, uuid: true, host: true } }),
    consoleMinRole(),
  ]);
  if (!user || user.disabled || !hasRole(user.role, minRole)) return deny(403, 'Forbidden', 'user may no longer open consoles');
  if (!vm) return refuse(socket, 404, 'Not Found');
  if (skipReason(vm.host)) return deny(409, 'Conflict', `host may not be contacted: ${skipReason(vm.host)}`);

  const limits = consoleLimits();
  // Decrypting the SSH key is the last await: from here to sessions.set nothing
  // yields, so SPICE's sockets arriving together join one session.
  const target = await sshTargetFor(vm.host);
  let session = sessions.get(t.id);
  if (!session || session.ended) {
    const open = perUser.get(user.id) ?? 0;
    if (open >= limits.maxPerUser) return deny(429, 'Too Many Requests', `already ${open} consoles open (limit ${limits.maxPerUser})`);
    session = new ConsoleSession(
      {
        id: t.id,
        kind,
        user: { id: user.id, username: user.username },
        vm: { id: vm.id, name: vm.name, uuid: vm.uuid },
        host: { id: vm.host.id, name: vm.host.name, libvirtUri: vm.host.libvirtUri },
        target,
        ip,
        idleMs: limits.idleMs,
        onConnected: () => void startSessionWindow(t.id).catch(() => {}),
      },
      (ended) => {
        void expireTicket(ended.init.id).catch(() => {});
        if (sessions.get(ended.init.id) === ended) sessions.delete(ended.init.id);
        const n = (perUser.get(ended.init.user.id) ?? 1) - 1;
        if (n > 0) perUser.set(ended.init.user.id, n);
        else perUser.delete(ended.init.user.id);
      },
    );
    sessions.set(t.id, session);
    perUser.set(user.id, (perUser.get(user.id) ?? 0) + 1);
  }
  const size = { cols: clampInt(url.searchParams.get('cols'), 80), rows: clampInt(url.searchParams.get('rows'), 24) };
  const joined = session;
  let accepted = false;
  if (!socket.destroyed) {
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      accepted = true;
      joined.attach(ws, size).catch((error: unknown) => {
        console.error('[hostdeck] console session failed:', error instanceof Error ? error.message : error);
        closeWs(ws, CLOSE.hostUnreachable, 'The console failed');
      });
    });
  }
  // The client left while the checks ran, or its handshake was malformed (ws answered 400).
  if (!accepted) joined.discard();
}

function clampInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 10 && n <= 1000 ? n : fallback;
}

async function userRef(id: string): Promise<{ id: string; username: string } | null> {
  return getDb().user.findUnique({ where: { id }, select: { id: true, username: true } });
}
