// The console proxy against a real lab host (lab6: OpenSSH sshd + libvirtd +
// QEMU): lib/console/upgrade on a plain Node HTTP server (as server.ts mounts
// it), real tickets in a real PostgreSQL, real ws clients. VNC answers its RFB
// banner through the SSH forward, SPICE admits four sockets and no fifth, the
// serial console echoes a keystroke of the lab-serial guest. Every refusal has
// its own test, and each proves no SSH channel was asked for (the pool's
// lease() — every exec and forward goes through it — is never called).
import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { useTestDatabase } from '@/tests/helpers/db';
import { addLabHost } from '@/tests/helpers/lab-host';
import { ensureLab, labCtl, labIndex, sshArgs, type LabHost } from '@/tests/helpers/lab';
import { createSession } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import { getDb } from '@/lib/db';
import { closeAll, defaultPool } from '@/lib/ssh';
import { consoleStatus, handleConsoleUpgrade } from '@/lib/console/upgrade';
import { ConsoleTicketError, issueConsoleTicket, setConsoleMinRole, TICKET_TTL_MS, type ConsoleKind } from '@/lib/console/tickets';
import { changePolicies, readPolicies } from '@/lib/settings';

const run = promisify(execFile);
useTestDatabase();

let lab: LabHost;
let hostId: string;
let server: http.Server;
let base: string;
const vms: Record<'one' | 'two' | 'serial', string> = {} as never;
const users: Record<'olga' | 'otto' | 'viktor', { id: string; role: 'operator' | 'viewer' }> = {} as never;

const virsh = async (...argv: string[]) => (await run('ssh', [...sshArgs(lab), 'virsh', ...argv])).stdout.trim();

async function vmRow(name: string, spec: object): Promise<string> {
  const uuid = await virsh('domuuid', name);
  return (await getDb().vm.create({ data: { hostId, name, uuid, vcpus: 1, memoryMiB: 64, spec: { name, uuid, ...spec } } })).id;
}

beforeAll(async () => {
  lab = (await ensureLab(6))[5]!;
  await labCtl(['guest-serial', String(labIndex(lab))]);
  if ((await virsh('domstate', 'lab-vm-1')) !== 'running') await virsh('start', 'lab-vm-1');
  if ((await virsh('domstate', 'lab-vm-2')) !== 'shut off') await virsh('destroy', 'lab-vm-2');
  hostId = await addLabHost(lab);
  vms.one = await vmRow('lab-vm-1', { graphics: { vnc: true, spice: true }, serialConsole: true });
  vms.two = await vmRow('lab-vm-2', { graphics: { vnc: true, spice: true }, serialConsole: true });
  vms.serial = await vmRow('lab-serial', { graphics: { vnc: true, spice: false }, serialConsole: true });
  for (const [name, role] of [
    ['olga', 'operator'],
    ['otto', 'operator'],
    ['viktor', 'viewer'],
  ] as const) {
    users[name] = { id: (await createUser({ username: name, password: `${name}-password-123`, role })).id, role };
  }
  server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => void handleConsoleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}, 240_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await closeAll();
});

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.HOSTDECK_CONSOLE_IDLE_MS;
  delete process.env.HOSTDECK_CONSOLE_MAX_PER_USER;
});

const ticketFor = (user: keyof typeof users, vm: keyof typeof vms, kind: ConsoleKind, now?: Date) =>
  issueConsoleTicket(users[user], vms[vm], kind, now);

type Opened = { ws: WebSocket; protocol: string };
type Outcome = { ok: true; ws: WebSocket; protocol: string } | { ok: false; status: number };

/** Opens a WebSocket; resolves with it once open, or with the HTTP status of a refused upgrade. */
function connect(path: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}${path}`, options.protocols ?? [], { headers: options.headers });
    ws.once('open', () => resolve({ ok: true, ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

async function open(path: string, options?: Parameters<typeof connect>[1]): Promise<Opened> {
  const r = await connect(path, options);
  if (!r.ok) throw new Error(`refused with ${r.status}`);
  return r;
}

/** Collects binary data until `predicate(all bytes so far)` holds. */
function readUntil(ws: WebSocket, predicate: (all: Buffer) => boolean, timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let all = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(all.toString('latin1').slice(-200))}`)), timeoutMs);
    const onMessage = (data: Buffer) => {
      all = Buffer.concat([all, data]);
      if (predicate(all)) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(all);
      }
    };
    ws.on('message', onMessage);
  });
}

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function auditOf(action: string) {
  return getDb().auditEvent.findMany({ where: { action }, orderBy: { at: 'asc' } });
}

/** Expects `path` to be refused with `status` before any SSH work. */
async function expectRefused(path: string, status: number, options?: Parameters<typeof connect>[1]) {
  const lease = vi.spyOn(defaultPool(), 'lease');
  const r = await connect(path, options);
  expect(r.ok ? 'accepted' : r.status).toBe(status);
  expect(lease).not.toHaveBeenCalled();
}

describe('VNC', () => {
  it('pipes the VM display through the SSH forward, closes the channel with the socket, and audits the session', async () => {
    const { url } = await ticketFor('olga', 'one', 'vnc');
    const { ws } = await open(url);
    const banner = await readUntil(ws, (b) => b.length >= 12);
    expect(banner.subarray(0, 12).toString('latin1')).toMatch(/^RFB 003\.00\d\n$/);
    expect(defaultPool().status(hostId).forwards).toBe(1);
    ws.send(Buffer.from('RFB 003.008\n'));
    // the server lists its security types: one byte count, then the types (1 = None)
    const types = await readUntil(ws, (b) => b.length >= 2);
    expect(types[0]).toBeGreaterThan(0);
    ws.close();
    await waitFor(() => defaultPool().status(hostId).forwards === 0);
    await waitFor(async () => (await auditOf('console.session')).length > 0);
    const [entry] = await auditOf('console.session');
    expect(entry).toMatchObject({ actorName: 'olga', targetType: 'vm', targetId: vms.one, outcome: 'ok' });
    const details = entry!.details as Record<string, unknown>;
    expect(details).toMatchObject({ kind: 'vnc', vm: 'lab-vm-1', bytesToVm: 12, sockets: 1 });
    expect(details.bytesFromVm as number).toBeGreaterThanOrEqual(14);
    expect(Date.parse(details.endedAt as string)).toBeGreaterThanOrEqual(Date.parse(details.startedAt as string));
    expect((await auditOf('console.open')).map((e) => e.actorName)).toContain('olga');
    expect(consoleStatus().sessions).toBe(0);
  });

  it('reports a stopped VM with a clear close status', async () => {
    const { url } = await ticketFor('olga', 'two', 'vnc');
    const { ws } = await open(url);
    const started = Date.now();
    expect(await closed(ws)).toEqual({ code: 4404, reason: 'lab-vm-2 is not running' });
    expect(Date.now() - started).toBeLessThan(10_000); // the close handshake completes (no 30 s close timeout)
  });
});

describe('refusals (none opens an SSH channel)', () => {
  it('no ticket', async () => {
    await expectRefused(`/console?type=vnc&vm=${vms.one}`, 401);
  });

  it('a forged ticket', async () => {
    await expectRefused(`/console?type=vnc&vm=${vms.one}&ticket=${'A'.repeat(43)}`, 401);
  });

  it('a reused ticket', async () => {
    const { url } = await ticketFor('olga', 'one', 'vnc');
    const { ws } = await open(url);
    await readUntil(ws, (b) => b.length >= 12);
    await expectRefused(url, 401);
    ws.close();
    await closed(ws);
  });

  it('an expired ticket', async () => {
    const { url } = await ticketFor('olga', 'one', 'vnc', new Date(Date.now() - TICKET_TTL_MS - 1));
    await expectRefused(url, 401);
  });

  it('a ticket for another VM', async () => {
    const { ticket } = await ticketFor('olga', 'one', 'vnc');
    await expectRefused(`/console?type=vnc&vm=${vms.two}&ticket=${ticket}`, 403);
  });

  it('a ticket for another console type', async () => {
    const { ticket } = await ticketFor('olga', 'one', 'vnc');
    await expectRefused(`/console?type=spice&vm=${vms.one}&ticket=${ticket}`, 403);
  });

  it("a ticket presented with another user's session cookie", async () => {
    const { url } = await ticketFor('olga', 'one', 'vnc');
    const otto = await createSession(users.otto.id, {});
    await expectRefused(url, 403, { headers: { cookie: `hostdeck_session=${otto.token}` } });
  });

  it('a cross-site page (foreign Origin)', async () => {
    const { url } = await ticketFor('olga', 'one', 'vnc');
    await expectRefused(url, 403, { headers: { origin: 'http://evil.example' } });
  });

  it('a viewer gets no ticket, and a ticket whose user became a viewer is refused', async () => {
    await expect(ticketFor('viktor', 'one', 'vnc')).rejects.toMatchObject({ status: 403 });
    const { url } = await ticketFor('otto', 'one', 'vnc');
    await getDb().user.update({ where: { id: users.otto.id }, data: { role: 'viewer' } });
    try {
      await expectRefused(url, 403);
    } finally {
      await getDb().user.update({ where: { id: users.otto.id }, data: { role: 'operator' } });
    }
  });

  it('the least role is an admin setting: approver-only consoles refuse operators; changes are audited', async () => {
    const actor = { user: { id: users.olga.id, username: 'olga' }, via: 'web' as const, credential: { via: 'session' } };
    expect(await changePolicies({ consoleMinRole: 'approver' }, actor)).toEqual({ consoleMinRole: 'approver', fourEyes: true });
    try {
      await expect(ticketFor('olga', 'one', 'vnc')).rejects.toMatchObject({ status: 403, message: expect.stringContaining('approver') });
    } finally {
      await changePolicies({ consoleMinRole: 'operator' }, actor);
    }
    await expect(setConsoleMinRole('viewer')).rejects.toBeInstanceOf(ConsoleTicketError);
    await expect(changePolicies({ consoleMinRole: 'viewer' }, actor)).rejects.toBeInstanceOf(ConsoleTicketError);
    expect(await readPolicies()).toEqual({ consoleMinRole: 'operator', fourEyes: true });
    const entries = await auditOf('settings.update');
    expect(entries.map((e) => [e.outcome, (e.details as { consoleMinRole: string }).consoleMinRole])).toEqual([
      ['ok', 'approver'],
      ['ok', 'operator'],
      ['failed', 'viewer'],
    ]);
    expect(entries[0]).toMatchObject({ actorName: 'olga', targetType: 'settings', targetId: 'policies' });
    expect(entries[0]!.details).toMatchObject({ consoleMinRoleBefore: 'operator', fourEyes: null, fourEyesBefore: true });
  });

  it('a console the VM does not have gets no ticket', async () => {
    await expect(ticketFor('olga', 'serial', 'spice')).rejects.toMatchObject({ status: 409 });
  });

  it('more consoles than the per-user limit', async () => {
    process.env.HOSTDECK_CONSOLE_MAX_PER_USER = '1';
    const first = await open((await ticketFor('olga', 'one', 'vnc')).url);
    await readUntil(first.ws, (b) => b.length >= 12);
    await expectRefused((await ticketFor('olga', 'one', 'vnc')).url, 429);
    first.ws.close();
    await closed(first.ws);
  });
});

describe('SPICE', () => {
  it('admits the four sockets of one session with the binary subprotocol, and refuses a fifth', async () => {
    const { url } = await ticketFor('olga', 'one', 'spice');
    const sockets = await Promise.all([1, 2, 3, 4].map(() => open(url, { protocols: ['binary'] })));
    expect(sockets.map((s) => s.protocol)).toEqual(['binary', 'binary', 'binary', 'binary']);
    await expectRefused(url, 401, { protocols: ['binary'] });
    // SPICE's link: the client speaks first ("REDQ" + version 2.2 + sizes); the server answers with its own header.
    const link = Buffer.alloc(16);
    link.write('REDQ', 0, 'latin1');
    link.writeUInt32LE(2, 4);
    link.writeUInt32LE(2, 8);
    link.writeUInt32LE(0, 12);
    const first = sockets[0]!.ws;
    const body = Buffer.alloc(18 + 4);
    body.writeUInt32LE(0, 0); // connection id
    body.writeUInt8(1, 4); // channel type main
    body.writeUInt8(0, 5); // channel id
    body.writeUInt32LE(0, 6); // common caps
    body.writeUInt32LE(0, 10); // channel caps
    body.writeUInt32LE(18, 14); // caps offset
    link.writeUInt32LE(body.length, 12);
    first.send(Buffer.concat([link, body]));
    const reply = await readUntil(first, (b) => b.length >= 16);
    expect(reply.subarray(0, 4).toString('latin1')).toBe('REDQ');
    for (const s of sockets) s.ws.close();
    await waitFor(() => defaultPool().status(hostId).forwards === 0 && consoleStatus().sessions === 0);
    const spiceSessions = async () => (await auditOf('console.session')).filter((e) => (e.details as { kind: string }).kind === 'spice');
    await waitFor(async () => (await spiceSessions()).length > 0);
    const spice = await spiceSessions();
    expect(spice).toHaveLength(1);
    expect(spice[0]!.details).toMatchObject({ sockets: 4 });
  });
});

describe('serial console', () => {
  it('relays the guest serial port both ways: a keystroke comes back', async () => {
    const { url } = await ticketFor('olga', 'serial', 'serial');
    const { ws } = await open(url);
    // virsh console announces itself; then the guest echoes what it receives
    await readUntil(ws, (b) => b.toString('latin1').includes('Escape character'));
    ws.send(JSON.stringify({ resize: [100, 30] }));
    ws.send(Buffer.from('hostdeck-42\r'));
    await readUntil(ws, (b) => b.toString('latin1').includes('hostdeck-42'));
    ws.close();
    await waitFor(() => defaultPool().status(hostId).openChannels === 0 && consoleStatus().sessions === 0);
  });
});

describe('robustness', () => {
  it("ws unmasks the browser's frames with the native bufferutil, not its JavaScript fallback", () => {
    // ws loads bufferutil when it can (an optional dependency with prebuilt binaries); the benchmark's throughput depends on it
    const require = createRequire(import.meta.url);
    expect(process.env.WS_NO_BUFFER_UTIL).toBeUndefined();
    const native = require('bufferutil') as { mask: unknown; unmask: unknown };
    const fallback = require('bufferutil/fallback') as { mask: unknown; unmask: unknown };
    expect(native.unmask).not.toBe(fallback.unmask);
    expect(String(native.unmask)).toContain('[native code]');
  });

  it('ends idle sessions after the configured time', async () => {
    process.env.HOSTDECK_CONSOLE_IDLE_MS = '1200';
    const { ws } = await open((await ticketFor('olga', 'one', 'vnc')).url);
    const { code, reason } = await closed(ws);
    expect(code).toBe(4408);
    expect(reason).toContain('without input');
    await waitFor(() => defaultPool().status(hostId).forwards === 0);
  });

  it('200 clients resetting mid-upgrade leave the server healthy', async () => {
    const { port } = server.address() as net.AddressInfo;
    const tickets = await Promise.all(Array.from({ length: 20 }, () => ticketFor('otto', 'one', 'vnc')));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const path = i < tickets.length ? tickets[i]!.url : `/console?type=vnc&vm=${vms.one}&ticket=${'B'.repeat(43)}`;
        const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
        return new Promise<void>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => {
            // half a request, the whole one, or the whole one and a moment: then a TCP reset
            s.write(i % 3 === 0 ? request.slice(0, 40) : request);
            const reset = () => {
              s.resetAndDestroy();
              resolve();
            };
            if (i % 3 === 2) setImmediate(reset);
            else reset();
          });
          s.on('error', () => resolve());
        });
      }),
    );
    // the server still serves a console, and whatever was opened is closed again
    const { ws } = await open((await ticketFor('olga', 'one', 'vnc')).url);
    await readUntil(ws, (b) => b.length >= 12);
    ws.close();
    await waitFor(() => consoleStatus().sessions === 0 && defaultPool().status(hostId).forwards === 0);
  });

  it('stopping the host sshd closes the console with a clear status', async () => {
    const n = String(labIndex(lab));
    const { ws } = await open((await ticketFor('olga', 'one', 'vnc')).url);
    await readUntil(ws, (b) => b.length >= 12);
    const done = closed(ws);
    await labCtl(['sshd-stop', n]);
    try {
      expect(await done).toEqual({ code: 4503, reason: `Lost the SSH connection to ${lab.name}` });
    } finally {
      await labCtl(['sshd-start', n]);
    }
    await waitFor(async () =>
      (await auditOf('console.session')).some((e) => (e.details as { end: string }).end === 'host connection lost'),
    );
  });
});
