// lib/libvirt/import — an existing libvirt domain becomes a Hostdeck VM.
//
// Owns: reading one domain definition (`virsh dumpxml`, inactive or running)
// into the VM spec, keeping its identity (name, UUID, MACs, disks as they
// are), and saying plainly what the spec cannot express. Pure: no I/O; the
// caller reads the XML, the disk sizes, the power state and autostart from the
// host and passes them in.
//
// The promise: for a domain the spec can express, rendering the imported VM
// (renderDomainXml with the returned domainType) and the original XML
// normalise to the same text, so the first plan after adopting the host shows
// the VM unchanged. Whatever would be lost or changed on the next deploy —
// extra devices, tuning, options Hostdeck does not manage — is listed in
// `unsupported` as one sentence per finding, naming the element. As a last
// line of defence the import renders the VM and compares it with the original
// the way `plan` does (`differences`); a difference not already explained gets
// a note of its own, so `unsupported` is never empty when the plan would show a
// change. Some notes concern what the normaliser hides on purpose (e.g. a
// memory balloon turned off, a custom emulator): those are real losses on
// redefine even though the plan does not show them.
//
// Import the persistent definition (`virsh dumpxml --inactive`): it is what a
// deploy replaces. A running domain's live XML works too (power state is then
// read from it), but may carry choices libvirt made at start, such as the
// UEFI firmware features it selected, which are then reported as notes.
//
// Fails (ok: false) only when no VM can be made at all: not well-formed XML,
// not a <domain>, a name that is not a valid Hostdeck VM name (Hostdeck keys
// VMs by name, so the domain has to be renamed on the host first), a missing
// or invalid UUID, a hypervisor other than KVM/QEMU, a guest that is not
// x86_64 hvm, or memory / vCPUs outside what the spec allows.
//
// `hostNeeds` lists the bridges, NICs, libvirt networks and storage pools the
// VM uses that the host spec does not list yet; `applyHostNeeds` adds them
// (pools only when their folder is known). A file disk must lie inside a
// pool's folder (lib/spec): one in the folder of a pool the host spec or the
// host's libvirt (`poolPaths`) knows needs that pool; one anywhere else needs a
// new pool for its folder (named after the folder, `folder: true`), unless the
// folder is a system folder (/etc, /dev, …) or "/" — such a disk is listed as
// not kept. A disk the host reported as resolving outside its pool
// (`unsafeDisks`, from a realpath check on the host) is not kept either.
// On NixOS hosts bridges are
// generated from the host spec, so a bridge added this way should get its
// uplink filled in by the operator before the host is deployed.
//
// The parts, one libvirt section each: ./os, ./memory, ./cpu, ./metadata,
// ./platform (features, clock, lifecycle, pm, resource, seclabel), ./devices
// with ./disks, ./interfaces, ./consoles and ./graphics; ./host-needs for the
// pools, bridges, NICs and networks. Every sentence an operator reads — why a
// domain is refused, what is not kept — is in ./not-kept. This file owns the
// identity checks (type, name, UUID, hvm x86_64, memory and vCPU bounds), the
// order of the sections, and the last comparison with the rendered VM.
import {
  formatIssues,
  MEMORY_MIB_MAX,
  MEMORY_MIB_MIN,
  uuid as uuidSchema,
  VCPUS_MAX,
  vmName,
  vmSpecSchema,
  type HostSpec,
  type VmSpec,
} from '@/lib/spec';
import { renderDomainXml, type DomainType } from '../domain-xml';
import { domainDifferences } from '../differences';
import { memoryKiB, normalizeDomainTree } from '../normalize';
import { childElements, ownText, parseXml, type XmlElement } from '../xml-tree';
import { ImportContext } from './context';
import { importCpu, importCputune, importMissingCpu, importVcpu, importVcpus } from './cpu';
import { importDevices } from './devices';
import { importCurrentMemory, importMaxMemory, importMemory, importMemoryBacking } from './memory';
import { hasHostdeckMetadata, importDescription, importMetadata, importTitle } from './metadata';
import { NOT_KEPT, REFUSED } from './not-kept';
import { importBoot, importFirmware, importMachine } from './os';
import { importClock, importFeatures, importLifecycle, importPowerManagement, importResource, importSeclabel } from './platform';
import type { HostNeeds, ImportOptions, ImportResult } from './types';
import { all, extraAttributes, first, text } from './xml';

export type { HostNeeds, ImportOptions, ImportResult } from './types';
export { applyHostNeeds, filePool, mergeHostNeeds, poolNameForFolder } from './host-needs';
export { NOT_KEPT, REFUSED } from './not-kept';

/** Largest domain XML accepted (real ones are a few KiB). */
export const IMPORT_XML_MAX = 4 * 1024 * 1024;

/** A Hostdeck VM name close to a libvirt name, or null when none can be made. */
export function suggestName(name: string): string | null {
  const candidate = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return vmName.safeParse(candidate).success ? candidate : null;
}

/**
 * Read one domain definition (`virsh dumpxml`) into a Hostdeck VM spec.
 * See the module header for what is kept, what is reported, and when it fails.
 */
export function importDomain(xml: string, host: HostSpec, options: ImportOptions = {}): ImportResult {
  if (typeof xml !== 'string' || xml.trim() === '') return { ok: false, reason: REFUSED.empty };
  if (xml.length > IMPORT_XML_MAX) return { ok: false, reason: REFUSED.tooLarge(IMPORT_XML_MAX) };
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    return { ok: false, reason: REFUSED.notWellFormed((error as Error).message) };
  }
  return importRoot(new ImportContext(host, options), root);
}

function importRoot(ctx: ImportContext, root: XmlElement): ImportResult {
  if (root.name !== 'domain') return { ok: false, reason: REFUSED.notADomain(root.name) };

  // Hypervisor type.
  const type = root.attributes.type;
  if (type !== 'kvm' && type !== 'qemu') return { ok: false, reason: REFUSED.domainType(type ?? '') };
  const domainType: DomainType = type;
  for (const extra of extraAttributes(root, { type: null, id: null })) ctx.note('domain type', NOT_KEPT.domain.attribute(extra));

  // Name and UUID: identity, or nothing.
  const nameElements = all(root, 'name');
  const libvirtName = nameElements.length === 1 ? ownText(nameElements[0]!) : undefined;
  if (libvirtName === undefined) return { ok: false, reason: REFUSED.noName };
  if (!vmName.safeParse(libvirtName).success) return { ok: false, reason: REFUSED.badName(libvirtName, suggestName(libvirtName)) };
  const name = libvirtName;
  const uuidText = text(first(root, 'uuid')).toLowerCase();
  if (uuidText === '') return { ok: false, reason: REFUSED.noUuid(name) };
  if (!uuidSchema.safeParse(uuidText).success) return { ok: false, reason: REFUSED.badUuid(name, uuidText) };

  // <os>: architecture, machine, firmware, boot.
  const os = first(root, 'os');
  const osType = os ? first(os, 'type') : undefined;
  if (!os || !osType || text(osType) !== 'hvm') return { ok: false, reason: REFUSED.notHvm(name) };
  const arch = osType.attributes.arch ?? 'x86_64';
  if (arch !== 'x86_64') return { ok: false, reason: REFUSED.arch(name, arch) };

  // Memory and vCPUs.
  const memoryElement = first(root, 'memory');
  if (!memoryElement) return { ok: false, reason: REFUSED.noMemory(name) };
  const kib = memoryKiB(memoryElement);
  if (!Number.isFinite(kib) || kib <= 0) return { ok: false, reason: REFUSED.unreadableMemory(name, ownText(memoryElement)) };
  const memoryMiB = Math.ceil(kib / 1024);
  if (memoryMiB < MEMORY_MIB_MIN || memoryMiB > MEMORY_MIB_MAX) return { ok: false, reason: REFUSED.memoryRange(name, memoryMiB) };
  if (kib % 1024 !== 0) ctx.note('memory', NOT_KEPT.memory.notWholeMiB(kib, memoryMiB));
  const vcpuElement = first(root, 'vcpu');
  const vcpus = vcpuElement ? Number(text(vcpuElement)) : 1;
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > VCPUS_MAX) return { ok: false, reason: REFUSED.vcpuRange(name, text(vcpuElement)) };

  const running = ctx.options.running ?? (root.attributes.id !== undefined && root.attributes.id !== '-1');
  const machine = importMachine(ctx, name, osType);
  if (typeof machine !== 'string') return machine;
  const firmware = importFirmware(ctx, name, os);

  const hostNeeds: HostNeeds = { bridges: [], nics: [], libvirtNetworks: [], storagePools: [] };
  const vm: VmSpec = {
    name,
    uuid: uuidText,
    vcpus,
    memoryMiB,
    machine,
    firmware,
    disks: [],
    interfaces: [],
    graphics: { vnc: false, spice: false },
    video: 'virtio',
    cdroms: [],
    rng: false,
    unmanagedXml: { domain: [], devices: [], metadata: [] },
    serialConsole: false,
    guestAgent: false,
    tpm: false,
    autostart: ctx.options.autostart ?? false,
    powerState: running ? 'running' : 'stopped',
    description: '',
    tags: [],
    remove: false,
    deleteDisks: false,
  };

  for (const child of childElements(root)) importTopLevel(ctx, child, vm, domainType, memoryElement);
  if (!first(root, 'cpu')) importMissingCpu(ctx, domainType);
  importBoot(ctx, os);
  const devices = first(root, 'devices');
  if (devices) importDevices(ctx, devices, vm, hostNeeds);
  else ctx.note('rng', NOT_KEPT.domain.noDevices);

  vm.unmanagedXml = ctx.unmanaged;
  const parsed = vmSpecSchema.safeParse(vm);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error).map((issue) => `${issue.path}: ${issue.message}`);
    return { ok: false, reason: REFUSED.notASpec(name, issues) };
  }

  // Last line of defence: compare as `plan` does.
  const differences = domainDifferences(
    normalizeDomainTree(root),
    normalizeDomainTree(parseXml(renderDomainXml(ctx.host, parsed.data, { domainType }))),
  );
  if (differences.includes('tags') && !hasHostdeckMetadata(first(root, 'metadata')) && parsed.data.tags.length === 0) {
    ctx.note('tags', NOT_KEPT.domain.tagsMetadata);
  }
  const unexplained = differences.filter((category) => !ctx.isCovered(category));
  if (unexplained.length > 0) ctx.note(unexplained, NOT_KEPT.domain.unexplained(unexplained));
  return { ok: true, vm: parsed.data, unsupported: ctx.unsupported, hostNeeds, domainType, differences };
}

/** A top-level element of <domain>, to the section that owns it. */
function importTopLevel(ctx: ImportContext, child: XmlElement, vm: VmSpec, domainType: DomainType, memory: XmlElement): void {
  switch (child.name) {
    case 'name':
    case 'uuid':
    case 'os':
    case 'devices':
      return;
    case 'description':
      importDescription(ctx, child, vm);
      return;
    case 'title':
      importTitle(ctx, child);
      return;
    case 'metadata':
      importMetadata(ctx, child, vm);
      return;
    case 'memory':
      importMemory(ctx, child);
      return;
    case 'currentMemory':
      importCurrentMemory(ctx, child, memory, vm);
      return;
    case 'maxMemory':
      importMaxMemory(ctx, child);
      return;
    case 'memoryBacking':
      importMemoryBacking(ctx, child);
      return;
    case 'vcpu':
      importVcpu(ctx, child);
      return;
    case 'vcpus':
      importVcpus(ctx);
      return;
    case 'cputune':
      importCputune(ctx, child);
      return;
    case 'cpu':
      importCpu(ctx, child, domainType, vm);
      return;
    case 'features':
      importFeatures(ctx, child);
      return;
    case 'clock':
      importClock(ctx, child);
      return;
    case 'on_poweroff':
    case 'on_reboot':
    case 'on_crash':
      importLifecycle(ctx, child);
      return;
    case 'pm':
      importPowerManagement(ctx, child);
      return;
    case 'resource':
      importResource(ctx, child);
      return;
    case 'seclabel':
      importSeclabel(ctx, child);
      return;
    default:
      ctx.carry('domain', child, child.name, NOT_KEPT.domain.element(child));
  }
}
