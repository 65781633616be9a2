// The NixOS strategy against lab host 4 standing in for a NixOS host
// (`scripts/lab.sh nixos-standin 4`: scripts/lab/nixos-rebuild-standin.sh as
// nixos-rebuild, real Nix profile generations in a /nix of the host's own,
// guests applied with virsh). Covers: each deploy makes one more system
// generation and defines the guests with their UUIDs; a confirmation that
// cannot reach the host (its sshd stopped right after the switch) makes the
// armed watcher switch back on its own — previous generation, previous guest
// definitions, SwitchedBackError; a failed activation is switched back at once;
// a configuration.nix without the import fails naming the line to add.
// Guests are named nx-<run>-…, and undefined afterwards.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNixosStrategy,
  NIXOS_CONFIGURATION,
  NIXOS_IMPORT_LINE,
  NixosImportMissingError,
  readSystemGeneration,
} from '@/lib/deploy/strategies/nixos';
import { type DeployHost, type DeployRevision, SwitchedBackError } from '@/lib/deploy/strategy';
import type { DomainType } from '@/lib/libvirt';
import { NIXOS_MODULE_DIR, renderHost } from '@/lib/render';
import { newUuid, parseHostWithVms } from '@/lib/spec';
import { closeAll, exec, type SshTarget } from '@/lib/ssh';
import { ensureLab, type LabHost, labCtl, labSsh, labTarget, labVirsh, REPO_ROOT } from '@/tests/helpers/lab';
import { deployRevision, testDeployment } from '@/tests/helpers/nixos-context';

const RUN = `nx-${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const VM_A = `${RUN}-a`;
const VM_B = `${RUN}-b`;
const VM_C = `${RUN}-c`;
const UUID_A = newUuid();
const UUID_B = newUuid();
const UUID_C = newUuid();
const LAB_N = 4;

const CONFIGURATION_WITH_IMPORT = `# /etc/nixos/configuration.nix of a lab host standing in for NixOS (deploy-nixos.test.ts)
{ ... }:
{
  imports = [ ./hostdeck ];
}
`;

let lab: LabHost;
let target: SshTarget;
let domainType: DomainType;
let host: DeployHost;

/** Short timeouts; the watcher gets the same confirm timeout. */
const quick = { confirmTimeoutS: 3, activationTimeoutS: 120, switchBackWaitS: 90, retryIntervalMs: 250, connectTimeoutMs: 3_000 };

function revision(memoryA: number, extra: { withC?: boolean } = {}): DeployRevision {
  const parsed = parseHostWithVms({
    host: { name: 'lab4', address: lab.address, sshUser: lab.user, flavour: 'nixos', cpuVendor: 'intel' },
    vms: [
      { name: VM_A, uuid: UUID_A, vcpus: 1, memoryMiB: memoryA, powerState: 'running', autostart: false },
      { name: VM_B, uuid: UUID_B, vcpus: 1, memoryMiB: 32, powerState: 'stopped', autostart: false, guestAgent: false },
      ...(extra.withC ? [{ name: VM_C, uuid: UUID_C, vcpus: 1, memoryMiB: 32, powerState: 'stopped', autostart: false }] : []),
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return deployRevision(renderHost(parsed.value, { domainType }));
}

async function generation(): Promise<number> {
  const value = await readSystemGeneration(target);
  if (value === null) throw new Error('the lab host has no system generation');
  return value;
}

/** Every generation of the system profile (an unconfirmed one stays after a switch-back). */
async function generationNumbers(): Promise<number[]> {
  const listed = (await exec(target, ['nixos-rebuild', 'list-generations'], { check: true })).stdout;
  return [...listed.matchAll(/^\s*(\d+)\s/gm)].map((match) => Number(match[1]));
}

/** The persistent definition's memory of `name`, in MiB. */
async function definedMemoryMiB(name: string): Promise<number> {
  const xml = await labVirsh(lab, ['dumpxml', '--inactive', name]);
  const kib = /<memory unit='KiB'>(\d+)<\/memory>/.exec(xml)?.[1];
  if (!kib) throw new Error(`no memory in the definition of ${name}`);
  return Number(kib) / 1024;
}

async function moduleLink(): Promise<string> {
  return (await exec(target, ['readlink', NIXOS_MODULE_DIR], { check: true })).stdout.trim();
}

async function writeConfiguration(text: string): Promise<void> {
  await exec(target, ['tee', NIXOS_CONFIGURATION], { stdin: text, check: true });
}

beforeAll(async () => {
  lab = (await ensureLab(LAB_N))[LAB_N - 1]!;
  await labCtl(['nixos-standin', String(LAB_N)]);
  target = await labTarget(lab, `nixos-test-${lab.name}`);
  domainType = (await readFile(`${REPO_ROOT}/.data/lab/hosts/${lab.name}/domain-type`, 'utf8')).trim() as DomainType;
  host = { id: `host-${lab.name}`, name: lab.name, flavour: 'nixos', libvirtUri: 'qemu:///system' };
  await writeConfiguration(CONFIGURATION_WITH_IMPORT);
}, 600_000);

afterAll(async () => {
  await labCtl(['sshd-start', String(LAB_N)]).catch(() => undefined);
  if (lab) {
    const names = (await labVirsh(lab, ['list', '--all', '--name'])).split('\n').filter((name) => name.startsWith('nx-'));
    for (const name of names) {
      await labSsh(lab, ['virsh', 'destroy', name]);
      await labSsh(lab, ['virsh', 'undefine', name]);
    }
  }
  await closeAll();
});

describe('NixOS strategy on the lab stand-in', () => {
  it('each deploy makes one more system generation and defines the guests with their UUIDs', async () => {
    const strategy = createNixosStrategy(quick);
    const start = await generation();
    // The next number follows the highest one, which may be an unconfirmed generation of an earlier run.
    const existing = await generationNumbers();
    const next = Math.max(...existing) + 1;

    const first = testDeployment({ target, host, revision: revision(64) });
    await strategy.run(first.ctx);
    expect(first.steps).toEqual(strategy.steps.map((name) => ({ name, status: 'done' })));
    expect(first.generations).toEqual([[start, next]]);
    expect(await generation()).toBe(next);
    expect(await generationNumbers()).toEqual([...existing, next]);
    expect(first.log()).toMatch(/would (re)?start the following units: .*hostdeck-guest-/);
    expect(first.log()).toContain('confirmed over a fresh SSH connection');
    expect((await labVirsh(lab, ['domuuid', VM_A])).trim()).toBe(UUID_A);
    expect((await labVirsh(lab, ['domuuid', VM_B])).trim()).toBe(UUID_B);
    expect(await definedMemoryMiB(VM_A)).toBe(64);
    expect((await labVirsh(lab, ['domstate', VM_A])).trim()).toBe('running');
    expect((await labVirsh(lab, ['domstate', VM_B])).trim()).toBe('shut off');

    const second = testDeployment({ target, host, revision: revision(96), previous: first.ctx.revision });
    await strategy.run(second.ctx);
    expect(second.generations).toEqual([[next, next + 1]]);
    expect(await generation()).toBe(next + 1);
    expect(await generationNumbers()).toEqual([...existing, next, next + 1]);
    expect(await definedMemoryMiB(VM_A)).toBe(96);
    expect(second.log()).toMatch(/would restart the following units: hostdeck-guest-nx-[a-z0-9-]+-a\.service/);
    // The module folder is the second revision's, swapped in as a whole.
    const manifest = JSON.parse((await exec(target, ['cat', `${NIXOS_MODULE_DIR}/manifest.json`], { check: true })).stdout);
    expect(manifest.hash).toBe(second.ctx.revision.hash);
    expect(await moduleLink()).toMatch(new RegExp(`^\\.hostdeck\\.${second.ctx.revision.hash.slice(0, 12)}-[0-9a-f]+$`));
  }, 180_000);

  it('switches back on its own when the confirmation connection fails', async () => {
    const before = await generation();
    const next = Math.max(...(await generationNumbers())) + 1;
    const linkBefore = await moduleLink();
    const memoryBefore = await definedMemoryMiB(VM_A);
    const events: string[] = [];
    const strategy = createNixosStrategy({
      ...quick,
      hooks: {
        beforeConfirm: async () => {
          events.push('sshd-stop');
          await labCtl(['sshd-stop', String(LAB_N)]);
        },
        afterConfirmFailed: async () => {
          events.push('sshd-start');
          await labCtl(['sshd-start', String(LAB_N)]);
        },
      },
    });
    const deployment = testDeployment({ target, host, revision: revision(memoryBefore + 32) });
    const error = await strategy.run(deployment.ctx).then(
      () => null,
      (e: unknown) => e,
    );
    expect(events).toEqual(['sshd-stop', 'sshd-start']);
    expect(error, deployment.log()).toBeInstanceOf(SwitchedBackError);
    const switchedBack = error as SwitchedBackError;
    expect([switchedBack.generationBefore, switchedBack.generationAfter]).toEqual([before, next]);
    expect(switchedBack.message).toMatch(new RegExp(`switched back to generation ${before}`));
    expect(deployment.generations).toEqual([[before, next]]);
    expect(deployment.steps.map((step) => [step.name, step.status])).toEqual([
      ['check-import', 'done'],
      ['upload', 'done'],
      ['dry-activate', 'done'],
      ['switch', 'done'],
      ['confirm', 'failed'],
    ]);
    // The host did it by itself: profile, guests and module folder are the previous ones.
    expect(await generation()).toBe(before);
    expect(await definedMemoryMiB(VM_A)).toBe(memoryBefore);
    expect((await labVirsh(lab, ['domuuid', VM_A])).trim()).toBe(UUID_A);
    expect(await moduleLink()).toBe(linkBefore);
    expect(deployment.log()).toContain(`switching back from generation ${next} to generation ${before}: no confirmation within 3s`);
    // The unconfirmed generation is kept for the record.
    expect(await generationNumbers()).toContain(next);
  }, 180_000);

  it('switches back at once when the activation fails', async () => {
    const before = await generation();
    const next = Math.max(...(await generationNumbers())) + 1;
    const memoryBefore = await definedMemoryMiB(VM_A);
    // A domain of the same name with another UUID: libvirt refuses the definition.
    const clash = (await labVirsh(lab, ['dumpxml', '--inactive', VM_B]))
      .replace(/<name>[^<]*<\/name>/, `<name>${VM_C}</name>`)
      .replace(/<uuid>[^<]*<\/uuid>/, `<uuid>${newUuid()}</uuid>`)
      .replace(/<mac address='[^']*'\/>/g, '');
    await labVirsh(lab, ['define', '/dev/stdin'], clash);
    const deployment = testDeployment({ target, host, revision: revision(memoryBefore + 16, { withC: true }) });
    const started = Date.now();
    const error = await createNixosStrategy(quick)
      .run(deployment.ctx)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error, deployment.log()).toBeInstanceOf(SwitchedBackError);
    expect((error as Error).message).toMatch(/nixos-rebuild switch failed/);
    expect([(error as SwitchedBackError).generationBefore, (error as SwitchedBackError).generationAfter]).toEqual([before, next]);
    expect(deployment.steps.map((step) => [step.name, step.status]).at(-1)).toEqual(['switch', 'failed']);
    expect(await generation()).toBe(before);
    expect(await definedMemoryMiB(VM_A)).toBe(memoryBefore);
    expect(deployment.log()).toContain(`switching back from generation ${next} to generation ${before}: the activation failed (exit 1)`);
    expect(Date.now() - started).toBeLessThan(60_000);
    await labSsh(lab, ['virsh', 'undefine', VM_C]);
  }, 180_000);

  it('refuses a host whose configuration.nix does not import the module, naming the line to add', async () => {
    const before = await generation();
    const linkBefore = await moduleLink();
    await writeConfiguration(`{ ... }:\n{\n  # imports = [ ./hostdeck ];\n  networking.hostName = "lab4";\n}\n`);
    try {
      const deployment = testDeployment({ target, host, revision: revision(48) });
      const error = await createNixosStrategy(quick)
        .run(deployment.ctx)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(NixosImportMissingError);
      expect((error as Error).message).toContain(NIXOS_IMPORT_LINE);
      expect((error as Error).message).toContain(NIXOS_CONFIGURATION);
      expect(deployment.steps).toEqual([{ name: 'check-import', status: 'failed' }]);
      expect(await generation()).toBe(before);
      expect(await moduleLink()).toBe(linkBefore);
    } finally {
      await writeConfiguration(CONFIGURATION_WITH_IMPORT);
    }
  }, 180_000);
});
