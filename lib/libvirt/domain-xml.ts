// lib/libvirt/domain-xml — spec → libvirt domain XML, one per VM.
//
// Owns: the shape of the domain XML Hostdeck defines. Built with xmlbuilder2
// (never by string concatenation), so every value is escaped; free text also
// goes through xmlText() to fit XML 1.0. The output validates against
// libvirt's domain.rng (`virt-xml-validate FILE domain`).
//
// Conventions:
// - graphics (VNC, SPICE) always listen on 127.0.0.1 with an automatic port;
//   consoles are reached through SSH forwards;
// - disk targets are named per bus family in order: virtio vda, vdb, …;
//   sata and scsi share sda, sdb, …; the cloud-init seed comes last on the
//   sd family (sata, read-only cdrom) from seedIsoPath(vm.name), i.e.
//   /var/lib/hostdeck/seeds/<vm>.iso, which the deployment writes;
// - description → <description>, tags → <metadata><hostdeck:vm> in the
//   hostdeck namespace below;
// - cdroms come after the disks of their family (sata/scsi on sd…, ide on
//   hd…), before the seed;
// - domainType 'kvm' by default; a deployment may pass 'qemu' (TCG) when the
//   host has no /dev/kvm. Without vm.cpu: host-passthrough with KVM, no <cpu>
//   (QEMU's default model) with TCG;
// - vm.unmanagedXml fragments go back where libvirt keeps them: domain
//   fragments by libvirt's element order, device fragments by device kind; a
//   <features> or <clock> fragment replaces Hostdeck's default one.
// Element order follows libvirt's own output, to keep diffs against
// `virsh dumpxml` small.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { seedIsoPath, type CdromSpec, type DiskSpec, type HostSpec, type VmSpec } from '@/lib/spec';
import { DEVICE_ORDER, DOMAIN_ORDER } from './element-order';
import { forXmlBuilder, xmlText } from './xml-text';
import { appendTree, parseXml, withoutLayout, type XmlElement } from './xml-tree';

/** Child element with attributes, every value escaped (see forXmlBuilder). */
function child(parent: XMLBuilder, name: string, attributes: Record<string, string> = {}, namespace?: string): XMLBuilder {
  const escaped: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) escaped[key] = forXmlBuilder(value);
  return namespace === undefined ? parent.ele(name, escaped) : parent.ele(namespace, name, escaped);
}

/** Child element holding text, escaped (see forXmlBuilder). */
function textChild(
  parent: XMLBuilder,
  name: string,
  text: string,
  attributes: Record<string, string> = {},
  namespace?: string,
): XMLBuilder {
  return child(parent, name, attributes, namespace).txt(forXmlBuilder(text));
}

export const HOSTDECK_XML_NAMESPACE = 'https://hostdeck.dev/xmlns/libvirt-domain/1';
export const HOSTDECK_XML_PREFIX = 'hostdeck';
export const GUEST_AGENT_CHANNEL = 'org.qemu.guest_agent.0';
export const GRAPHICS_LISTEN_ADDRESS = '127.0.0.1';

export type DomainType = 'kvm' | 'qemu';

export interface DomainXmlOptions {
  /** 'kvm' (default) or 'qemu' for TCG on hosts without /dev/kvm. */
  domainType?: DomainType;
}

/** 0 → "a", 25 → "z", 26 → "aa", as libvirt names disks (vda … vdz, vdaa …). */
export function diskLetters(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

export interface DiskTarget {
  disk: DiskSpec;
  dev: string;
}

export interface CdromTarget {
  cdrom: CdromSpec;
  dev: string;
}

/** Target device names for a VM's disks, its cdroms, and its cloud-init seed (if any). */
export function diskTargets(vm: VmSpec): { disks: DiskTarget[]; cdroms: CdromTarget[]; seedDev: string | null } {
  let virtio = 0;
  let sd = 0;
  let hd = 0;
  const disks = vm.disks.map((disk) => ({
    disk,
    dev: disk.bus === 'virtio' ? `vd${diskLetters(virtio++)}` : `sd${diskLetters(sd++)}`,
  }));
  const cdroms = (vm.cdroms ?? []).map((cdrom) => ({
    cdrom,
    dev: cdrom.bus === 'ide' ? `hd${diskLetters(hd++)}` : `sd${diskLetters(sd++)}`,
  }));
  return { disks, cdroms, seedDev: vm.cloudInit ? `sd${diskLetters(sd)}` : null };
}

function addDisk(devices: XMLBuilder, target: DiskTarget): void {
  const { disk, dev } = target;
  const element = child(devices, 'disk', { type: disk.source.type, device: 'disk' });
  const driver: Record<string, string> = { name: 'qemu', type: disk.format };
  if (disk.cache !== undefined) driver.cache = disk.cache;
  if (disk.io !== undefined) driver.io = disk.io;
  if (disk.discard !== undefined) driver.discard = disk.discard;
  child(element, 'driver', driver);
  if (disk.source.type === 'volume') child(element, 'source', { pool: disk.source.pool, volume: disk.source.volume });
  else child(element, 'source', { file: disk.source.path });
  child(element, 'target', { dev, bus: disk.bus });
}

function addCdrom(devices: XMLBuilder, target: CdromTarget): void {
  const { cdrom, dev } = target;
  const element = child(devices, 'disk', { type: cdrom.source?.type ?? 'file', device: 'cdrom' });
  child(element, 'driver', { name: 'qemu', type: 'raw' });
  if (cdrom.source?.type === 'volume') child(element, 'source', { pool: cdrom.source.pool, volume: cdrom.source.volume });
  else if (cdrom.source?.type === 'file') child(element, 'source', { file: cdrom.source.path });
  child(element, 'target', { dev, bus: cdrom.bus });
  child(element, 'readonly');
}

function addGraphics(devices: XMLBuilder, type: 'vnc' | 'spice', vm: VmSpec): void {
  const attributes: Record<string, string> = type === 'vnc' ? { type, port: '-1', autoport: 'yes' } : { type, autoport: 'yes' };
  const graphics = child(devices, 'graphics', attributes);
  child(graphics, 'listen', { type: 'address', address: GRAPHICS_LISTEN_ADDRESS });
  if (type === 'spice' && vm.graphics.spiceImageCompression !== undefined) {
    child(graphics, 'image', { compression: vm.graphics.spiceImageCompression });
  }
}

function addCpu(domain: XMLBuilder, vm: VmSpec, domainType: DomainType): void {
  const cpu = vm.cpu;
  if (cpu === undefined) {
    if (domainType === 'kvm') child(domain, 'cpu', { mode: 'host-passthrough' });
    return;
  }
  const element = child(domain, 'cpu', { mode: cpu.mode });
  if (cpu.mode === 'custom' && cpu.model !== undefined) textChild(element, 'model', cpu.model);
  if (cpu.topology !== undefined) {
    const { sockets, dies, cores, threads } = cpu.topology;
    child(element, 'topology', { sockets: String(sockets), dies: String(dies), cores: String(cores), threads: String(threads) });
  }
}

/**
 * Writes unmanaged fragments in libvirt's element order: `upTo(name)` emits
 * every fragment that libvirt keeps before `name` (and not yet written),
 * `rest()` the others. Fragments are validated by lib/spec (unmanaged-xml).
 */
class FragmentPlacer {
  private readonly pending: { element: XmlElement; rank: number }[];

  constructor(
    private readonly parent: XMLBuilder,
    fragments: readonly string[],
    private readonly order: readonly string[],
  ) {
    this.pending = fragments
      .map((fragment) => {
        const element = withoutLayout(parseXml(fragment));
        return { element, rank: this.rank(element.name) };
      })
      .sort((a, b) => a.rank - b.rank); // stable: same-kind fragments keep their order
  }

  has(name: string): boolean {
    return this.pending.some((entry) => entry.element.name === name);
  }

  private rank(name: string): number {
    const index = this.order.indexOf(name);
    return index < 0 ? this.order.length : index;
  }

  upTo(name: string, inclusive = false): void {
    const limit = this.rank(name) + (inclusive ? 1 : 0);
    while (this.pending.length > 0) {
      const index = this.pending.findIndex((entry) => entry.rank < limit);
      if (index < 0) return;
      appendTree(this.parent, this.pending.splice(index, 1)[0]!.element);
    }
  }

  rest(): void {
    for (const entry of this.pending.splice(0)) appendTree(this.parent, entry.element);
  }
}

/** The libvirt domain XML of one VM. Deterministic: same input, same bytes. */
export function renderDomainXml(host: HostSpec, vm: VmSpec, options: DomainXmlOptions = {}): string {
  void host; // The host spec is not needed for the XML today; kept in the signature for host-dependent choices.
  const domainType = options.domainType ?? 'kvm';
  const document = create();
  const domain = child(document, 'domain', { type: domainType });
  textChild(domain, 'name', vm.name);
  textChild(domain, 'uuid', vm.uuid);
  if (vm.description !== '') textChild(domain, 'description', xmlText(vm.description));
  const meta = child(child(domain, 'metadata'), `${HOSTDECK_XML_PREFIX}:vm`, {}, HOSTDECK_XML_NAMESPACE);
  for (const tag of vm.tags) textChild(meta, `${HOSTDECK_XML_PREFIX}:tag`, xmlText(tag), {}, HOSTDECK_XML_NAMESPACE);
  for (const fragment of vm.unmanagedXml?.metadata ?? []) appendTree(meta.up(), withoutLayout(parseXml(fragment)));

  const top = new FragmentPlacer(domain, vm.unmanagedXml?.domain ?? [], DOMAIN_ORDER);
  top.upTo('memory');
  textChild(domain, 'memory', String(vm.memoryMiB), { unit: 'MiB' });
  top.upTo('vcpu');
  textChild(domain, 'vcpu', String(vm.vcpus));
  top.upTo('os');

  const os = child(domain, 'os', vm.firmware === 'uefi' ? { firmware: 'efi' } : {});
  textChild(os, 'type', 'hvm', { arch: 'x86_64', machine: vm.machine });
  child(os, 'boot', { dev: 'hd' });

  top.upTo('features');
  if (!top.has('features')) {
    const features = child(domain, 'features');
    child(features, 'acpi');
    child(features, 'apic');
  }
  top.upTo('cpu');
  addCpu(domain, vm, domainType);
  top.upTo('clock');
  if (!top.has('clock')) child(domain, 'clock', { offset: 'utc' });
  top.upTo('devices');

  const devices = child(domain, 'devices');
  const place = new FragmentPlacer(devices, vm.unmanagedXml?.devices ?? [], DEVICE_ORDER);
  const { disks, cdroms, seedDev } = diskTargets(vm);
  place.upTo('disk');
  for (const target of disks) addDisk(devices, target);
  for (const target of cdroms) addCdrom(devices, target);
  if (seedDev !== null) {
    const seed = child(devices, 'disk', { type: 'file', device: 'cdrom' });
    child(seed, 'driver', { name: 'qemu', type: 'raw' });
    child(seed, 'source', { file: seedIsoPath(vm.name) });
    child(seed, 'target', { dev: seedDev, bus: 'sata' });
    child(seed, 'readonly');
  }
  place.upTo('controller', true);
  if (vm.disks.some((disk) => disk.bus === 'scsi') || (vm.cdroms ?? []).some((cdrom) => cdrom.bus === 'scsi')) {
    child(devices, 'controller', { type: 'scsi', index: '0', model: 'virtio-scsi' });
  }

  place.upTo('interface');
  for (const nic of vm.interfaces) {
    const element = child(devices, 'interface', { type: nic.type });
    child(element, 'mac', { address: nic.mac });
    if (nic.type === 'bridge') child(element, 'source', { bridge: nic.bridge });
    else if (nic.type === 'direct') child(element, 'source', { dev: nic.dev, mode: 'bridge' });
    else child(element, 'source', { network: nic.network });
    child(element, 'model', { type: nic.model });
    if (nic.bootRom === false) child(element, 'rom', { enabled: 'no' });
  }

  place.upTo('serial');
  if (vm.serialConsole) {
    child(child(devices, 'serial', { type: 'pty' }), 'target', { port: '0' });
    child(child(devices, 'console', { type: 'pty' }), 'target', { type: 'serial', port: '0' });
  }
  place.upTo('channel');
  if (vm.guestAgent) child(child(devices, 'channel', { type: 'unix' }), 'target', { type: 'virtio', name: GUEST_AGENT_CHANNEL });
  place.upTo('channel', true);

  const hasGraphics = vm.graphics.vnc || vm.graphics.spice;
  const inputs = vm.inputs ?? (hasGraphics ? [{ type: 'tablet', bus: 'usb' }] : []);
  for (const input of inputs) child(devices, 'input', { type: input.type, bus: input.bus });
  place.upTo('tpm');
  if (vm.tpm) child(child(devices, 'tpm', { model: 'tpm-crb' }), 'backend', { type: 'emulator', version: '2.0' });
  if (vm.graphics.vnc) addGraphics(devices, 'vnc', vm);
  if (vm.graphics.spice) addGraphics(devices, 'spice', vm);
  place.upTo('video');
  if (hasGraphics) child(child(devices, 'video'), 'model', { type: vm.video ?? 'virtio' });
  place.upTo('rng');
  if (vm.rng ?? true) textChild(child(devices, 'rng', { model: 'virtio' }), 'backend', '/dev/urandom', { model: 'random' });
  place.rest();
  top.rest();

  return `${document.end({ headless: true, prettyPrint: true, indent: '  ' })}\n`;
}
