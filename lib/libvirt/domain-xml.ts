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
// - domainType 'kvm' by default; a deployment may pass 'qemu' (TCG) when the
//   host has no /dev/kvm. host-passthrough CPU only with KVM.
// Element order follows libvirt's own output, to keep diffs against
// `virsh dumpxml` small.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { seedIsoPath, type DiskSpec, type HostSpec, type VmSpec } from '@/lib/spec';
import { forXmlBuilder, xmlText } from './xml-text';

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

/** Target device names for a VM's disks, and for its cloud-init seed (if any). */
export function diskTargets(vm: VmSpec): { disks: DiskTarget[]; seedDev: string | null } {
  let virtio = 0;
  let sd = 0;
  const disks = vm.disks.map((disk) => ({
    disk,
    dev: disk.bus === 'virtio' ? `vd${diskLetters(virtio++)}` : `sd${diskLetters(sd++)}`,
  }));
  return { disks, seedDev: vm.cloudInit ? `sd${diskLetters(sd)}` : null };
}

function addDisk(devices: XMLBuilder, target: DiskTarget): void {
  const { disk, dev } = target;
  const element = child(devices, 'disk', { type: disk.source.type, device: 'disk' });
  child(element, 'driver', { name: 'qemu', type: disk.format });
  if (disk.source.type === 'volume') child(element, 'source', { pool: disk.source.pool, volume: disk.source.volume });
  else child(element, 'source', { file: disk.source.path });
  child(element, 'target', { dev, bus: disk.bus });
}

function addGraphics(devices: XMLBuilder, type: 'vnc' | 'spice'): void {
  const attributes: Record<string, string> = type === 'vnc' ? { type, port: '-1', autoport: 'yes' } : { type, autoport: 'yes' };
  child(child(devices, 'graphics', attributes), 'listen', { type: 'address', address: GRAPHICS_LISTEN_ADDRESS });
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

  textChild(domain, 'memory', String(vm.memoryMiB), { unit: 'MiB' });
  textChild(domain, 'vcpu', String(vm.vcpus));

  const os = child(domain, 'os', vm.firmware === 'uefi' ? { firmware: 'efi' } : {});
  textChild(os, 'type', 'hvm', { arch: 'x86_64', machine: vm.machine });
  child(os, 'boot', { dev: 'hd' });

  const features = child(domain, 'features');
  child(features, 'acpi');
  child(features, 'apic');
  if (domainType === 'kvm') child(domain, 'cpu', { mode: 'host-passthrough' });
  child(domain, 'clock', { offset: 'utc' });

  const devices = child(domain, 'devices');
  const { disks, seedDev } = diskTargets(vm);
  for (const target of disks) addDisk(devices, target);
  if (seedDev !== null) {
    const seed = child(devices, 'disk', { type: 'file', device: 'cdrom' });
    child(seed, 'driver', { name: 'qemu', type: 'raw' });
    child(seed, 'source', { file: seedIsoPath(vm.name) });
    child(seed, 'target', { dev: seedDev, bus: 'sata' });
    child(seed, 'readonly');
  }
  if (vm.disks.some((disk) => disk.bus === 'scsi')) child(devices, 'controller', { type: 'scsi', index: '0', model: 'virtio-scsi' });

  for (const nic of vm.interfaces) {
    const element = child(devices, 'interface', { type: nic.type });
    child(element, 'mac', { address: nic.mac });
    if (nic.type === 'bridge') child(element, 'source', { bridge: nic.bridge });
    else if (nic.type === 'direct') child(element, 'source', { dev: nic.dev, mode: 'bridge' });
    else child(element, 'source', { network: nic.network });
    child(element, 'model', { type: nic.model });
  }

  if (vm.serialConsole) {
    child(child(devices, 'serial', { type: 'pty' }), 'target', { port: '0' });
    child(child(devices, 'console', { type: 'pty' }), 'target', { type: 'serial', port: '0' });
  }
  if (vm.guestAgent) child(child(devices, 'channel', { type: 'unix' }), 'target', { type: 'virtio', name: GUEST_AGENT_CHANNEL });

  const hasGraphics = vm.graphics.vnc || vm.graphics.spice;
  if (hasGraphics) child(devices, 'input', { type: 'tablet', bus: 'usb' });
  if (vm.tpm) child(child(devices, 'tpm', { model: 'tpm-crb' }), 'backend', { type: 'emulator', version: '2.0' });
  if (vm.graphics.vnc) addGraphics(devices, 'vnc');
  if (vm.graphics.spice) addGraphics(devices, 'spice');
  if (hasGraphics) child(child(devices, 'video'), 'model', { type: 'virtio' });
  textChild(child(devices, 'rng', { model: 'virtio' }), 'backend', '/dev/urandom', { model: 'random' });

  return `${document.end({ headless: true, prettyPrint: true, indent: '  ' })}\n`;
}
