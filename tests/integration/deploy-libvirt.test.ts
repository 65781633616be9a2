// The libvirt deployment strategy (lib/deploy/strategies/libvirt) against a
// real lab host (lab3 only; other test files use lab1, lab2 and lab4): real
// host specs rendered by lib/render, deployed over SSH with the strategy
// (one SFTP session + one script run), then checked with virsh.
//
// Covers: two new VMs (one running, with a pool volume and a nested file disk
// made from base.qcow2 and a cloud-init seed; one stopped) → defined with
// Hostdeck's UUIDs, states and autostart right; a memory change → redefined,
// still running, not restarted; a change made on the host outside Hostdeck →
// defined again; desired stopped → shut down (forced after the short timeout:
// the lab guests ignore ACPI); removal with and without deleteDisks; a
// missing base image and a disk path that leaves its pool through a symlink
// → a clear error and nothing changed. Everything named dl-<run>-… is removed
// afterwards.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibvirtStrategy } from '@/lib/deploy/strategies/libvirt';
import { DEPLOY_DIR, SHUTDOWN_TIMEOUT_ENV } from '@/lib/deploy/strategies/libvirt-actions';
import type { DeployRevision } from '@/lib/deploy/strategy';
import { renderHost } from '@/lib/render';
import { newMac, newUuid, parseHostWithVms, seedIsoPath, type HostWithVmsInput } from '@/lib/spec';
import { SshPool, type SshTarget } from '@/lib/ssh';
import { revisionOf, testDeployContext } from '@/tests/helpers/deploy-context';
import { ensureLab, labSsh, labVirsh, REPO_ROOT, type LabHost } from '@/tests/helpers/lab';

const RUN = `dl-${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const A = `${RUN}-a`;
const B = `${RUN}-b`;
const POOL_DIR = `/var/lib/hostdeck/${RUN}-pool`;
const POOL = `${RUN}-pool`;
const SECRET = `secret-${RUN}-do-not-log`;

let lab: LabHost;
let target: SshTarget;
let domainType: 'kvm' | 'qemu';
const pool = new SshPool();
const roundTrips: string[] = [];
const strategy = createLibvirtStrategy({ pool, onRoundTrip: (kind, what) => roundTrips.push(`${kind}:${what}`) });
const ids = { a: newUuid(), b: newUuid(), c: newUuid(), d: newUuid(), e: newUuid() };
const macs = { a: newMac(), b: newMac() };
let previous: DeployRevision | null = null;

const virsh = (args: string[]) => labVirsh(lab, args);
const sh = (args: string[]) => labSsh(lab, args);

type Vm = NonNullable<HostWithVmsInput['vms']>[number];

function vmA(overrides: Partial<Vm> = {}): Vm {
  return {
    name: A,
    uuid: ids.a,
    vcpus: 1,
    memoryMiB: 64,
    disks: [
      { source: { type: 'volume', pool: 'default', volume: `${A}.qcow2` }, sizeGiB: 1, baseImage: 'base' },
      { source: { type: 'file', path: `${POOL_DIR}/nested/${A}-data.qcow2` }, sizeGiB: 1, baseImage: 'base' },
    ],
    interfaces: [{ type: 'network', network: 'lab', mac: macs.a }],
    cloudInit: { userData: `#cloud-config\npassword: ${SECRET}\n` },
    rng: false,
    guestAgent: false,
    powerState: 'running',
    autostart: true,
    ...overrides,
  };
}

function vmB(overrides: Partial<Vm> = {}): Vm {
  return {
    name: B,
    uuid: ids.b,
    vcpus: 1,
    memoryMiB: 64,
    disks: [{ source: { type: 'volume', pool: 'default', volume: `${B}.qcow2` }, sizeGiB: 1 }],
    interfaces: [{ type: 'network', network: 'lab', mac: macs.b }],
    rng: false,
    guestAgent: false,
    powerState: 'stopped',
    autostart: false,
    ...overrides,
  };
}

function revision(vms: Vm[], id: string): DeployRevision {
  const parsed = parseHostWithVms({
    host: {
      name: 'lab3',
      address: lab.address,
      sshUser: lab.user,
      flavour: 'libvirt',
      cpuVendor: 'intel',
      network: { libvirtNetworks: ['lab'] },
      storagePools: [
        { name: 'default', path: '/var/lib/libvirt/images' },
        { name: POOL, path: POOL_DIR },
      ],
      baseImages: [
        { name: 'base', path: '/var/lib/libvirt/images/base.qcow2', format: 'qcow2' },
        { name: 'gone', path: `/var/lib/libvirt/images/${RUN}-no-such-base.qcow2`, format: 'qcow2' },
      ],
    },
    vms,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return revisionOf(renderHost(parsed.value, { domainType }), id);
}

async function deploy(rev: DeployRevision) {
  roundTrips.length = 0;
  const ctx = testDeployContext({ target, revision: rev, previous, hostName: 'lab3', echo: process.env.HOSTDECK_DEPLOY_ECHO === '1' });
  const started = performance.now();
  let error: unknown = null;
  try {
    await strategy.run(ctx);
    previous = rev;
  } catch (e) {
    error = e;
  }
  return { ctx, error, ms: performance.now() - started, trips: [...roundTrips] };
}

async function dominfo(name: string): Promise<Record<string, string>> {
  const out = await virsh(['dominfo', name]);
  return Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^([^:]+):\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!.trim()]),
  );
}

async function exists(path: string): Promise<boolean> {
  return (await sh(['test', '-e', path])).code === 0;
}

async function volumeExists(volume: string): Promise<boolean> {
  return (await sh(['virsh', 'vol-info', '--pool', 'default', volume])).code === 0;
}

async function domains(): Promise<string[]> {
  return (await virsh(['list', '--all', '--name'])).split('\n').filter((name) => name.startsWith(RUN));
}

beforeAll(async () => {
  lab = (await ensureLab(3))[2]!;
  target = {
    id: `deploy-libvirt-${RUN}`,
    address: lab.address,
    port: lab.port,
    user: lab.user,
    privateKey: readFileSync(lab.keyFile, 'utf8'),
    pinnedFingerprint: lab.hostKeyFingerprint,
  };
  domainType = readFileSync(join(REPO_ROOT, '.data/lab/hosts/lab3/domain-type'), 'utf8').trim() === 'kvm' ? 'kvm' : 'qemu';
  // A pool whose folder the lab login owns: its nested file disks are made with qemu-img directly.
  expect((await sh(['mkdir', '-p', POOL_DIR])).code).toBe(0);
  await virsh(['pool-define-as', POOL, 'dir', '--target', POOL_DIR]);
  await virsh(['pool-start', POOL]);
  process.env[SHUTDOWN_TIMEOUT_ENV] = '3';
}, 300_000);

afterAll(async () => {
  delete process.env[SHUTDOWN_TIMEOUT_ENV];
  if (!lab) return;
  for (const name of await domains()) {
    await sh(['virsh', 'destroy', name]);
    await sh(['virsh', 'undefine', name]);
  }
  for (const volume of [`${A}.qcow2`, `${B}.qcow2`, `${RUN}-c.qcow2`]) await sh(['virsh', 'vol-delete', '--pool', 'default', volume]);
  await sh(['virsh', 'pool-destroy', POOL]);
  await sh(['virsh', 'pool-undefine', POOL]);
  await sh(['rm', '-rf', POOL_DIR, seedIsoPath(A), `/tmp/${RUN}-e.qcow2`]);
  // what the failed deployments left in the deploy folder (RUN is letters, digits and hyphens)
  await sh(['sh', '-c', `'rm -rf ${DEPLOY_DIR}/vms/${RUN}-* ${DEPLOY_DIR}/state/${RUN}-* ${DEPLOY_DIR}/cloud-init/${RUN}-*'`]);
  await pool.closeAll();
  expect(await domains(), 'domains of this run left on lab3').toEqual([]);
}, 120_000);

describe('libvirt strategy on lab3', () => {
  it('deploys two new VMs: defined with their UUIDs, disks from the base image, seed, states and autostart right', async () => {
    const rev = revision([vmA(), vmB()], 'rev-1');
    const { ctx, error, trips } = await deploy(rev);
    expect(error, ctx.logText()).toBeNull();
    expect(ctx.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['upload', 'ok'],
      ['apply', 'ok'],
      ['verify', 'ok'],
    ]);
    expect(trips).toEqual(['sftp:upload', 'exec:deploy-libvirt.sh']);

    expect((await virsh(['domuuid', A])).trim()).toBe(ids.a);
    expect((await virsh(['domuuid', B])).trim()).toBe(ids.b);
    const a = await dominfo(A);
    const b = await dominfo(B);
    expect([a.State, a.Autostart]).toEqual(['running', 'enable']);
    expect([b.State, b.Autostart]).toEqual(['shut off', 'disable']);

    // the volume: made by libvirt, the base image copied in, grown to 1 GiB
    const vol = await virsh(['vol-info', '--bytes', '--pool', 'default', `${A}.qcow2`]);
    expect(vol).toMatch(/Capacity:\s+1073741824 bytes/);
    expect(await volumeExists(`${B}.qcow2`)).toBe(true);
    // the nested file disk: made with qemu-img by the login
    const info = await sh(['qemu-img', 'info', '-U', `${POOL_DIR}/nested/${A}-data.qcow2`]);
    expect(info.stdout).toMatch(/virtual size: 1 GiB/);
    expect(await exists(seedIsoPath(A))).toBe(true);
    expect(await exists(`${DEPLOY_DIR}/vms/${A}.xml`)).toBe(true);

    const log = ctx.logText();
    expect(log).toContain(`${A}: defined (new)`);
    expect(log).toContain(`${A}: started`);
    expect(log).toContain(`${A}: autostart on`);
    expect(log).toMatch(new RegExp(`${A}: disk /var/lib/libvirt/images/${A}.qcow2 created \\(1 GiB qcow2\\) from base image base`));
    expect(log).toContain(`${B}: defined (new)`);
    expect(log).toContain('verified 2 domain(s)');
    expect(log).not.toContain(SECRET);
  }, 180_000);

  it('a memory change redefines the running VM without restarting it; only the changed file is uploaded', async () => {
    const idBefore = (await virsh(['domid', A])).trim();
    expect(idBefore).toMatch(/^\d+$/);
    const rev = revision([vmA({ memoryMiB: 96 }), vmB()], 'rev-2');
    const { ctx, error, trips } = await deploy(rev);
    expect(error, ctx.logText()).toBeNull();
    expect(trips).toEqual(['sftp:upload', 'exec:deploy-libvirt.sh']);
    expect((await virsh(['domid', A])).trim()).toBe(idBefore);
    expect((await dominfo(A)).State).toBe('running');
    expect(await virsh(['dumpxml', '--inactive', A])).toContain("<memory unit='KiB'>98304</memory>");

    const log = ctx.logText();
    expect(ctx.stepLog('upload')).toContain(`uploaded 1 of `);
    expect(ctx.stepLog('upload')).toContain(`vms/${A}.xml`);
    expect(log).toContain(`${A}: definition updated; it keeps running`);
    expect(log).not.toContain(`${B}: defined`);
    expect(log).not.toContain(`${A}: started`);
    expect(log).not.toContain('created');
  }, 120_000);

  it('a definition changed on the host outside Hostdeck is defined again', async () => {
    await virsh(['setmaxmem', B, '128M', '--config']);
    const rev = revision([vmA({ memoryMiB: 96 }), vmB()], 'rev-2');
    const { ctx, error, trips } = await deploy(rev);
    expect(error, ctx.logText()).toBeNull();
    expect(trips).toEqual(['sftp:upload', 'exec:deploy-libvirt.sh', 'exec:deploy-libvirt.sh']);
    expect(ctx.logText()).toContain(`${B}: its definition on the host was changed outside Hostdeck (memory); defining it again`);
    expect(await virsh(['dumpxml', '--inactive', B])).toContain("<memory unit='KiB'>65536</memory>");
  }, 120_000);

  it('desired stopped: ACPI shutdown, forced off after the timeout (the lab guests ignore ACPI)', async () => {
    const rev = revision([vmA({ memoryMiB: 96, powerState: 'stopped' }), vmB()], 'rev-3');
    const { ctx, error, ms } = await deploy(rev);
    expect(error, ctx.logText()).toBeNull();
    expect((await dominfo(A)).State).toBe('shut off');
    expect(ctx.logText()).toContain(`${A}: did not shut down within 3 s of the ACPI request: forced off (virsh destroy)`);
    expect(ms).toBeGreaterThanOrEqual(3_000);
  }, 120_000);

  it('removal: with deleteDisks the disks go, without them they stay', async () => {
    const rev = revision([vmA({ memoryMiB: 96, remove: true, deleteDisks: true }), vmB({ remove: true })], 'rev-4');
    const { ctx, error } = await deploy(rev);
    expect(error, ctx.logText()).toBeNull();
    expect(await domains()).toEqual([]);
    expect(await volumeExists(`${A}.qcow2`)).toBe(false);
    expect(await exists(`${POOL_DIR}/nested/${A}-data.qcow2`)).toBe(false);
    expect(await exists(seedIsoPath(A))).toBe(false);
    expect(await volumeExists(`${B}.qcow2`)).toBe(true);
    const log = ctx.logText();
    expect(log).toContain(`${A}: undefined`);
    expect(log).toContain(`${A}: disk /var/lib/libvirt/images/${A}.qcow2 deleted`);
    expect(log).toContain(`${B}: undefined; its disks are kept`);
    expect(log).toContain('2 removed VM(s) absent');
  }, 120_000);

  it('a missing base image: a clear error before anything changes', async () => {
    const c: Vm = {
      ...vmB({ name: `${RUN}-c`, uuid: ids.c }),
      interfaces: [],
      disks: [{ source: { type: 'volume', pool: 'default', volume: `${RUN}-c.qcow2` }, sizeGiB: 1, baseImage: 'gone' }],
    };
    const d: Vm = { ...vmB({ name: `${RUN}-d`, uuid: ids.d }), interfaces: [], disks: [] };
    const { ctx, error } = await deploy(revision([c, d], 'rev-bad-1'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      new RegExp(`${RUN}-c: base image gone is missing on the host: .*${RUN}-no-such-base.qcow2 does not exist`),
    );
    expect(ctx.steps.map((step) => [step.name, step.outcome])).toEqual([
      ['upload', 'ok'],
      ['apply', 'failed'],
    ]);
    expect(await domains()).toEqual([]);
    expect(await volumeExists(`${RUN}-c.qcow2`)).toBe(false);
  }, 120_000);

  it('a disk that leaves its pool through a symlink: refused, nothing created or defined', async () => {
    expect((await sh(['ln', '-s', '/tmp', `${POOL_DIR}/escape`])).code).toBe(0);
    const e: Vm = {
      ...vmB({ name: `${RUN}-e`, uuid: ids.e }),
      interfaces: [],
      disks: [{ source: { type: 'file', path: `${POOL_DIR}/escape/${RUN}-e.qcow2` }, sizeGiB: 1 }],
    };
    const d: Vm = { ...vmB({ name: `${RUN}-d`, uuid: ids.d }), interfaces: [], disks: [] };
    const { error } = await deploy(revision([d, e], 'rev-bad-2'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      new RegExp(`${RUN}-e: disk refused: .*${RUN}-e.qcow2 is not inside any storage pool of the host \\(after resolving symlinks\\)`),
    );
    expect(await domains()).toEqual([]);
    expect(await exists(`/tmp/${RUN}-e.qcow2`)).toBe(false);
  }, 120_000);
});
