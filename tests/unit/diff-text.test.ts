// The diff an approver reads (lib/libvirt diffText, used by the Configuration
// page's FileDiff and by lib/hosts/configuration's file status): a host
// imported as found has libvirt's own XML of each domain as its deployed
// baseline. Against Hostdeck's render of the imported VM, an unchanged VM
// shows no diff at all, and a memory change shows exactly one changed line.
// Real libvirt 9.0 output (tests/golden/libvirt-9.0).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHostNeeds, diffText, importDomain, sameForDiff } from '@/lib/libvirt';
import { hostSpecSchema, parseHostWithVms, type HostSpec } from '@/lib/spec';
import { plan, renderHost, vmXmlFile } from '@/lib/render';

const FIXTURES = join(process.cwd(), 'tests/golden/libvirt-9.0');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const bareHost: HostSpec = hostSpecSchema.parse({ name: 'kvm1', address: '192.0.2.1', flavour: 'libvirt', cpuVendor: 'intel' });
const SIZES = { 'default/web1.qcow2': 20, '/tmp/hd/it\'s a "disk" $x.img': 2.25, '/srv/it\'s a "disk" $x.img': 8 };

/** Import the domain as found, and render it back (optionally edited) as the host's desired state. */
function importAndRender(xml: string, edit: (memoryMiB: number) => number = (m) => m) {
  const result = importDomain(xml, bareHost, { volumeSizes: SIZES });
  if (!result.ok) throw new Error(result.reason);
  const needs = {
    ...result.hostNeeds,
    storagePools: result.hostNeeds.storagePools.map((pool) => ({ name: pool.name, path: pool.path ?? `/srv/pools/${pool.name}` })),
  };
  const host = applyHostNeeds(bareHost, needs).host;
  const parsed = parseHostWithVms({ host, vms: [{ ...result.vm, memoryMiB: edit(result.vm.memoryMiB) }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const rendered = renderHost(parsed.value, { domainType: result.domainType });
  const path = vmXmlFile(result.vm.name);
  const desired = rendered.files.find((file) => file.path === path)!.content;
  // The import baseline: the files as found, with libvirt's own XML of the domain.
  const deployed = { files: [{ path, content: xml }], manifest: null };
  return { path, desired, rendered, deployed, memoryMiB: result.vm.memoryMiB };
}

function changedLines(a: string, b: string): { left: string[]; right: string[] } {
  const left = a.split('\n');
  const right = b.split('\n');
  const leftOnly = left.filter((line, index) => right[index] !== line);
  const rightOnly = right.filter((line, index) => left[index] !== line);
  return { left: leftOnly, right: rightOnly };
}

describe.each(['tiny.inactive.xml', 'rich.inactive.xml', 'rich.live.xml'])('%s imported as found', (name) => {
  const xml = fixture(name);

  it('raw texts differ (libvirt spells the domain its own way), the diff shows nothing', () => {
    const { path, desired } = importAndRender(xml);
    expect(desired).not.toBe(xml);
    expect(diffText(path, xml)).toBe(diffText(path, desired));
    expect(sameForDiff(path, xml, desired)).toBe(true);
  });

  it('a memory change is exactly one changed line, and the plan says memory', () => {
    const { path, desired, rendered, deployed, memoryMiB } = importAndRender(xml, (m) => m * 2);
    const { left, right } = changedLines(diffText(path, xml), diffText(path, desired));
    expect(diffText(path, xml).split('\n')).toHaveLength(diffText(path, desired).split('\n').length);
    expect(left).toHaveLength(1);
    expect(right).toHaveLength(1);
    expect(left[0]!.trim()).toBe(`<memory unit="KiB">${memoryMiB * 1024}</memory>`);
    expect(right[0]!.trim()).toBe(`<memory unit="KiB">${memoryMiB * 2 * 1024}</memory>`);
    expect(plan({ desired: rendered, deployed }).vms[0]!.changes).toEqual(['memory']);
  });
});

describe('diffText leaves other files alone', () => {
  it('non-domain files and XML that does not parse are shown as they are', () => {
    expect(diffText('default.nix', '{ }\n')).toBe('{ }\n');
    expect(diffText('vms/x.xml', '<domain><oops>')).toBe('<domain><oops>');
    expect(diffText('cloud-init/x/user-data', '<domain/>')).toBe('<domain/>');
  });
});
