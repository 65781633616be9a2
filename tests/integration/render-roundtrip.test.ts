// Round trip on a real libvirtd (a lab host, scripts/lab.sh): every golden
// domain is defined over SSH (`virsh define /dev/stdin`), read back with
// `virsh dumpxml`, normalised, and the plan must see no change and no drift.
// One small diskless guest is also started, so the running form of the XML
// (ports, aliases, pty paths, …) is covered too.
//
// Names and UUIDs are made unique per run (the golden VMs' names prefixed),
// and every domain is undefined afterwards. KVM when the lab host's libvirt
// offers it, else TCG (domainType qemu). A guest with a TPM is defined
// without it when the host has no swtpm (libvirt then refuses any emulated
// TPM); the test says so in its output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, labSsh, labVirsh, type LabHost } from '@/tests/helpers/lab';
import { newUuid, parseHostWithVms, type HostWithVms, type VmSpec } from '@/lib/spec';
import { normalizeDomainXml, type DomainType } from '@/lib/libvirt';
import { plan, renderHost, type RenderedHost } from '@/lib/render';

const RUN = `rt${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

const ssh = labSsh;
const virsh = labVirsh;

function goldenSpec(name: string): HostWithVms {
  const parsed = parseHostWithVms(JSON.parse(readFileSync(join(process.cwd(), 'tests/golden', name, 'spec.json'), 'utf8')));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** The golden host with its active VMs renamed for this run (fresh UUIDs), and TPMs dropped when the host cannot emulate one. */
function forThisRun(spec: HostWithVms, tpmSupported: boolean, notes: string[]): HostWithVms {
  const vms: VmSpec[] = spec.vms
    .filter((vm) => !vm.remove)
    .map((vm) => {
      if (vm.tpm && !tpmSupported) notes.push(`${vm.name}: defined without its TPM (no swtpm on the lab host)`);
      return { ...vm, name: `${RUN}-${vm.name}`, uuid: newUuid(), tpm: vm.tpm && tpmSupported };
    });
  return { host: spec.host, vms };
}

let host: LabHost;
let domainType: DomainType;
let tpmSupported: boolean;
const defined: { name: string; uefi: boolean }[] = [];
const notes: string[] = [];

beforeAll(async () => {
  host = (await ensureLab(1))[0]!;
  domainType = (await ssh(host, ['virsh', 'domcapabilities', '--virttype', 'kvm'])).code === 0 ? 'kvm' : 'qemu';
  const capabilities = await virsh(host, ['domcapabilities', '--virttype', domainType]);
  tpmSupported = /<enum name='backendModel'>[\s\S]*?<value>emulator<\/value>[\s\S]*?<\/enum>/.test(
    /<tpm supported='yes'>[\s\S]*?<\/tpm>/.exec(capabilities)?.[0] ?? '',
  );
});

afterAll(async () => {
  for (const domain of defined) {
    await ssh(host, ['virsh', 'destroy', domain.name]);
    await ssh(host, ['virsh', 'undefine', ...(domain.uefi ? ['--nvram'] : []), domain.name]);
  }
  const left = (await virsh(host, ['list', '--all', '--name'])).split('\n').filter((name) => name.startsWith(RUN));
  expect(left, 'domains of this run left on the lab host').toEqual([]);
  if (notes.length > 0) console.log(`render round trip notes:\n  ${notes.join('\n  ')}`);
});

async function defineAll(rendered: RenderedHost, spec: HostWithVms): Promise<Record<string, string>> {
  const live: Record<string, string> = {};
  for (const vm of rendered.manifest.vms) {
    const xml = rendered.files.find((file) => file.path === vm.xmlFile)!.content;
    await virsh(host, ['define', '/dev/stdin'], xml);
    defined.push({ name: vm.name, uefi: spec.vms.find((candidate) => candidate.name === vm.name)!.firmware === 'uefi' });
    live[vm.name] = await virsh(host, ['dumpxml', '--inactive', vm.name]);
  }
  return live;
}

describe.each(['nixos-host', 'libvirt-host'])('round trip of golden %s through libvirtd', (golden) => {
  it('every domain defines, reads back identical after normalising, and plans as unchanged without drift', async () => {
    const spec = forThisRun(goldenSpec(golden), tpmSupported, notes);
    const rendered = renderHost(spec, { domainType });
    const live = await defineAll(rendered, spec);
    expect(Object.keys(live).length).toBe(spec.vms.length);

    for (const [name, xml] of Object.entries(live)) {
      const desired = rendered.files.find((file) => file.path === `vms/${name}.xml`)!.content;
      expect(xml).not.toBe(desired); // libvirtd did rewrite it…
      expect(normalizeDomainXml(xml), name).toBe(normalizeDomainXml(desired)); // …and normalising undoes that
    }
    const result = plan({ desired: rendered, deployed: rendered, live });
    for (const vm of result.vms) expect(vm, vm.name).toMatchObject({ action: 'unchanged', drifted: false, drift: [], running: false });
    expect(result.changed).toBe(false);

    // A change made on the host shows as drift.
    const [first] = spec.vms;
    await virsh(host, ['setmaxmem', first!.name, `${first!.memoryMiB * 2}M`, '--config']);
    const edited = await virsh(host, ['dumpxml', '--inactive', first!.name]);
    const drifted = plan({ desired: rendered, deployed: rendered, live: { ...live, [first!.name]: edited } });
    expect(drifted.vms.find((vm) => vm.name === first!.name)).toMatchObject({ drifted: true, drift: ['memory'] });
  });
});

describe('round trip of a running guest', () => {
  it('a started domain (ports, aliases, pty paths assigned) is no drift either', async () => {
    const spec = goldenSpec('libvirt-host');
    const guest: VmSpec = {
      ...spec.vms[0]!,
      name: `${RUN}-running`,
      uuid: newUuid(),
      memoryMiB: 64,
      vcpus: 1,
      disks: [],
      interfaces: [],
      cloudInit: undefined,
      graphics: { vnc: true, spice: true },
    };
    const rendered = renderHost({ host: spec.host, vms: [guest] }, { domainType });
    const xml = rendered.files.find((file) => file.path === `vms/${guest.name}.xml`)!.content;
    await virsh(host, ['define', '/dev/stdin'], xml);
    defined.push({ name: guest.name, uefi: false });
    await virsh(host, ['start', guest.name]);
    const running = await virsh(host, ['dumpxml', guest.name]);
    expect(running).toMatch(/<domain type='(kvm|qemu)' id='\d+'>/);
    expect(running).toMatch(/<graphics type='vnc' port='59\d\d'/);
    const result = plan({ desired: rendered, deployed: rendered, live: { [guest.name]: running } });
    expect(result.vms[0]).toMatchObject({ action: 'unchanged', drifted: false, running: true });

    // A memory change of a running guest needs a restart; the plan says so.
    const bigger = renderHost({ host: spec.host, vms: [{ ...guest, memoryMiB: 128 }] }, { domainType });
    expect(plan({ desired: bigger, deployed: rendered, live: { [guest.name]: running } }).vms[0]).toMatchObject({
      action: 'changed',
      changes: ['memory'],
      restartNeeded: true,
    });
  });
});
