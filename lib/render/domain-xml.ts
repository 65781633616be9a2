// lib/render/domain-xml — spec → libvirt domain XML, one per VM.
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
import { xmlText } from './xml-text';

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
  const element = devices.ele('disk', { type: disk.source.type, device: 'disk' });
  element.ele('driver', { name: 'qemu', type: disk.format });
  if (disk.source.type === 'volume') element.ele('source', { pool: disk.source.pool, volume: disk.source.volume });
  else element.ele('source', { file: disk.source.path });
  element.ele('target', { dev, bus: disk.bus });
}

function addGraphics(devices: XMLBuilder, type: 'vnc' | 'spice'): void {
  const attrs: Record<string, string> = type === 'vnc' ? { type, port: '-1', autoport: 'yes' } : { type, autoport: 'yes' };
  devices.ele('graphics', attrs).ele('listen', { type: 'address', address: GRAPHICS_LISTEN_ADDRESS });
}

/** The libvirt domain XML of one VM. Deterministic: same input, same bytes. */
export function renderDomainXml(host: HostSpec, vm: VmSpec, options: DomainXmlOptions = {}): string {
  void host; // The host spec is not needed for the XML today; kept in the signature for host-dependent choices.
  const domainType = options.domainType ?? 'kvm';
  const domain = create().ele('domain', { type: domainType });
  domain.ele('name').txt(vm.name);
  domain.ele('uuid').txt(vm.uuid);
  if (vm.description !== '') domain.ele('description').txt(xmlText(vm.description));
  const meta = domain
    .ele('metadata')
    .ele(HOSTDECK_XML_NAMESPACE, `${HOSTDECK_XML_PREFIX}:vm`);
  for (const tag of vm.tags) meta.ele(HOSTDECK_XML_NAMESPACE, `${HOSTDECK_XML_PREFIX}:tag`).txt(xmlText(tag));

  domain.ele('memory', { unit: 'MiB' }).txt(String(vm.memoryMiB));
  domain.ele('vcpu').txt(String(vm.vcpus));

  const os = domain.ele('os', vm.firmware === 'uefi' ? { firmware: 'efi' } : {});
  os.ele('type', { arch: 'x86_64', machine: vm.machine }).txt('hvm');
  os.ele('boot', { dev: 'hd' });

  const features = domain.ele('features');
  features.ele('acpi');
  features.ele('apic');
  if (domainType === 'kvm') domain.ele('cpu', { mode: 'host-passthrough' });
  domain.ele('clock', { offset: 'utc' });

  const devices = domain.ele('devices');
  const { disks, seedDev } = diskTargets(vm);
  for (const target of disks) addDisk(devices, target);
  if (seedDev !== null) {
    const seed = devices.ele('disk', { type: 'file', device: 'cdrom' });
    seed.ele('driver', { name: 'qemu', type: 'raw' });
    seed.ele('source', { file: seedIsoPath(vm.name) });
    seed.ele('target', { dev: seedDev, bus: 'sata' });
    seed.ele('readonly');
  }
  if (vm.disks.some((disk) => disk.bus === 'scsi')) devices.ele('controller', { type: 'scsi', index: '0', model: 'virtio-scsi' });

  for (const nic of vm.interfaces) {
    const element = devices.ele('interface', { type: nic.type });
    element.ele('mac', { address: nic.mac });
    if (nic.type === 'bridge') element.ele('source', { bridge: nic.bridge });
    else if (nic.type === 'direct') element.ele('source', { dev: nic.dev, mode: 'bridge' });
    else element.ele('source', { network: nic.network });
    element.ele('model', { type: nic.model });
  }

  if (vm.serialConsole) {
    devices.ele('serial', { type: 'pty' }).ele('target', { port: '0' });
    devices.ele('console', { type: 'pty' }).ele('target', { type: 'serial', port: '0' });
  }
  if (vm.guestAgent) devices.ele('channel', { type: 'unix' }).ele('target', { type: 'virtio', name: GUEST_AGENT_CHANNEL });

  const hasGraphics = vm.graphics.vnc || vm.graphics.spice;
  if (hasGraphics) devices.ele('input', { type: 'tablet', bus: 'usb' });
  if (vm.tpm) devices.ele('tpm', { model: 'tpm-crb' }).ele('backend', { type: 'emulator', version: '2.0' });
  if (vm.graphics.vnc) addGraphics(devices, 'vnc');
  if (vm.graphics.spice) addGraphics(devices, 'spice');
  if (hasGraphics) devices.ele('video').ele('model', { type: 'virtio' });
  devices.ele('rng', { model: 'virtio' }).ele('backend', { model: 'random' }).txt('/dev/urandom');

  return `${domain.end({ headless: true, prettyPrint: true, indent: '  ' })}\n`;
}
