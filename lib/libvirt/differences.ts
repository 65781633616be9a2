// lib/libvirt/differences — in which categories two domain definitions differ.
//
// Owns: the plan's vocabulary for a domain change (memory, vcpus, disks,
// interfaces, graphics, firmware, boot order, tags, …): a normalised domain is
// split into parts by category and two domains are compared part by part.
// Used by the plan (lib/render/plan) and by the import's last check
// (lib/libvirt/import), so both name a change the same way; and which
// elements a deploy would remove or replace (removedElements).
import { HOSTDECK_XML_PREFIX } from './domain-xml';
import { childElements, ownText, type XmlElement } from './xml-tree';

const DEVICE_CATEGORY: Record<string, string> = {
  disk: 'disks',
  controller: 'controllers',
  interface: 'interfaces',
  graphics: 'graphics',
  serial: 'serial console',
  console: 'serial console',
  channel: 'guest agent',
  tpm: 'tpm',
  video: 'video',
  input: 'input devices',
  rng: 'rng',
  filesystem: 'filesystems',
  hostdev: 'host devices',
  sound: 'sound',
  watchdog: 'watchdog',
};

const TOP_CATEGORY: Record<string, string> = {
  name: 'name',
  uuid: 'uuid',
  title: 'description',
  description: 'description',
  memory: 'memory',
  maxMemory: 'memory',
  memoryBacking: 'memory',
  vcpu: 'vcpus',
  vcpus: 'vcpus',
  cputune: 'vcpus',
  cpu: 'cpu',
  features: 'features',
  clock: 'clock',
  on_poweroff: 'lifecycle',
  on_reboot: 'lifecycle',
  on_crash: 'lifecycle',
  pm: 'power management',
};

function push(groups: Map<string, string[]>, category: string, value: string): void {
  const list = groups.get(category);
  if (list) list.push(value);
  else groups.set(category, [value]);
}

function isSeedDisk(disk: XmlElement): boolean {
  return (
    disk.attributes.device === 'cdrom' &&
    childElements(disk).some((child) => child.name === 'source' && (child.attributes.file ?? '').startsWith('/var/lib/hostdeck/seeds/'))
  );
}

/** A normalised domain split into comparable parts by category. */
function categorise(domain: XmlElement): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  push(groups, 'domain type', domain.attributes.type ?? '');
  for (const child of childElements(domain)) {
    if (child.name === 'devices') {
      for (const device of childElements(child)) {
        const category = device.name === 'disk' && isSeedDisk(device) ? 'cloud-init seed' : (DEVICE_CATEGORY[device.name] ?? device.name);
        push(groups, category, JSON.stringify(device));
      }
    } else if (child.name === 'os') {
      for (const part of childElements(child)) {
        if (part.name === 'type') {
          push(groups, 'machine', `${part.attributes.arch ?? ''}/${part.attributes.machine ?? ''}/${ownText(part)}`);
        } else push(groups, part.name === 'boot' ? 'boot order' : 'firmware', JSON.stringify(part));
      }
      push(groups, 'firmware', JSON.stringify(child.attributes));
    } else if (child.name === 'metadata') {
      for (const entry of childElements(child)) {
        push(groups, entry.name === `${HOSTDECK_XML_PREFIX}:vm` ? 'tags' : 'metadata', JSON.stringify(entry));
      }
    } else {
      push(groups, TOP_CATEGORY[child.name] ?? child.name, JSON.stringify(child));
    }
  }
  return groups;
}

/** The categories in which two normalised domains differ, in a stable order. */
export function domainDifferences(a: XmlElement, b: XmlElement): string[] {
  const left = categorise(a);
  const right = categorise(b);
  const categories = new Set([...left.keys(), ...right.keys()]);
  const out: string[] = [];
  for (const category of categories) {
    if (JSON.stringify(left.get(category) ?? []) !== JSON.stringify(right.get(category) ?? [])) out.push(category);
  }
  return out.sort();
}

/** Top-level elements and devices of a normalised domain, each with a canonical key. */
function parts(domain: XmlElement): { key: string; element: XmlElement }[] {
  const out: { key: string; element: XmlElement }[] = [];
  for (const child of childElements(domain)) {
    if (child.name === 'devices') for (const device of childElements(child)) out.push({ key: JSON.stringify(device), element: device });
    else out.push({ key: JSON.stringify(child), element: child });
  }
  return out;
}

/** The start tag of an element for an approver: `<sound model='ich9'>` (values cut at 60 characters). */
function startTag(element: XmlElement): string {
  const attributes = Object.entries(element.attributes)
    .map(([key, value]) => ` ${key}='${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`)
    .join('');
  return `<${element.name}${attributes}>`;
}

/**
 * What a deploy of `to` would remove or replace of `from` (both normalised):
 * every top-level element and device of `from` that `to` does not have as it
 * is, as start tags in document order. For the plan's `removes`, so an
 * approver sees what an imported domain would lose.
 */
export function removedElements(from: XmlElement, to: XmlElement): string[] {
  const remaining = new Map<string, number>();
  for (const { key } of parts(to)) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  const out: string[] = [];
  for (const { key, element } of parts(from)) {
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else out.push(startTag(element));
  }
  return out;
}
