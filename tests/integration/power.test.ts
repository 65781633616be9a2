// Power actions against a real lab host (lab4: OpenSSH + libvirtd), through the
// real server action (session cookie → role check → lib/hosts/power → audit);
// only next/headers and next/cache are stood in for, since there is no request.
// Every action is checked with virsh over OpenSSH. The lab guests have no OS,
// so ACPI shutdown/reboot leave them running: that the request reached the
// guest is checked by QEMU's POWERDOWN event (virsh qemu-monitor-event).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { addLabHost } from '@/tests/helpers/lab-host';
import { ensureLab, sshArgs, type LabHost } from '@/tests/helpers/lab';
import { waitFor } from '@/tests/helpers/wait';

const session = vi.hoisted(() => ({ token: '' }));
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (name === 'hostdeck_session' && session.token ? { name, value: session.token } : undefined),
  }),
  headers: async () => new Headers({ 'x-hostdeck-client-ip': '192.0.2.7', 'user-agent': 'vitest' }),
}));
vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

import { revalidatePath } from 'next/cache';
import { powerVmAction } from '@/lib/actions/power';
import { createSession } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import { getDb } from '@/lib/db';
import { powerAction } from '@/lib/hosts/power';
import { closeAll } from '@/lib/ssh';

const run = promisify(execFile);
useTestDatabase();
let lab: LabHost;
let hostId: string;
const vm: Record<'one' | 'two', { id: string; uuid: string }> = {} as never;
const initial: Record<string, string> = {};
let operatorToken: string;
let viewerToken: string;

async function virsh(...argv: string[]): Promise<string> {
  return (await run('ssh', [...sshArgs(lab), 'virsh', ...argv])).stdout.trim();
}
const domstate = (name: string) => virsh('domstate', name);

/**
 * Listens for QEMU's POWERDOWN event of `name` (what an ACPI shutdown or reboot
 * sends). virsh prints nothing until an event comes, so the listener also
 * takes VNC_CONNECTED: it is registered once it reports a connection we make
 * to the guest's VNC display (harmless: the RFB banner is read, then closed).
 */
async function powerdownListener(name: string): Promise<{ seen: Promise<boolean> }> {
  const child = spawn('ssh', [
    ...sshArgs(lab),
    'virsh',
    'qemu-monitor-event',
    name,
    '--loop',
    '--regex',
    '--event',
    "'^(VNC_CONNECTED|POWERDOWN)$'",
    '--timeout',
    '60',
  ]);
  let out = '';
  const seen = new Promise<boolean>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/event POWERDOWN/.test(out)) {
        resolve(true);
        child.kill();
      }
    });
    child.on('close', () => resolve(/event POWERDOWN/.test(out)));
  });
  const display = /^vnc:\/\/127\.0\.0\.1:(\d+)$/m.exec(await virsh('domdisplay', name, '--type', 'vnc'));
  if (!display) throw new Error(`${name} has no VNC display on 127.0.0.1`);
  const port = 5900 + Number(display[1]);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`virsh qemu-monitor-event ended early: ${out}`);
      await run('ssh', [...sshArgs(lab), `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && head -c 12 <&3'`]);
      return /event VNC_CONNECTED/.test(out);
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `virsh qemu-monitor-event to listen to ${name}` },
  );
  return { seen };
}

async function act(token: string, vmId: string, action: string) {
  session.token = token;
  return powerVmAction({ vmId, action: action as never });
}

beforeAll(async () => {
  lab = (await ensureLab(4))[3]!;
  hostId = await addLabHost(lab);
  for (const [slot, name] of [
    ['one', 'lab-vm-1'],
    ['two', 'lab-vm-2'],
  ] as const) {
    const uuid = await virsh('domuuid', name);
    initial[name] = await domstate(name);
    const row = await getDb().vm.create({ data: { hostId, name, uuid, vcpus: 1, memoryMiB: 64, spec: {} } });
    vm[slot] = { id: row.id, uuid };
  }
  // lab-vm-2 is expected shut off (scripts/lab.sh); put it there if an earlier run left it otherwise.
  if (initial['lab-vm-2'] !== 'shut off') await virsh('destroy', 'lab-vm-2');
  const operator = await createUser({ username: 'olga', password: 'operator-password-1', role: 'operator' });
  const viewer = await createUser({ username: 'viktor', password: 'viewer-password-12', role: 'viewer' });
  operatorToken = (await createSession(operator.id, {})).token;
  viewerToken = (await createSession(viewer.id, {})).token;
}, 180_000);

afterAll(async () => {
  // Leave the lab guests as scripts/lab.sh makes them: lab-vm-1 running, lab-vm-2 shut off.
  if (lab) {
    if ((await domstate('lab-vm-2')) !== 'shut off') await virsh('destroy', 'lab-vm-2');
    const one = await domstate('lab-vm-1');
    if (one === 'paused') await virsh('resume', 'lab-vm-1');
    if (one === 'shut off') await virsh('start', 'lab-vm-1');
  }
  await closeAll();
});

async function lastAudit() {
  return getDb().auditEvent.findFirstOrThrow({ where: { action: 'vm.power' }, orderBy: { id: 'desc' } });
}

async function stored(vmId: string) {
  return (await getDb().vm.findUniqueOrThrow({ where: { id: vmId } })).liveState;
}

describe('power actions on a lab host', () => {
  it('a viewer is refused by the action (role rule of its metadata), audited as denied, and nothing reaches the host', async () => {
    const result = await act(viewerToken, vm.two.id, 'start');
    expect(result.serverError).toBe('This needs the operator role; you are viewer.');
    expect(result.data).toBeUndefined();
    const denied = await lastAudit();
    expect(denied).toMatchObject({ actorName: 'viktor', outcome: 'denied', ip: '192.0.2.7' });
    expect(await domstate('lab-vm-2')).toBe('shut off');
    // and without a session at all
    expect((await act('', vm.two.id, 'start')).serverError).toMatch(/log in again/);
  });

  it('rejects input that is not a VM id and a power action', async () => {
    const result = await act(operatorToken, 'not-a-uuid', 'explode');
    expect(result.validationErrors?.fieldErrors).toMatchObject({ vmId: ['Not a valid VM id'], action: ['Not a power action'] });
  });

  it('start, pause, resume, ACPI shutdown and reboot, force off: each changes (or reaches) the real domain, and the state is stored at once', async () => {
    const steps: { action: string; virsh: string; stored: string; powerdown?: boolean }[] = [
      { action: 'start', virsh: 'running', stored: 'running' },
      { action: 'suspend', virsh: 'paused', stored: 'paused' },
      { action: 'resume', virsh: 'running', stored: 'running' },
      { action: 'shutdown', virsh: 'running', stored: 'running', powerdown: true },
      { action: 'reboot', virsh: 'running', stored: 'running', powerdown: true },
      { action: 'force-off', virsh: 'shut off', stored: 'shut_off' },
    ];
    for (const step of steps) {
      const listener = step.powerdown ? await powerdownListener('lab-vm-2') : null;
      const t0 = Date.now();
      const result = await act(operatorToken, vm.two.id, step.action);
      const ms = Date.now() - t0;
      expect(result.serverError, step.action).toBeUndefined();
      expect(result.data?.state, step.action).toBe(step.stored);
      expect(await domstate('lab-vm-2'), step.action).toBe(step.virsh);
      expect(await stored(vm.two.id), step.action).toBe(step.stored);
      if (listener) expect(await listener.seen, `${step.action}: QEMU saw the ACPI power button`).toBe(true);
      const entry = await lastAudit();
      expect(entry, step.action).toMatchObject({
        actorName: 'olga',
        outcome: 'ok',
        targetType: 'vm',
        targetId: vm.two.id,
        details: { power: step.action, name: 'lab-vm-2', state: step.stored },
      });
      console.log(`${step.action}: ${ms} ms → ${result.data?.message}`);
    }
    expect(vi.mocked(revalidatePath)).toHaveBeenCalledWith(`/vms/${vm.two.id}`);
  });

  it('says clearly when an action does not apply, audits the failure, and stores the state it found', async () => {
    await getDb().vm.update({ where: { id: vm.two.id }, data: { liveState: 'running' } }); // stale on purpose
    const off = await act(operatorToken, vm.two.id, 'force-off');
    expect(off.serverError).toBe('lab-vm-2 is already off');
    expect(await stored(vm.two.id)).toBe('shut_off');
    expect(await lastAudit()).toMatchObject({ outcome: 'failed', details: { power: 'force-off', error: 'lab-vm-2 is already off' } });

    expect((await act(operatorToken, vm.one.id, 'start')).serverError).toBe('lab-vm-1 is already running');
    expect((await act(operatorToken, vm.one.id, 'resume')).serverError).toBe('lab-vm-1 is already running');
    expect((await act(operatorToken, vm.two.id, 'shutdown')).serverError).toBe('lab-vm-2 is not running (it is shut off)');
    expect(await domstate('lab-vm-1')).toBe('running');
    expect(await domstate('lab-vm-2')).toBe('shut off');
  });

  it('a VM that is not defined on its host gets a clear error', async () => {
    const ghost = await getDb().vm.create({
      data: { hostId, name: 'ghost', uuid: '5b0c1a8e-0000-4000-8000-000000000001', vcpus: 1, memoryMiB: 64, spec: {} },
    });
    await expect(powerAction(ghost.id, 'start')).rejects.toThrow(
      'ghost is not defined on lab4 (no domain with UUID 5b0c1a8e-0000-4000-8000-000000000001): deploy it first',
    );
  });

  it('a host whose key changed is not contacted', async () => {
    await getDb().host.update({ where: { id: hostId }, data: { status: 'host_key_changed' } });
    try {
      await expect(powerAction(vm.one.id, 'suspend')).rejects.toThrow(/Cannot reach lab4: the host key changed/);
      expect(await domstate('lab-vm-1')).toBe('running');
    } finally {
      await getDb().host.update({ where: { id: hostId }, data: { status: 'online' } });
    }
  });
});
