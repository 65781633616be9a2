// Import on a real libvirtd (a lab host, scripts/lab.sh): domains written the
// way virt-install / virt-manager write them are defined over SSH
// (`virsh define /dev/stdin`), read back with `virsh dumpxml`, imported with
// the disk sizes, power state and autostart read from the host as a caller
// would, rendered, and planned against the live XML: no change, no drift, the
// UUID and MACs of the original. A running guest is imported from its live
// XML too. A domain with virt-manager's extras keeps them (modelled fields
// and unmanaged XML); its one change is in the plan as a removal. Domains
// made by `virt-install --print-xml` for five OS variants plan as unchanged
// and redeploy to the same definition. Also: a domain Hostdeck rendered
// itself comes back as the same spec, and the lab's own guests (defined by
// scripts/lab.sh, not by us) plan as unchanged.
//
// Names are unique per run; every domain and volume made here is removed
// afterwards. KVM when the lab host's libvirt offers it, else TCG.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLab, labSsh, labVirsh, type LabHost } from '@/tests/helpers/lab';
import {
  applyHostNeeds,
  diffText,
  importDomain,
  normalizeDomainXml,
  renderDomainXml,
  xmlText,
  type DomainType,
  type ImportOptions,
  type ImportResult,
} from '@/lib/libvirt';
import { hostSpecSchema, newUuid, parseHostWithVms, type HostSpec, type HostWithVms, type VmSpec } from '@/lib/spec';
import { plan, renderHost } from '@/lib/render';

const RUN = `im${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const POOL_PATH = '/var/lib/libvirt/images';
const CATCH_ALL = /in a way the import cannot describe/;

const ssh = labSsh;
const virsh = labVirsh;

let lab: LabHost;
let domainType: DomainType;
let tpmSupported: boolean;
const defined: { name: string; uefi: boolean }[] = [];
const volumes: string[] = [];
const notes: string[] = [];

/** The lab host as a Hostdeck host spec knows it before the import: nothing but the pool. */
const labHost: HostSpec = hostSpecSchema.parse({
  name: 'lab1',
  address: '10.200.1.2',
  flavour: 'libvirt',
  cpuVendor: 'intel',
  storagePools: [{ name: 'default', path: POOL_PATH }],
});

beforeAll(async () => {
  lab = (await ensureLab(1))[0]!;
  domainType = (await ssh(lab, ['virsh', 'domcapabilities', '--virttype', 'kvm'])).code === 0 ? 'kvm' : 'qemu';
  const capabilities = await virsh(lab, ['domcapabilities', '--virttype', domainType]);
  tpmSupported = /<enum name='backendModel'>[\s\S]*?<value>emulator<\/value>[\s\S]*?<\/enum>/.test(
    /<tpm supported='yes'>[\s\S]*?<\/tpm>/.exec(capabilities)?.[0] ?? '',
  );
  if (!tpmSupported) notes.push('no swtpm on the lab host: the domains are defined without a TPM');
});

afterAll(async () => {
  if (!lab) return;
  for (const domain of defined) {
    await ssh(lab, ['virsh', 'destroy', domain.name]);
    await ssh(lab, ['virsh', 'undefine', ...(domain.uefi ? ['--nvram'] : []), domain.name]);
  }
  for (const volume of volumes) await ssh(lab, ['virsh', 'vol-delete', '--pool', 'default', volume]);
  const left = (await virsh(lab, ['list', '--all', '--name'])).split('\n').filter((name) => name.startsWith(RUN));
  const leftVolumes = (await virsh(lab, ['vol-list', '--pool', 'default'])).split('\n').filter((line) => line.trim().startsWith(RUN));
  expect(left, 'domains of this run left on the lab host').toEqual([]);
  expect(leftVolumes, 'volumes of this run left on the lab host').toEqual([]);
  if (notes.length > 0) console.log(`import round trip notes:\n  ${notes.join('\n  ')}`);
});

async function createVolume(name: string, size: string, format: 'qcow2' | 'raw'): Promise<void> {
  await virsh(lab, ['vol-create-as', 'default', name, size, '--format', format]);
  volumes.push(name);
}

async function define(name: string, xml: string, uefi = false): Promise<void> {
  await virsh(lab, ['define', '/dev/stdin'], xml);
  defined.push({ name, uefi });
}

/** What a caller reads from the host to import a domain: the XML, power state, autostart, then the disk sizes. */
async function importFromHost(
  name: string,
  host: HostSpec = labHost,
  extra: ImportOptions = {},
): Promise<{ xml: string; result: Extract<ImportResult, { ok: true }> }> {
  const xml = await virsh(lab, ['dumpxml', name]);
  const running = (await virsh(lab, ['domstate', name])).trim() === 'running';
  const autostart = /^Autostart:\s+enable/m.test(await virsh(lab, ['dominfo', name]));
  const first = importDomain(xml, host, { running, autostart, ...extra });
  if (!first.ok) throw new Error(first.reason);
  const volumeSizes: Record<string, number> = {};
  for (const disk of first.vm.disks) {
    const key = disk.source.type === 'volume' ? `${disk.source.pool}/${disk.source.volume}` : disk.source.path;
    const args =
      disk.source.type === 'volume'
        ? ['vol-info', '--bytes', '--pool', disk.source.pool, disk.source.volume]
        : ['vol-info', '--bytes', disk.source.path];
    const info = await ssh(lab, ['virsh', ...args]);
    const bytes = /^Capacity:\s+(\d+) bytes/m.exec(info.stdout)?.[1];
    if (bytes !== undefined) volumeSizes[key] = Number(bytes) / 1024 ** 3;
  }
  const result = importDomain(xml, host, { running, autostart, volumeSizes, ...extra });
  if (!result.ok) throw new Error(result.reason);
  return { xml, result };
}

function adopt(result: Extract<ImportResult, { ok: true }>, host: HostSpec = labHost): HostWithVms {
  const { host: adopted, unresolved } = applyHostNeeds(host, result.hostNeeds);
  expect(unresolved).toEqual([]);
  const parsed = parseHostWithVms({ host: adopted, vms: [result.vm] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

function macsOf(xml: string): string[] {
  return [...xml.matchAll(/<mac address='([0-9a-f:]+)'/g)].map((match) => match[1]!);
}

/**
 * The plan of an adopted domain: unchanged and not drifted. A domain that has
 * no Hostdeck metadata yet may show `tags` only (the empty <hostdeck:vm>
 * marker Hostdeck adds), which the import then explains — see the report on
 * normalising an empty marker as absent.
 */
function expectAdoptedUnchanged(xml: string, result: Extract<ImportResult, { ok: true }>, running: boolean): void {
  const spec = adopt(result);
  const rendered = renderHost(spec, { domainType: result.domainType });
  const live = { [result.vm.name]: xml };
  const first = plan({ desired: rendered, live }).vms[0]!;
  const afterDeploy = plan({ desired: rendered, deployed: rendered, live }).vms[0]!;
  expect(result.unsupported.filter((sentence) => CATCH_ALL.test(sentence))).toEqual([]);
  if (result.differences.length === 0) {
    expect(normalizeDomainXml(renderDomainXml(spec.host, result.vm, { domainType: result.domainType }))).toBe(normalizeDomainXml(xml));
    // The diff an approver reads for a host imported as found (baseline: libvirt's own XML) is empty.
    const desired = rendered.files.find((file) => file.path === `vms/${result.vm.name}.xml`)!.content;
    expect(diffText(`vms/${result.vm.name}.xml`, desired)).toBe(diffText(`vms/${result.vm.name}.xml`, xml));
    expect(first).toMatchObject({ action: 'unchanged', changes: [], drifted: false, running });
    expect(afterDeploy).toMatchObject({ action: 'unchanged', changes: [], drifted: false, drift: [], running });
    expect(result.unsupported).toEqual([]);
  } else {
    notes.push(`${result.vm.name}: the first plan shows ${result.differences.join(', ')} (Hostdeck's empty metadata marker)`);
    expect(result.differences).toEqual(['tags']);
    expect(result.unsupported).toEqual([expect.stringMatching(/marks the domain with its own, empty metadata element/)]);
    expect(first).toMatchObject({ action: 'changed', changes: ['tags'], restartNeeded: false, running });
    expect(afterDeploy).toMatchObject({ drifted: true, drift: ['tags'] });
  }
}

const cpu = () => (domainType === 'kvm' ? "<cpu mode='host-passthrough' check='none' migratable='on'/>" : '');

describe('domains written the way virt-install writes them', () => {
  it('q35, a volume in the default pool, a libvirt network, VNC + SPICE, serial console, guest agent: unchanged, identity kept', async () => {
    const name = `${RUN}-vol`;
    const uuid = newUuid();
    await createVolume(`${name}.qcow2`, '2G', 'qcow2');
    await define(
      name,
      `<domain type='${domainType}'>
  <name>${name}</name>
  <uuid>${uuid}</uuid>
  <description>web server — "front" &amp; back</description>
  <memory unit='KiB'>131072</memory>
  <currentMemory unit='KiB'>131072</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  ${cpu()}
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source pool='default' volume='${name}.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='usb' index='0' model='qemu-xhci'/>
    <controller type='virtio-serial' index='0'/>
    <interface type='network'>
      <mac address='52:54:00:5a:00:01'/>
      <source network='lab'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <channel type='unix'>
      <source mode='bind'/>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <input type='tablet' bus='usb'/>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <graphics type='vnc' port='-1' autoport='yes'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <graphics type='spice' autoport='yes'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video>
      <model type='virtio' heads='1' primary='yes'/>
    </video>
    <memballoon model='virtio'/>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
`,
    );
    await virsh(lab, ['autostart', name]);
    const { xml, result } = await importFromHost(name);
    expect(result.vm).toMatchObject({
      name,
      uuid,
      vcpus: 2,
      memoryMiB: 128,
      machine: expect.stringMatching(/^pc-q35-\d+\.\d+$/),
      firmware: 'bios',
      disks: [{ source: { type: 'volume', pool: 'default', volume: `${name}.qcow2` }, sizeGiB: 2, format: 'qcow2', bus: 'virtio' }],
      interfaces: [{ type: 'network', network: 'lab', mac: '52:54:00:5a:00:01', model: 'virtio' }],
      graphics: { vnc: true, spice: true },
      serialConsole: true,
      guestAgent: true,
      tpm: false,
      autostart: true,
      powerState: 'stopped',
      description: 'web server — "front" & back',
    });
    expect(result.hostNeeds).toEqual({ bridges: [], nics: [], libvirtNetworks: ['lab'], storagePools: [] });
    expect(result.vm.interfaces.map((nic) => nic.mac)).toEqual(macsOf(xml));
    expectAdoptedUnchanged(xml, result, false);
  });

  it('pc (i440fx), UEFI, file disks on virtio and SATA, a bridge and a macvtap interface, VNC, TPM: unchanged', async () => {
    const name = `${RUN}-br`;
    const uuid = newUuid();
    await createVolume(`${name}-root.qcow2`, '3G', 'qcow2');
    await createVolume(`${name}-data.raw`, '1G', 'raw');
    await define(
      name,
      `<domain type='${domainType}'>
  <name>${name}</name>
  <uuid>${uuid}</uuid>
  <memory unit='MiB'>96</memory>
  <vcpu placement='static'>1</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  ${cpu()}
  <clock offset='utc'/>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${POOL_PATH}/${name}-root.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${POOL_PATH}/${name}-data.raw'/>
      <target dev='sda' bus='sata'/>
    </disk>
    <interface type='bridge'>
      <mac address='52:54:00:5a:00:02'/>
      <source bridge='br0'/>
      <model type='virtio'/>
    </interface>
    <interface type='direct'>
      <mac address='52:54:00:5a:00:03'/>
      <source dev='eth9' mode='bridge'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <input type='tablet' bus='usb'/>
    ${tpmSupported ? "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>" : ''}
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video>
      <model type='virtio'/>
    </video>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
`,
      true,
    );
    const { xml, result } = await importFromHost(name);
    expect(result.vm).toMatchObject({
      uuid,
      machine: expect.stringMatching(/^pc-i440fx-\d+\.\d+$/),
      firmware: 'uefi',
      disks: [
        { source: { type: 'file', path: `${POOL_PATH}/${name}-root.qcow2` }, sizeGiB: 3, format: 'qcow2', bus: 'virtio' },
        { source: { type: 'file', path: `${POOL_PATH}/${name}-data.raw` }, sizeGiB: 1, format: 'raw', bus: 'sata' },
      ],
      interfaces: [
        { type: 'bridge', bridge: 'br0', mac: '52:54:00:5a:00:02' },
        { type: 'direct', dev: 'eth9', mac: '52:54:00:5a:00:03' },
      ],
      graphics: { vnc: true, spice: false },
      serialConsole: true,
      guestAgent: false,
      tpm: tpmSupported,
      autostart: false,
    });
    expect(result.hostNeeds).toEqual({ bridges: ['br0'], nics: ['eth9'], libvirtNetworks: [], storagePools: [] });
    expect(result.vm.interfaces.map((nic) => nic.mac)).toEqual(macsOf(xml));
    expectAdoptedUnchanged(xml, result, false);
  });

  it('a running guest is imported from its live XML (ports, aliases, pty paths assigned) as running, unchanged', async () => {
    const name = `${RUN}-run`;
    const uuid = newUuid();
    await define(
      name,
      `<domain type='${domainType}'>
  <name>${name}</name>
  <uuid>${uuid}</uuid>
  <metadata>
    <hostdeck:vm xmlns:hostdeck="https://hostdeck.dev/xmlns/libvirt-domain/1"><hostdeck:tag>lab</hostdeck:tag></hostdeck:vm>
  </metadata>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/><apic/></features>
  ${cpu()}
  <clock offset='utc'/>
  <devices>
    <interface type='network'><mac address='52:54:00:5a:00:04'/><source network='lab'/><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc' port='-1' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>
    <graphics type='spice' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>
    <video><model type='virtio'/></video>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
`,
    );
    await virsh(lab, ['start', name]);
    const { xml, result } = await importFromHost(name);
    expect(xml).toMatch(/<domain type='(kvm|qemu)' id='\d+'>/);
    expect(xml).toMatch(/<graphics type='vnc' port='59\d\d'/);
    expect(result.vm).toMatchObject({ uuid, powerState: 'running', tags: ['lab'], interfaces: [{ mac: '52:54:00:5a:00:04' }] });
    expect(result.differences).toEqual([]);
    expectAdoptedUnchanged(xml, result, true);
    // Without options.running the XML's id says the same.
    const fromXml = importDomain(xml, labHost);
    expect(fromXml.ok && fromXml.vm.powerState).toBe('running');
  });
});

describe('devices Hostdeck does not manage', () => {
  it('virt-manager extras are kept; the one change (the display address) is in the plan as a removal', async () => {
    const name = `${RUN}-vm`;
    await createVolume(`${name}.qcow2`, '1G', 'qcow2');
    await define(
      name,
      `<domain type='${domainType}'>
  <name>${name}</name>
  <uuid>${newUuid()}</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://debian.org/debian/12"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='MiB'>128</memory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <vmport state='off'/>
  </features>
  <cpu mode='${domainType === 'kvm' ? 'host-passthrough' : 'custom'}'>
    ${domainType === 'kvm' ? '' : '<model>qemu64</model>'}
    <topology sockets='1' dies='1' cores='2' threads='1'/>
  </cpu>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <pm>
    <suspend-to-mem enabled='no'/>
    <suspend-to-disk enabled='no'/>
  </pm>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none' discard='unmap'/>
      <source file='${POOL_PATH}/${name}.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${POOL_PATH}/debian-12-netinst.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <controller type='usb' index='0' model='qemu-xhci' ports='15'/>
    <interface type='network'>
      <mac address='52:54:00:5a:00:05'/>
      <source network='lab'/>
      <model type='e1000e'/>
    </interface>
    <serial type='pty'><target type='isa-serial' port='0'><model name='isa-serial'/></target></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>
    <input type='tablet' bus='usb'/>
    <graphics type='spice' autoport='yes'>
      <listen type='address'/>
      <image compression='off'/>
    </graphics>
    <sound model='ich9'/>
    <audio id='1' type='spice'/>
    <video>
      <model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/>
    </video>
    <redirdev bus='usb' type='spicevmc'/>
    <redirdev bus='usb' type='spicevmc'/>
    <watchdog model='i6300esb' action='reset'/>
    <memballoon model='virtio'/>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
`,
    );
    const { xml, result } = await importFromHost(name);
    // Kept: modelled fields read from the XML as this libvirtd gives it back, the rest as unmanaged XML.
    expect(result.vm).toMatchObject({
      disks: [{ source: { type: 'file', path: `${POOL_PATH}/${name}.qcow2` }, cache: 'none', discard: 'unmap' }],
      cdroms: [{ source: { type: 'file', path: `${POOL_PATH}/debian-12-netinst.iso` }, bus: 'sata' }],
      interfaces: [{ type: 'network', network: 'lab', mac: '52:54:00:5a:00:05', model: 'e1000e' }],
      graphics: { vnc: false, spice: true, spiceImageCompression: 'off' },
      video: 'qxl',
      cpu: { topology: { sockets: 1, cores: 2, threads: 1 } },
    });
    const kinds = (fragments: string[]) => fragments.map((fragment) => /^<([\w:-]+)/.exec(fragment)![1]);
    expect(kinds(result.vm.unmanagedXml.devices)).toEqual(['controller', 'channel', 'sound', 'redirdev', 'redirdev', 'watchdog']);
    expect(kinds(result.vm.unmanagedXml.domain)).toEqual(['features', 'clock', 'pm']);
    expect(result.vm.unmanagedXml.metadata).toEqual([expect.stringContaining('http://debian.org/debian/12')]);
    // The one thing Hostdeck changes: the display listens on 127.0.0.1 only.
    expect(result.unsupported).toEqual([expect.stringMatching(/SPICE display listens on the host's default address/)]);
    expect(result.vm.uuid).toBe(/<uuid>([^<]+)<\/uuid>/.exec(xml)![1]);

    const spec = adopt(result);
    const rendered = renderHost(spec, { domainType: result.domainType });
    const first = plan({ desired: rendered, live: { [name]: xml } }).vms[0]!;
    expect(first.action).toBe('changed');
    expect(first.changes).toEqual(result.differences);
    expect(result.differences).toEqual(['graphics']);
    expect(first.removes).toEqual([expect.stringMatching(/^<graphics type='spice'/)]);

    // What Hostdeck would deploy is a valid domain for this libvirtd, with the identity kept.
    const name2 = `${RUN}-vm2`;
    const redeploy = renderDomainXml(spec.host, { ...result.vm, name: name2, uuid: newUuid() }, { domainType: result.domainType });
    await define(name2, redeploy);
    const back = await virsh(lab, ['dumpxml', '--inactive', name2]);
    expect(macsOf(back)).toEqual(['52:54:00:5a:00:05']);
    expect(back).toContain(`<source file='${POOL_PATH}/${name}.qcow2'/>`);
  });

  it("the lab's own guests (defined by scripts/lab.sh) are read with nothing lost, and plan as unchanged", async () => {
    for (const name of ['lab-vm-1', 'lab-vm-2']) {
      const xml = await virsh(lab, ['dumpxml', name]);
      const result = importDomain(xml, labHost);
      expect(result.ok, name).toBe(true);
      if (!result.ok) continue;
      expect(result.vm.name).toBe(name);
      expect(result.vm.interfaces.map((nic) => nic.mac)).toEqual(macsOf(xml));
      // Everything they carry is kept now: the NIC without its boot ROM, their video card, no balloon, no USB.
      expect(result.unsupported, name).toEqual([]);
      expect(result.differences, name).toEqual([]);
      expect(result.vm.interfaces.map((nic) => nic.bootRom)).toEqual(macsOf(xml).map(() => !/<rom enabled='no'\/>/.test(xml)));
      const video = /<video>\s*<model type='([^']+)'/.exec(xml)?.[1];
      if (video && (result.vm.graphics.vnc || result.vm.graphics.spice)) expect(result.vm.video).toBe(video);
      const spec = adopt(result);
      const rendered = renderHost(spec, { domainType: result.domainType });
      expect(plan({ desired: rendered, live: { [name]: xml } }).vms[0]).toMatchObject({ action: 'unchanged', changes: [], removes: [] });
    }
  });
});

/**
 * virt-install as operators run it (Debian's virt-install and osinfo-db on the
 * lab host): `--print-xml` for five OS variants, defined, read back and
 * imported. Each plans as unchanged; the settings virt-install chose for the
 * OS are kept, checked against the XML it generated.
 */
describe('domains made by virt-install --print-xml', () => {
  it.each([
    ['debian11', 'debian11', 'vnc'],
    ['ubuntu', 'ubuntu22.04', 'spice'],
    ['fedora', 'fedora37', 'spice'],
    ['win10', 'win10', 'spice'],
    ['generic', 'generic', 'vnc'],
  ])('%s (--osinfo %s, %s): imported with nothing lost, the plan shows no change', async (label, osinfo, display) => {
    const name = `${RUN}-vi-${label}`;
    const printed = await ssh(lab, [
      'virt-install',
      '--print-xml',
      '--name',
      name,
      '--memory',
      '256',
      '--vcpus',
      '2',
      '--osinfo',
      osinfo,
      '--disk',
      'none',
      '--network',
      'network=lab',
      '--graphics',
      `${display},listen=127.0.0.1`,
      '--import',
      '--noautoconsole',
    ]);
    expect(printed.code, printed.stderr).toBe(0);
    await define(name, printed.stdout);
    const { xml, result } = await importFromHost(name);
    expect(result.unsupported).toEqual([]);
    expect(result.differences).toEqual([]);
    expectAdoptedUnchanged(xml, result, false);
    // What virt-install chose for the OS, as it generated it.
    const generated = printed.stdout;
    expect(result.vm.interfaces.map((nic) => nic.model)).toEqual([/<interface[\s\S]*?<model type="([^"]+)"/.exec(generated)![1]]);
    const video = /<video>\s*<model type="([^"]+)"/.exec(generated)?.[1];
    if (video) expect(result.vm.video).toBe(video);
    expect(result.vm.graphics[display as 'vnc' | 'spice']).toBe(true);
    expect(result.vm.guestAgent).toBe(generated.includes('org.qemu.guest_agent.0'));
    expect(result.vm.rng).toBe(generated.includes('<rng '));
    const osId = /<libosinfo:os id="([^"]+)"/.exec(generated)?.[1];
    if (osId) expect(result.vm.unmanagedXml.metadata.join('')).toContain(osId);
    for (const kind of ['sound', 'redirdev', 'watchdog']) {
      const count = (generated.match(new RegExp(`<${kind} `, 'g')) ?? []).length;
      expect(
        result.vm.unmanagedXml.devices.filter((fragment) => fragment.startsWith(`<${kind} `)),
        kind,
      ).toHaveLength(count);
    }
    // A redeploy of the adopted VM is accepted by this libvirtd and reads back the same.
    const spec = adopt(result);
    const again = `${name}-re`;
    await define(
      again,
      renderDomainXml(spec.host, { ...result.vm, name: again }, { domainType: result.domainType }).replace(result.vm.uuid, newUuid()),
    );
    const back = await virsh(lab, ['dumpxml', '--inactive', again]);
    const strip = (text: string) => normalizeDomainXml(text).replace(/<name>[^<]*<\/name>|<uuid>[^<]*<\/uuid>/g, '');
    expect(strip(back)).toBe(strip(xml));
  });
});

describe('a domain Hostdeck rendered itself', () => {
  it('defined, read back and imported, it is the same VM spec again (UEFI, TPM, SCSI file disk, two bridges)', async () => {
    const golden = parseHostWithVms(JSON.parse(readFileSync(join(process.cwd(), 'tests/golden/nixos-host/spec.json'), 'utf8')));
    if (!golden.ok) throw new Error(JSON.stringify(golden.issues));
    const db1 = golden.value.vms.find((vm) => vm.name === 'db1')!;
    const vm: VmSpec = { ...db1, name: `${RUN}-db1`, uuid: newUuid(), tpm: db1.tpm && tpmSupported };
    await define(vm.name, renderDomainXml(golden.value.host, vm, { domainType }), true);
    const volumeSizes = Object.fromEntries(
      vm.disks.map((disk) => [
        disk.source.type === 'volume' ? `${disk.source.pool}/${disk.source.volume}` : disk.source.path,
        disk.sizeGiB,
      ]),
    );
    const { xml, result } = await importFromHost(vm.name, golden.value.host, { volumeSizes });
    expect(result.unsupported).toEqual([]);
    expect(result.vm).toEqual({
      ...vm,
      machine: expect.stringMatching(/^pc-q35-\d+\.\d+$/), // the version libvirt pinned
      autostart: false,
      powerState: 'stopped',
      description: xmlText(vm.description),
      tags: vm.tags.map(xmlText),
      disks: vm.disks.map(({ baseImage: _baseImage, ...disk }) => disk),
    });
    const rendered = renderHost({ host: golden.value.host, vms: [result.vm] }, { domainType });
    expect(plan({ desired: rendered, deployed: rendered, live: { [vm.name]: xml } }).vms[0]).toMatchObject({
      action: 'unchanged',
      drifted: false,
    });
  });
});
