// The spec commands of the CLI (schema, render, plan), through commander as
// the hostdeck binary wires them, on temporary folders.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { registerSpecCommands } from '@/cli/commands/render';

const scratch = mkdtempSync(join(tmpdir(), 'hostdeck-cli-render-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

const GOLDEN_SPEC = join(process.cwd(), 'tests/golden/nixos-host/spec.json');
let counter = 0;
const fresh = (name: string) => join(scratch, `${name}-${counter++}`);

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command('hostdeck').exitOverride();
  registerSpecCommands(program);
  process.exitCode = undefined;
  await program.parseAsync(args, { from: 'user' });
  vi.restoreAllMocks();
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { stdout, stderr, exitCode };
}

// biome-ignore lint/suspicious/noExplicitAny: tests edit the golden JSON freely
function writeSpec(mutate: (spec: any) => void, golden = GOLDEN_SPEC): string {
  const spec = JSON.parse(readFileSync(golden, 'utf8'));
  mutate(spec);
  const file = fresh('spec.json');
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

describe('hostdeck schema', () => {
  it('prints the JSON Schema', async () => {
    const { stdout, exitCode } = await cli('schema');
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ title: 'Hostdeck host with its VMs', type: 'object' });
  });
});

describe('hostdeck render', () => {
  it('writes the files and manifest.json matching the golden output', async () => {
    const out = fresh('out');
    const { stdout, exitCode } = await cli('render', '--spec', GOLDEN_SPEC, '--out', out);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/rendered host nix1: 6 files/);
    const golden = join(process.cwd(), 'tests/golden/nixos-host/expected');
    for (const path of ['default.nix', 'vms/web1.xml', 'cloud-init/web1/user-data', 'manifest.json']) {
      expect(readFileSync(join(out, path), 'utf8')).toBe(readFileSync(join(golden, path), 'utf8'));
    }
  });

  it('on invalid input writes nothing, exits 2 and lists every invalid field', async () => {
    const spec = writeSpec((s) => {
      s.vms[0].memoryMiB = 0;
      s.vms[1].interfaces[0].bridge = 'br7';
      s.vms[2].name = 'Bad Name';
    });
    const out = fresh('out');
    const { stderr, exitCode } = await cli('render', '--spec', spec, '--out', out);
    expect(exitCode).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(stderr).toContain('vms[0].memoryMiB: must be at least 16 MiB');
    expect(stderr).toContain('vms[1].interfaces[0].bridge: bridge br7 is not defined');
    expect(stderr).toContain('vms[2].name: must be 1-63 characters');
  });

  it('reports unreadable and malformed files with exit status 2', async () => {
    const missing = await cli('render', '--spec', fresh('nope.json'), '--out', fresh('out'));
    expect(missing).toMatchObject({ exitCode: 2 });
    expect(missing.stderr).toMatch(/cannot read the spec file/);
    const broken = fresh('broken.json');
    writeFileSync(broken, '{ "host": ');
    const malformed = await cli('render', '--spec', broken, '--out', fresh('out'));
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toMatch(/not valid JSON/);
    const badType = await cli('render', '--spec', GOLDEN_SPEC, '--out', fresh('out'), '--domain-type', 'xen');
    expect(badType.exitCode).toBe(2);
  });

  it('creates the output folder, also for a libvirt host without VMs (only manifest.json)', async () => {
    const spec = writeSpec((s) => (s.vms = []), join(process.cwd(), 'tests/golden/libvirt-host/spec.json'));
    const out = join(fresh('parent'), 'nested', 'out');
    const { stdout, stderr, exitCode } = await cli('render', '--spec', spec, '--out', out);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(stdout).toMatch(/rendered host kvm2: 0 files/);
    expect(readdirSync(out)).toEqual(['manifest.json']);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ files: [] });
  });

  it('errors are one line without a stack trace: exit 2 for a bad --out, 1 when writing fails', async () => {
    const spec = writeSpec((s) => (s.vms = []), join(process.cwd(), 'tests/golden/libvirt-host/spec.json'));
    const notAFolder = await cli('render', '--spec', spec, '--out', join(spec, 'out'));
    expect(notAFolder.exitCode).toBe(2);
    expect(notAFolder.stderr).toMatch(/^error: cannot create the folder .*: ENOTDIR[^\n]*\n$/);

    const out = fresh('out');
    mkdirSync(join(out, 'vms/app1.xml'), { recursive: true });
    const unwritable = await cli('render', '--spec', join(process.cwd(), 'tests/golden/libvirt-host/spec.json'), '--out', out);
    expect(unwritable.exitCode).toBe(1);
    expect(unwritable.stderr).toMatch(/^error: EISDIR[^\n]*app1\.xml[^\n]*\n$/);
  });

  it('rendering again into the same folder removes files of VMs that are gone', async () => {
    const out = fresh('out');
    await cli('render', '--spec', GOLDEN_SPEC, '--out', out);
    expect(existsSync(join(out, 'vms/db1.xml'))).toBe(true);
    await cli(
      'render',
      '--spec',
      writeSpec((s) => (s.vms[1].remove = true)),
      '--out',
      out,
    );
    expect(existsSync(join(out, 'vms/db1.xml'))).toBe(false);
    expect(readdirSync(join(out, 'vms')).sort()).toEqual(['ci-runner.xml', 'web1.xml']);
  });
});

describe('hostdeck plan', () => {
  it('prints a table against a deployed render, and JSON with --json', async () => {
    const deployed = fresh('deployed');
    await cli('render', '--spec', GOLDEN_SPEC, '--out', deployed);
    const changed = writeSpec((s) => (s.vms[0].memoryMiB = 4096));

    const table = await cli('plan', '--spec', changed, '--deployed', deployed);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/NixOS module: changed/);
    expect(table.stdout).toMatch(/^web1\s+changed\s+yes\s+-\s+memory$/m);
    expect(table.stdout).toMatch(/^db1\s+unchanged/m);
    expect(table.stdout).toMatch(/0 added, 1 changed \(1 need a restart\)/);

    const json = await cli('plan', '--spec', changed, '--deployed', deployed, '--json');
    const result = JSON.parse(json.stdout);
    expect(result.vms.find((vm: { name: string }) => vm.name === 'web1')).toMatchObject({
      action: 'changed',
      changes: ['memory'],
      restartNeeded: true,
    });
  });

  it('reads live XML from a folder and reports drift', async () => {
    const deployed = fresh('deployed');
    await cli('render', '--spec', GOLDEN_SPEC, '--out', deployed);
    const live = fresh('live');
    await cli(
      'render',
      '--spec',
      writeSpec((s) => (s.vms[1].vcpus = 16)),
      '--out',
      live,
    );
    rmSync(join(live, 'vms/ci-runner.xml'));
    const { stdout } = await cli('plan', '--spec', GOLDEN_SPEC, '--deployed', deployed, '--live', join(live, 'vms'));
    expect(stdout).toMatch(/^db1\s+unchanged\s+-\s+vcpus/m);
    expect(stdout).toMatch(/^ci-runner\s+unchanged\s+-\s+missing on host/m);
    expect(stdout).toMatch(/2 drifted/);
  });

  it('a missing deployed folder is an input error', async () => {
    const result = await cli('plan', '--spec', GOLDEN_SPEC, '--deployed', fresh('none'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/does not exist/);
  });
});
