// Console tickets: what lets a browser open the WebSocket of one console
// session (docs/architecture.md, Consoles). A ticket is 32 random bytes, valid for 30 seconds,
// stored only as its SHA-256, bound to one user, one VM and one console type,
// and admits the sockets of one session: one for VNC and serial, four for SPICE
// (main, display, inputs, cursor), those within one second of the first. It is
// spent atomically in the database, so two processes behind a load balancer
// cannot both accept it. The browser gets the ticket and the path of the
// WebSocket, never a host address, port, SSH credential or display password.
import { getDb } from '@/lib/db';
import { DomainError } from '@/lib/errors';
import type { ConsoleKind } from '@/lib/generated/prisma/enums';
import { randomSecret, sha256Hex } from '@/lib/auth/crypto';
import { hasRole, ROLES, type Role } from '@/lib/auth/roles';
import { skipReason } from '@/lib/hosts/live';

export const CONSOLE_PATH = '/console';
export const CONSOLE_KINDS = ['vnc', 'spice', 'serial'] as const satisfies readonly ConsoleKind[];
export type { ConsoleKind };

export const TICKET_TTL_MS = 30_000;
/** SPICE opens its channels one after another: all of them must arrive this soon after the first. */
export const SESSION_WINDOW_MS = 1_000;
export const SOCKETS_PER_SESSION: Record<ConsoleKind, number> = { vnc: 1, spice: 4, serial: 1 };

/** The Setting row holding the least role that may open consoles (an admin setting; default operator). */
export const CONSOLE_ROLE_SETTING = 'console.minRole';
export const DEFAULT_CONSOLE_ROLE: Role = 'operator';

export const CONSOLE_LABELS: Record<ConsoleKind, string> = { vnc: 'VNC', spice: 'SPICE', serial: 'serial console' };

/** A refusal meant for the operator (lib/errors): 403 forbidden, 404 not found, 409 conflict. */
export class ConsoleTicketError extends DomainError {
  constructor(status: 403 | 404 | 409, message: string) {
    super(status === 403 ? 'forbidden' : status === 404 ? 'not_found' : 'conflict', message);
  }
}

export async function consoleMinRole(): Promise<Role> {
  const row = await getDb().setting.findUnique({ where: { key: CONSOLE_ROLE_SETTING } });
  const value = row?.value;
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value) && value !== 'viewer'
    ? (value as Role)
    : DEFAULT_CONSOLE_ROLE;
}

/** Admins only (the caller checks): the least role that may open consoles; viewers never may. */
export async function setConsoleMinRole(role: Role): Promise<void> {
  if (role === 'viewer') throw new ConsoleTicketError(409, 'Viewers cannot be allowed to open consoles: a console is control of the VM');
  await getDb().setting.upsert({
    where: { key: CONSOLE_ROLE_SETTING },
    create: { key: CONSOLE_ROLE_SETTING, value: role },
    update: { value: role },
  });
}

/** Whether the VM's spec has this console (imported or defined VMs: graphics and serialConsole, with the spec's defaults). */
export function vmHasConsole(spec: unknown, kind: ConsoleKind): boolean {
  const s = (spec && typeof spec === 'object' ? spec : {}) as { graphics?: { vnc?: boolean; spice?: boolean }; serialConsole?: boolean };
  if (kind === 'vnc') return s.graphics?.vnc ?? true;
  if (kind === 'spice') return s.graphics?.spice ?? false;
  return s.serialConsole ?? true;
}

export function consoleUrl(vmId: string, kind: ConsoleKind, ticket: string): string {
  return `${CONSOLE_PATH}?${new URLSearchParams({ type: kind, vm: vmId, ticket })}`;
}

export type IssuedTicket = { ticket: string; url: string; expiresAt: Date; sockets: number };

/**
 * A new ticket for `user` to open the `kind` console of VM `vmId`. Checks the
 * user's role against the console setting, that the VM exists, has that
 * console and that its host may be contacted. Throws ConsoleTicketError.
 */
export async function issueConsoleTicket(
  user: { id: string; role: Role },
  vmId: string,
  kind: ConsoleKind,
  now = new Date(),
): Promise<IssuedTicket> {
  const required = await consoleMinRole();
  if (!hasRole(user.role, required))
    throw new ConsoleTicketError(403, `Opening a console needs the ${required} role; you are ${user.role}`);
  const db = getDb();
  const vm = await db.vm.findUnique({
    where: { id: vmId },
    select: {
      id: true,
      name: true,
      spec: true,
      host: { select: { name: true, hostKeyFingerprint: true, status: true, libvirtUri: true, spec: true } },
    },
  });
  if (!vm) throw new ConsoleTicketError(404, 'No such VM');
  if (!vmHasConsole(vm.spec, kind)) throw new ConsoleTicketError(409, `${vm.name} has no ${CONSOLE_LABELS[kind]}`);
  const skip = skipReason(vm.host);
  if (skip) throw new ConsoleTicketError(409, `Cannot reach ${vm.host.name}: ${skip}`);
  const ticket = randomSecret(32);
  const expiresAt = new Date(now.getTime() + TICKET_TTL_MS);
  const sockets = SOCKETS_PER_SESSION[kind];
  await db.consoleTicket.create({
    data: { id: sha256Hex(ticket), userId: user.id, vmId, kind, maxSockets: sockets, expiresAt, createdAt: now },
  });
  // Spent and expired tickets are worthless: keep the table small.
  await db.consoleTicket.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 60 * 60_000) } } });
  return { ticket, url: consoleUrl(vmId, kind, ticket), expiresAt, sockets };
}

export type SpentTicket = { id: string; userId: string; vmId: string; kind: ConsoleKind; socket: number; maxSockets: number };
export type TicketRefusal = 'unknown' | 'expired' | 'used';

/** Whether a string can be a ticket at all (checked before any database work). */
export function ticketShapeOk(ticket: string | null): ticket is string {
  return !!ticket && /^[A-Za-z0-9_-]{43}$/.test(ticket);
}

/**
 * Spends one socket of the ticket, atomically (never more than maxSockets, never
 * after expiresAt). The session then narrows the ticket's life with
 * startSessionWindow once its first socket reaches the VM, and ends it with
 * expireTicket when the session ends: nothing can use it afterwards.
 */
export async function spendTicket(
  ticket: string,
  now = new Date(),
): Promise<{ ok: true; ticket: SpentTicket } | { ok: false; reason: TicketRefusal; userId?: string; vmId?: string }> {
  const id = sha256Hex(ticket);
  const db = getDb();
  const rows = await db.$queryRaw<{ userId: string; vmId: string; kind: ConsoleKind; usedSockets: number; maxSockets: number }[]>`
    UPDATE "ConsoleTicket"
       SET "usedSockets" = "usedSockets" + 1
     WHERE "id" = ${id} AND "usedSockets" < "maxSockets" AND "expiresAt" > ${now}
 RETURNING "userId"::text AS "userId", "vmId"::text AS "vmId", "kind"::text AS "kind", "usedSockets", "maxSockets"`;
  const row = rows[0];
  if (row)
    return {
      ok: true,
      ticket: { id, userId: row.userId, vmId: row.vmId, kind: row.kind, socket: row.usedSockets, maxSockets: row.maxSockets },
    };
  const found = await db.consoleTicket.findUnique({
    where: { id },
    select: { userId: true, vmId: true, usedSockets: true, maxSockets: true, expiresAt: true },
  });
  if (!found) return { ok: false, reason: 'unknown' };
  const reason: TicketRefusal = found.usedSockets >= found.maxSockets ? 'used' : 'expired';
  return { ok: false, reason, userId: found.userId, vmId: found.vmId };
}

/**
 * The session's first socket is piped to the VM: the rest of its sockets (SPICE's
 * display, inputs and cursor) must follow within SESSION_WINDOW_MS. Counted from
 * here, not from the first upgrade, so a slow SSH round trip to the host does not
 * eat the window.
 */
export async function startSessionWindow(id: string, now = new Date()): Promise<void> {
  const end = new Date(now.getTime() + SESSION_WINDOW_MS);
  await getDb().consoleTicket.updateMany({ where: { id, expiresAt: { gt: end } }, data: { expiresAt: end } });
}

/** The session ended: its ticket admits nothing more. */
export async function expireTicket(id: string, now = new Date()): Promise<void> {
  await getDb().consoleTicket.updateMany({ where: { id, expiresAt: { gt: now } }, data: { expiresAt: now } });
}
