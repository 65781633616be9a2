// lib/spec/unmanaged-xml — libvirt XML a VM carries that Hostdeck does not model.
//
// Owns: the rules for `vm.unmanagedXml`, the settings of an imported domain
// (virt-manager, virt-install, …) that the spec has no field for but that a
// deploy must not drop: a sound card, a watchdog, USB redirection, the SPICE
// agent channel, USB controllers, features such as Hyper-V enlightenments,
// clock timers, power management, lifecycle actions, tuning. The renderer
// (lib/libvirt/domain-xml) puts each fragment back where libvirt keeps it.
//
// A fragment is one well-formed XML element (at most UNMANAGED_FRAGMENT_MAX
// characters, at most UNMANAGED_FRAGMENTS_MAX per list), and it may never
// touch what Hostdeck manages or what the security rules guard:
// - `domain` fragments: only the top-level elements in DOMAIN_ELEMENTS
//   (features, clock, pm, lifecycle actions, memory backing, CPU and NUMA
//   tuning, iothreads, sysinfo, perf, …) — never name, uuid, memory, vcpu,
//   os (firmware paths), cpu, devices, metadata, seclabel, resource,
//   qemu:commandline or anything in another namespace;
// - `devices` fragments: only the devices in DEVICE_ELEMENTS (controllers
//   other than SCSI, sound, SPICE audio, watchdog, USB redirection over SPICE,
//   the SPICE agent channel, hubs, the memory balloon, panic, IOMMU, vsock) —
//   never disks, filesystems, host devices, interfaces, graphics (so no
//   display listens anywhere but 127.0.0.1), serial ports or consoles;
// - `metadata` fragments: elements of <metadata> in a namespace of their own
//   (e.g. virt-install's libosinfo OS id), never Hostdeck's; libvirt stores
//   metadata without acting on it, so only well-formedness and size count;
// - anywhere inside domain and device fragments: no element of another namespace, no <source>, and no
//   attribute naming a host resource (file, path, dir, dev, socket, host,
//   service, bridge, network, pool, volume) — nothing reaches the host's files,
//   devices or network through a fragment.
import { z } from 'zod';
import { childElements, parseXml, type XmlElement } from './xml-reader';

export const UNMANAGED_FRAGMENT_MAX = 16 * 1024;
export const UNMANAGED_FRAGMENTS_MAX = 64;

/** Top-level <domain> children a fragment may be. */
export const DOMAIN_ELEMENTS = [
  'title',
  'genid',
  'maxMemory',
  'memoryBacking',
  'vcpus',
  'iothreads',
  'iothreadids',
  'cputune',
  'numatune',
  'sysinfo',
  'features',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'pm',
  'perf',
] as const;

/** <devices> children a fragment may be (with the checks in deviceProblem). */
export const DEVICE_ELEMENTS = [
  'controller',
  'sound',
  'audio',
  'watchdog',
  'redirdev',
  'redirfilter',
  'hub',
  'memballoon',
  'panic',
  'channel',
  'iommu',
  'vsock',
] as const;

const HOST_RESOURCE_ATTRIBUTES = new Set([
  'file',
  'path',
  'dir',
  'dev',
  'socket',
  'host',
  'service',
  'bridge',
  'network',
  'pool',
  'volume',
]);
const GUEST_AGENT_CHANNEL = 'org.qemu.guest_agent.0';
const HOSTDECK_NAMESPACE = 'https://hostdeck.dev/xmlns/libvirt-domain/1';

export type UnmanagedPlace = 'domain' | 'devices' | 'metadata';

/** Why an element (anywhere inside a fragment) is refused, or null. */
function nestedProblem(element: XmlElement): string | null {
  if (element.name.includes(':') || element.namespace !== null) return `<${element.name}> is in another XML namespace`;
  if (element.name === 'source') return '<source> would reach a resource of the host';
  for (const key of Object.keys(element.attributes)) {
    if (key.includes(':')) return `the attribute ${key} on <${element.name}> is in another XML namespace`;
    if (HOST_RESOURCE_ATTRIBUTES.has(key)) return `the attribute ${key} on <${element.name}> would name a resource of the host`;
  }
  for (const child of childElements(element)) {
    const problem = nestedProblem(child);
    if (problem) return problem;
  }
  return null;
}

function deviceProblem(element: XmlElement): string | null {
  const type = element.attributes.type;
  switch (element.name) {
    case 'controller':
      return type === 'scsi' ? 'the SCSI controller is managed by Hostdeck (it comes with a disk on the scsi bus)' : null;
    case 'audio':
      return type === 'none' || type === 'spice' ? null : `only audio of type none or spice is kept (this one is ${type ?? 'untyped'})`;
    case 'redirdev':
      return type === 'spicevmc' ? null : `only USB redirection over SPICE (spicevmc) is kept (this one is ${type ?? 'untyped'})`;
    case 'channel': {
      if (type !== 'spicevmc' && type !== 'qemu-vdagent')
        return `only SPICE agent channels (spicevmc, qemu-vdagent) are kept (this one is ${type ?? 'untyped'})`;
      const target = childElements(element).find((child) => child.name === 'target');
      return target?.attributes.name === GUEST_AGENT_CHANNEL ? 'the guest agent channel is managed by Hostdeck (guestAgent)' : null;
    }
    default:
      return null;
  }
}

/** Why a fragment is refused where it is (`domain` or `devices`), or null when it is fine. */
export function unmanagedFragmentProblem(where: UnmanagedPlace, fragment: string): string | null {
  if (fragment.length > UNMANAGED_FRAGMENT_MAX) return `is longer than ${UNMANAGED_FRAGMENT_MAX} characters`;
  if (/<!DOCTYPE|<!ENTITY|<\?/i.test(fragment)) return 'must be a plain element (no document type, entity or processing instruction)';
  // Characters XML 1.0 cannot carry at all (the reader is lenient about them; libvirt is not).
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(fragment) || !fragment.isWellFormed()) {
    return 'contains characters XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF or unpaired surrogates)';
  }
  let element: XmlElement;
  try {
    element = parseXml(fragment);
  } catch (error) {
    return `is not well-formed XML: ${(error as Error).message}`;
  }
  if (where === 'metadata') {
    if (element.namespace === null) return `<${element.name}> in <metadata> needs an XML namespace of its own`;
    if (element.namespace === HOSTDECK_NAMESPACE) return "Hostdeck's own metadata is managed by Hostdeck (tags)";
    return null;
  }
  const allowed: readonly string[] = where === 'domain' ? DOMAIN_ELEMENTS : DEVICE_ELEMENTS;
  if (!allowed.includes(element.name)) {
    return `<${element.name}> cannot be carried as unmanaged XML in ${where === 'domain' ? '<domain>' : '<devices>'} (allowed: ${allowed.join(', ')})`;
  }
  return (where === 'devices' ? deviceProblem(element) : null) ?? nestedProblem(element);
}

function fragmentList(where: UnmanagedPlace) {
  return z
    .array(
      z.string().superRefine((fragment, ctx) => {
        const problem = unmanagedFragmentProblem(where, fragment);
        if (problem) ctx.addIssue({ code: 'custom', message: `unmanaged XML ${problem}` });
      }),
    )
    .max(UNMANAGED_FRAGMENTS_MAX, { error: `at most ${UNMANAGED_FRAGMENTS_MAX} unmanaged ${where} elements` })
    .default([]);
}

/** XML elements of the VM that Hostdeck does not model but keeps on every deploy (see the header for the rules). */
export const unmanagedXmlSpec = z.strictObject({
  /** Top-level elements of <domain>, e.g. `<clock offset="localtime">…</clock>`. */
  domain: fragmentList('domain'),
  /** Elements of <devices>, e.g. `<sound model="ich9"/>`. */
  devices: fragmentList('devices'),
  /** Elements of <metadata> in their own namespace, e.g. `<libosinfo:libosinfo xmlns:libosinfo="…">…</libosinfo:libosinfo>`. */
  metadata: fragmentList('metadata'),
});

export type UnmanagedXml = z.output<typeof unmanagedXmlSpec>;
