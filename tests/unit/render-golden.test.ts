// Golden files: two representative hosts rendered byte for byte, and every
// rendered file checked by the real tools (virt-xml-validate, nix-instantiate,
// bash). UPDATE_GOLDEN=1 rewrites tests/golden/<host>/expected/.
//   nixos-host    NixOS, bridge over an LACP bond, three guests (+ one removed)
//   libvirt-host  plain libvirt, direct (macvtap) networking, SPICE, cloud-init
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseHostWithVms } from '@/lib/spec';
import { manifestJson, renderHost, type RenderedHost } from '@/lib/render';
import { bashSyntaxCheck, evaluateNixModules, parseNixFiles, validateDomainXmlFiles } from '@/tests/helpers/render-tools';

const run = promisify(execFile);
const GOLDEN = join(process.cwd(), 'tests/golden');
const HOSTS = ['nixos-host', 'libvirt-host'];
const update = process.env.UPDATE_GOLDEN === '1';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function renderGolden(host: string): RenderedHost {
  const parsed = parseHostWithVms(JSON.parse(readFileSync(join(GOLDEN, host, 'spec.json'), 'utf8')));
  if (!parsed.ok) throw new Error(`golden spec ${host} is invalid: ${JSON.stringify(parsed.issues)}`);
  return renderHost(parsed.value);
}

function expectedFiles(rendered: RenderedHost): Map<string, string> {
  const files = new Map(rendered.files.map((file) => [file.path, file.content]));
  files.set('manifest.json', manifestJson(rendered.manifest));
  return files;
}

describe.each(HOSTS)('golden %s', (host) => {
  const expectedDir = join(GOLDEN, host, 'expected');

  it('renders byte for byte what is committed', () => {
    const files = expectedFiles(renderGolden(host));
    if (update) {
      rmSync(expectedDir, { recursive: true, force: true });
      for (const [path, content] of files) {
        mkdirSync(dirname(join(expectedDir, path)), { recursive: true });
        writeFileSync(join(expectedDir, path), content);
      }
    }
    expect(listFiles(expectedDir)).toEqual([...files.keys()].sort());
    for (const [path, content] of files) {
      expect(readFileSync(join(expectedDir, path), 'utf8'), `${host}/expected/${path}`).toBe(content);
    }
  });

  it('renders the same bytes and hash twice, whatever the VM order', () => {
    const first = renderGolden(host);
    const second = renderGolden(host);
    expect(second).toEqual(first);
    const spec = JSON.parse(readFileSync(join(GOLDEN, host, 'spec.json'), 'utf8'));
    spec.vms.reverse();
    const parsed = parseHostWithVms(spec);
    if (!parsed.ok) throw new Error('invalid');
    expect(renderHost(parsed.value).hash).toBe(first.hash);
  });

  it('every domain XML is valid for virt-xml-validate', async () => {
    const xmlFiles = listFiles(expectedDir).filter((path) => path.endsWith('.xml'));
    expect(xmlFiles.length).toBeGreaterThan(0);
    for (const path of xmlFiles) {
      // Exit status 0 means valid (execFile rejects otherwise); it says so on stderr.
      const { stdout, stderr } = await run('virt-xml-validate', [join(expectedDir, path), 'domain']);
      expect(`${stdout}${stderr}`).toContain('validates');
    }
  });

  it('every Nix module parses, evaluates, and its scripts are valid shell', async () => {
    const modules = listFiles(expectedDir)
      .filter((path) => path.endsWith('.nix'))
      .map((path) => join(expectedDir, path));
    if (host === 'nixos-host') expect(modules).toEqual([join(expectedDir, 'default.nix')]);
    else {
      expect(modules).toEqual([]); // plain libvirt hosts get only XML (and cloud-init) files
      return;
    }
    expect(await parseNixFiles(modules)).toEqual([]);
    const [evaluated] = await evaluateNixModules(modules);
    expect(evaluated!.kernelModules).toEqual(['kvm-intel']);
    expect(evaluated!.libvirtd).toEqual({ enable: true, onBoot: 'ignore', onShutdown: 'shutdown', qemu: { swtpm: { enable: true } } });
    expect(evaluated!.bonds).toEqual({ bond0: { interfaces: ['eno1', 'eno2'], driverOptions: { mode: '802.3ad', miimon: '100' } } });
    expect(evaluated!.bridges).toEqual({ br0: { interfaces: ['bond0'], rstp: false }, 'br-storage': { interfaces: ['eno3'], rstp: true } });
    expect(evaluated!.interfaces).toMatchObject({
      bond0: { macAddress: '02:00:5e:10:00:01' },
      br0: {
        macAddress: '02:00:5e:10:00:02',
        useDHCP: true,
        tempAddress: 'disabled',
        ipv6: { addresses: [{ address: '2001:db8:10::2', prefixLength: 64 }] },
      },
    });
    expect(Object.keys(evaluated!.scripts).sort()).toEqual([
      'hostdeck-guest-ci-runner',
      'hostdeck-guest-db1',
      'hostdeck-guest-web1',
      'hostdeck-pools',
      'hostdeck-remove-legacy-app',
    ]);
    const scripts = Object.entries(evaluated!.scripts).map(([name, script]) => ({ name, script }));
    expect(await bashSyntaxCheck(scripts)).toEqual([]);
    // Paths with spaces and quotes reach the shell as single words.
    expect(evaluated!.scripts['hostdeck-guest-db1']).toContain(
      `qemu-img create -f 'qcow2' -- '/srv/nvme/vm pool/db1 '\\''data'\\''.qcow2' '200G'`,
    );
    expect(evaluated!.scripts['hostdeck-pools']).toContain(`--target '/srv/nvme/vm pool'`);
    // The removed guest keeps its disk (deleteDisks is false).
    expect(evaluated!.scripts['hostdeck-remove-legacy-app']).not.toContain('vol-delete');
  });
});

describe('the checkers themselves', () => {
  it('report broken files (so the checks above and in the property test are not vacuous)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostdeck-checkers-'));
    try {
      const good = join(GOLDEN, 'libvirt-host/expected/vms/app1.xml');
      const bad = join(dir, 'bad.xml');
      writeFileSync(bad, readFileSync(good, 'utf8').replace('<vcpu>2</vcpu>', '<vcpu>two</vcpu>'));
      expect((await validateDomainXmlFiles([good, bad])).map((failure) => failure.file)).toEqual([bad]);
      const badNix = join(dir, 'bad.nix');
      writeFileSync(badNix, '{ a = "${x"; }');
      expect((await parseNixFiles([join(GOLDEN, 'nixos-host/expected/default.nix'), badNix])).map((failure) => failure.file)).toEqual([
        badNix,
      ]);
      expect(
        (
          await bashSyntaxCheck([
            { name: 'bad', script: 'if then fi' },
            { name: 'good', script: 'echo ok' },
          ])
        ).map((failure) => failure.file),
      ).toEqual(['bad']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
