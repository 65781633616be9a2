// The pure parts of the NixOS strategy: finding the import of ./hostdeck in a
// configuration.nix, reading generation numbers and the watcher's verdicts,
// and which files go into the module folder. The strategy itself runs against
// a lab host in tests/integration/deploy-nixos.test.ts.
import { describe, expect, it } from 'vitest';
import {
  createNixosStrategy,
  importsHostdeck,
  moduleFiles,
  NIXOS_IMPORT_LINE,
  NixosImportMissingError,
  parseGeneration,
  parseVerdict,
} from '@/lib/deploy/strategies/nixos';
import type { DeployRevision } from '@/lib/deploy/strategy';
import { renderHost } from '@/lib/render';
import { parseHostWithVms } from '@/lib/spec';

describe('importsHostdeck', () => {
  it.each([
    ['{ ... }: { imports = [ ./hostdeck ]; }'],
    ['{ ... }:\n{\n  imports = [\n    ./hardware-configuration.nix\n    ./hostdeck\n  ];\n}'],
    ['{ imports = [ ./hardware-configuration.nix ./hostdeck/default.nix ]; }'],
    ['{ imports = [ /etc/nixos/hostdeck ]; }'],
    ['{ imports = [(./hostdeck)]; }'],
  ])('finds the import in %j', (text) => {
    expect(importsHostdeck(text)).toBe(true);
  });

  it.each([
    ['{ ... }: { imports = [ ./hardware-configuration.nix ]; }'],
    ['{\n  # imports = [ ./hostdeck ];\n}'],
    ['{\n  /* imports = [ ./hostdeck ]; */\n}'],
    ['{ imports = [ ./hostdeck-old ]; }'],
    ['{ imports = [ ./not-hostdeck ]; }'],
    [''],
  ])('finds no import in %j', (text) => {
    expect(importsHostdeck(text)).toBe(false);
  });

  it('the line to add is itself an import', () => {
    expect(importsHostdeck(`{ ... }: { ${NIXOS_IMPORT_LINE} }`)).toBe(true);
    const error = new NixosImportMissingError('hv1');
    expect(error.message).toContain(NIXOS_IMPORT_LINE);
    expect(error.message).toContain('/etc/nixos/configuration.nix on hv1');
    expect(error.code).toBe('conflict');
  });
});

describe('generations and verdicts', () => {
  it('reads generation numbers', () => {
    expect(parseGeneration('system-42-link')).toBe(42);
    expect(parseGeneration('/nix/var/nix/profiles/system-7-link\n')).toBe(7);
    expect(parseGeneration('13\n')).toBe(13);
    expect(parseGeneration('')).toBeNull();
    expect(parseGeneration('/nix/store/abc-nixos-system')).toBeNull();
  });

  it('reads the watcher verdicts', () => {
    expect(parseVerdict('confirmed')).toEqual({ kind: 'confirmed' });
    expect(parseVerdict('switched-back 6 from 7')).toEqual({ kind: 'switched-back', generation: 6, from: 7 });
    expect(parseVerdict('nothing-to-switch-back')).toEqual({ kind: 'nothing-to-switch-back' });
    expect(parseVerdict('switch-back-failed nix-env failed')).toEqual({ kind: 'switch-back-failed', reason: 'nix-env failed' });
    expect(parseVerdict('what?').kind).toBe('unknown');
  });
});

describe('module files', () => {
  const parsed = parseHostWithVms({
    host: { name: 'hv1', address: '192.0.2.1', flavour: 'nixos', cpuVendor: 'amd' },
    vms: [{ name: 'web1', uuid: '6f1c2a4e-3b5d-4c7e-8f90-a1b2c3d4e5f6', vcpus: 1, memoryMiB: 256 }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const rendered = renderHost(parsed.value);
  const revision: DeployRevision = { id: 'r1', hash: rendered.hash, files: rendered.files, manifest: rendered.manifest };

  it('are the revision files plus its manifest', () => {
    const files = moduleFiles(revision);
    expect(files.map((file) => file.path)).toEqual(['default.nix', 'vms/web1.xml', 'manifest.json']);
    expect(JSON.parse(files.at(-1)!.content).hash).toBe(rendered.hash);
  });

  it('refuses a revision without the module or with odd paths', () => {
    expect(() => moduleFiles({ ...revision, files: revision.files.filter((file) => file.path !== 'default.nix') })).toThrow(
      /has no default.nix/,
    );
    for (const path of ['../etc/passwd', '/etc/passwd', 'vms/../../x', 'vms//x.xml', 'vms/x y.xml']) {
      expect(() => moduleFiles({ ...revision, files: [...revision.files, { path, content: '' }] })).toThrow(/unexpected path/);
    }
  });
});

describe('settings', () => {
  it('steps in order, and a bad confirm timeout is refused when the strategy runs', async () => {
    expect(createNixosStrategy().steps).toEqual(['check-import', 'upload', 'dry-activate', 'switch', 'confirm']);
    await expect(createNixosStrategy({ confirmTimeoutS: 0 }).run({} as never)).rejects.toThrow(/confirmTimeoutS/);
    const saved = process.env.HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S;
    process.env.HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S = 'soon';
    try {
      await expect(createNixosStrategy().run({} as never)).rejects.toThrow(/HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S/);
    } finally {
      if (saved === undefined) delete process.env.HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S;
      else process.env.HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S = saved;
    }
  });
});
