// lib/libvirt/normalize — the canonical form of a domain XML, for comparison.
//
// Owns: knowing what libvirtd adds to or rewrites in a domain definition, so
// that "desired" (what Hostdeck renders), "deployed" and "live"
// (`virsh dumpxml`) can be compared without every deploy looking like a
// change. Seen with libvirt 9.0 (QEMU driver), inactive and running:
// - added: `id`, <seclabel>, <resource>, <emulator>, <currentMemory>,
//   default <on_poweroff>/<on_reboot>/<on_crash>, <address> and <alias> on
//   every device, controllers (usb, sata, pci, pcie-root-port, virtio-serial,
//   ide), ps2 mouse/keyboard, memballoon, <audio type='none'|'spice'>,
//   <backingStore/> and source `index` on disks, interface <target dev='vnetN'>,
//   pty paths, channel socket paths and `state`, graphics `port`, `listen`;
//   the qemu64 <cpu mode='custom'> of TCG domains; firmware <loader>/<nvram>
//   when the firmware is autoselected;
// - rewritten: memory to KiB, machine `q35` → `pc-q35-7.2`, `placement='static'`
//   on <vcpu>, `check`/`migratable` on <cpu>, `type='isa-serial'` on serial
//   targets, `heads`/`primary` and the default video memory (`ram`, `vram`,
//   `vgamem`) on video models, `match='exact'` and `fallback='allow'` on a
//   custom CPU, `dies='1'`/`clusters='1'` on a CPU topology, the raw qemu
//   driver of a cdrom, a `network` interface's type
//   to the bridge it resolved to (with `portid` and `bridge`);
// - reordered: devices grouped by kind in libvirt's order, disks by target.
// Passwords (`passwd`) are dropped too: they never belong in a comparison.
import { DEVICE_ORDER, DOMAIN_ORDER } from './element-order';
import { childElements, isElement, ownText, parseXml, serializeXml, type XmlElement, type XmlNode } from './xml-tree';

const DEFAULT_LIFECYCLE: Record<string, string> = { on_poweroff: 'destroy', on_reboot: 'restart', on_crash: 'destroy' };

const MEMORY_UNIT_BYTES: Record<string, number> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  p: 1024 ** 5,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
  e: 1024 ** 6,
  eib: 1024 ** 6,
  eb: 1000 ** 6,
};

/** Memory amount in KiB, as libvirt reports it (`unit` defaults to KiB). */
export function memoryKiB(element: XmlElement): number {
  const amount = Number(ownText(element).trim());
  const unit = (element.attributes.unit ?? 'KiB').toLowerCase();
  const bytes = MEMORY_UNIT_BYTES[unit];
  if (bytes === undefined || !Number.isFinite(amount)) return NaN;
  return Math.ceil((amount * bytes) / 1024);
}

/** `pc-q35-7.2` → `q35`, `pc-i440fx-7.2` → `pc`: libvirt expands the aliases to the newest version. */
export function canonicalMachine(machine: string): string {
  if (/^pc-q35-\d+\.\d+$/.test(machine)) return 'q35';
  if (/^pc-i440fx-\d+\.\d+$/.test(machine)) return 'pc';
  return machine;
}

function withoutAttributes(node: XmlElement, drop: (name: string, value: string) => boolean): XmlElement {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(node.attributes)) if (!drop(key, value)) attributes[key] = value;
  return { ...node, attributes };
}

function mapChildren(node: XmlElement, map: (child: XmlElement) => XmlElement | null): XmlElement {
  const children: XmlNode[] = [];
  for (const child of node.children) {
    if (!isElement(child)) children.push(child);
    else {
      const mapped = map(child);
      if (mapped !== null) children.push(mapped);
    }
  }
  return { ...node, children };
}

/** Whitespace between elements is layout, not content; security labels are the host's business. */
function dropLayoutAndLabels(node: XmlElement): XmlElement {
  const hasElements = node.children.some(isElement);
  const children = node.children
    .filter((child) => !(hasElements && typeof child === 'string' && child.trim() === ''))
    .filter((child) => !(isElement(child) && child.name === 'seclabel'))
    .map((child) => (isElement(child) ? dropLayoutAndLabels(child) : child));
  return { ...node, children };
}

function stableSortChildren(node: XmlElement, key: (child: XmlElement) => [number, string, number]): XmlElement {
  const elements = childElements(node)
    .map((child, index) => ({ child, index, key: key(child) }))
    .sort((a, b) => a.key[0] - b.key[0] || compareText(a.key[1], b.key[1]) || a.key[2] - b.key[2] || a.index - b.index)
    .map((entry) => entry.child);
  const text = node.children.filter((child) => typeof child === 'string');
  return { ...node, children: [...text, ...elements] };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(order: string[], name: string): number {
  const index = order.indexOf(name);
  return index < 0 ? order.length : index;
}

/** Sort every element's children by name (stable: same-named siblings keep their order). */
function sortByName(node: XmlElement): XmlElement {
  const sorted = stableSortChildren(node, (child) => [0, child.name, 0]);
  return { ...sorted, children: sorted.children.map((child) => (isElement(child) ? sortByName(child) : child)) };
}

function isPlainCdromDriver(disk: XmlElement, driver: XmlElement): boolean {
  return (
    disk.attributes.device === 'cdrom' &&
    Object.entries(driver.attributes).every(
      ([key, value]) => (key === 'name' && value === 'qemu') || (key === 'type' && value === 'raw'),
    ) &&
    childElements(driver).length === 0
  );
}

function normaliseDisk(disk: XmlElement): XmlElement {
  return mapChildren(disk, (child) => {
    if (['alias', 'address', 'backingStore', 'privateData'].includes(child.name)) return null;
    if (child.name === 'driver' && isPlainCdromDriver(disk, child)) return null;
    if (child.name === 'source') return withoutAttributes(child, (key) => key === 'index');
    return child;
  });
}

function normaliseInterface(nic: XmlElement): XmlElement {
  const source = childElements(nic).find((child) => child.name === 'source');
  const viaNetwork = source?.attributes.network !== undefined;
  const base = viaNetwork ? { ...nic, attributes: { ...nic.attributes, type: 'network' } } : nic;
  return mapChildren(base, (child) => {
    if (['alias', 'address', 'target'].includes(child.name)) return null;
    if (child.name === 'source' && viaNetwork) return withoutAttributes(child, (key) => key === 'portid' || key === 'bridge');
    return child;
  });
}

function normaliseSerialOrConsole(device: XmlElement): XmlElement {
  const withoutTty = withoutAttributes(device, (key) => key === 'tty');
  return mapChildren(withoutTty, (child) => {
    if (child.name === 'alias' || child.name === 'address') return null;
    // A pty's path is chosen when the domain starts.
    if (child.name === 'source' && device.attributes.type === 'pty') return null;
    if (child.name !== 'target') return child;
    const target = withoutAttributes(child, (key, value) => key === 'type' && value === 'isa-serial');
    return mapChildren(target, (model) => (model.name === 'model' && model.attributes.name === 'isa-serial' ? null : model));
  });
}

function normaliseChannel(channel: XmlElement): XmlElement {
  return mapChildren(channel, (child) => {
    if (['alias', 'address'].includes(child.name)) return null;
    // libvirt fills in the socket path of unix channels.
    if (child.name === 'source' && channel.attributes.type === 'unix' && (child.attributes.mode ?? 'bind') === 'bind') return null;
    if (child.name === 'target') return withoutAttributes(child, (key) => key === 'state');
    return child;
  });
}

function normaliseGraphics(graphics: XmlElement): XmlElement {
  const dropped = new Set(['port', 'autoport', 'listen', 'passwd', 'passwdValidTo', 'tlsPort', 'websocket']);
  const base = withoutAttributes(graphics, (key) => dropped.has(key));
  return mapChildren(base, (child) => {
    if (child.name === 'listen') return withoutAttributes(child, (key) => key === 'fromConfig' || key === 'autoGenerated');
    return child;
  });
}

/** The video memory libvirt writes for a model when the definition names none (libvirt 9, QEMU). */
export const VIDEO_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  qxl: { ram: '65536', vram: '65536', vgamem: '16384' },
  vga: { vram: '16384' },
  cirrus: { vram: '16384' },
  bochs: { vram: '16384' },
};

function normaliseVideo(video: XmlElement): XmlElement {
  return mapChildren(video, (child) => {
    if (['alias', 'address'].includes(child.name)) return null;
    if (child.name === 'model') {
      const defaults = VIDEO_DEFAULTS[child.attributes.type ?? ''] ?? {};
      return withoutAttributes(
        child,
        (key, value) => (key === 'heads' && value === '1') || (key === 'primary' && value === 'yes') || defaults[key] === value,
      );
    }
    return child;
  });
}

function dropAliasAndAddress(device: XmlElement): XmlElement {
  return mapChildren(device, (child) => (child.name === 'alias' || child.name === 'address' ? null : child));
}

function isAutoAddedDevice(device: XmlElement): boolean {
  const { type, bus } = device.attributes;
  switch (device.name) {
    case 'emulator':
    case 'memballoon':
      return true;
    case 'controller':
      return type !== 'scsi';
    case 'input':
      return (type === 'mouse' || type === 'keyboard') && bus === 'ps2';
    case 'audio':
      return type === 'none' || type === 'spice';
    default:
      return false;
  }
}

function normaliseDevice(device: XmlElement): XmlElement {
  switch (device.name) {
    case 'disk':
      return normaliseDisk(device);
    case 'interface':
      return normaliseInterface(device);
    case 'serial':
    case 'console':
      return normaliseSerialOrConsole(device);
    case 'channel':
      return normaliseChannel(device);
    case 'graphics':
      return normaliseGraphics(device);
    case 'video':
      return normaliseVideo(device);
    default:
      return dropAliasAndAddress(device);
  }
}

function deviceKey(device: XmlElement): [number, string, number] {
  const order = rank(DEVICE_ORDER, device.name);
  if (device.name === 'disk') {
    const dev = childElements(device).find((child) => child.name === 'target')?.attributes.dev ?? '';
    return [order, dev.padStart(8, ' '), 0];
  }
  if (device.name === 'controller') return [order, device.attributes.type ?? '', Number(device.attributes.index ?? 0)];
  return [order, '', 0];
}

function normaliseDevices(devices: XmlElement): XmlElement {
  const kept = mapChildren(devices, (device) => (isAutoAddedDevice(device) ? null : normaliseDevice(device)));
  const sorted = stableSortChildren(kept, deviceKey);
  return { ...sorted, children: sorted.children.map((child) => (isElement(child) ? sortByName(child) : child)) };
}

function normaliseOs(os: XmlElement): XmlElement {
  const autoselected = os.attributes.firmware !== undefined;
  return mapChildren(os, (child) => {
    if (autoselected && ['loader', 'nvram', 'firmware'].includes(child.name)) return null;
    if (child.name === 'type' && child.attributes.machine !== undefined) {
      return { ...child, attributes: { ...child.attributes, machine: canonicalMachine(child.attributes.machine) } };
    }
    return child;
  });
}

/** The CPU libvirt picks for a TCG domain without <cpu>: qemu64 (expanded with its features while running). */
function isDefaultTcgCpu(cpu: XmlElement): boolean {
  const model = childElements(cpu).find((child) => child.name === 'model');
  return (
    cpu.attributes.mode === 'custom' &&
    model !== undefined &&
    ownText(model).trim() === 'qemu64' &&
    childElements(cpu).every((child) => child.name === 'model' || child.name === 'feature')
  );
}

function normaliseTopLevel(child: XmlElement): XmlElement | null {
  switch (child.name) {
    case 'seclabel':
    case 'resource':
    case 'currentMemory':
      return null;
    case 'on_poweroff':
    case 'on_reboot':
    case 'on_crash':
      return ownText(child).trim() === DEFAULT_LIFECYCLE[child.name] ? null : child;
    case 'memory':
    case 'maxMemory': {
      const kib = memoryKiB(child);
      const rest = withoutAttributes(child, (key) => key === 'unit');
      return {
        ...rest,
        attributes: { ...rest.attributes, unit: 'KiB' },
        children: [Number.isNaN(kib) ? ownText(child).trim() : String(kib)],
      };
    }
    case 'vcpu': {
      const count = ownText(child).trim();
      const rest = withoutAttributes(
        child,
        (key, value) => (key === 'placement' && value === 'static') || (key === 'current' && value === count),
      );
      return { ...rest, children: [count] };
    }
    case 'os':
      return normaliseOs(child);
    case 'cpu': {
      if (isDefaultTcgCpu(child)) return null;
      const cpu = withoutAttributes(
        child,
        (key, value) =>
          (key === 'check' && (value === 'none' || value === 'partial')) ||
          (key === 'migratable' && value === 'on') ||
          (key === 'match' && value === 'exact'),
      );
      return mapChildren(cpu, (part) => {
        if (part.name === 'model') return withoutAttributes(part, (key, value) => key === 'fallback' && value === 'allow');
        if (part.name === 'topology')
          return withoutAttributes(part, (key, value) => (key === 'dies' || key === 'clusters') && value === '1');
        return part;
      });
    }
    case 'description':
      return ownText(child) === '' ? null : child;
    case 'metadata': {
      // An empty <hostdeck:vm/> (no tags) says nothing: a domain Hostdeck did not
      // write compares equal to one it rendered without tags.
      const kept = child.children.filter((c) => !(isElement(c) && c.name === 'hostdeck:vm' && childElements(c).length === 0));
      const rest = { ...child, children: kept };
      return childElements(rest).length === 0 ? null : rest;
    }
    case 'devices':
      return normaliseDevices(child);
    default:
      return child;
  }
}

/** Attributes in name order everywhere, so trees compare equal however the attributes were written. */
function sortAttributes(node: XmlElement): XmlElement {
  const attributes: Record<string, string> = {};
  for (const key of Object.keys(node.attributes).sort()) attributes[key] = node.attributes[key]!;
  return { ...node, attributes, children: node.children.map((child) => (isElement(child) ? sortAttributes(child) : child)) };
}

/** Canonical tree of a domain (see the header for what is removed and rewritten). */
export function normalizeDomainTree(domain: XmlElement): XmlElement {
  if (domain.name !== 'domain') throw new Error(`expected a <domain> document, found <${domain.name}>`);
  const cleaned = dropLayoutAndLabels(withoutAttributes(domain, (key) => key === 'id'));
  const top = mapChildren(cleaned, normaliseTopLevel);
  const sorted = stableSortChildren(top, (child) => [rank(DOMAIN_ORDER, child.name), '', 0]);
  return sortAttributes({
    ...sorted,
    children: sorted.children.map((child) => (isElement(child) && child.name !== 'devices' ? sortByName(child) : child)),
  });
}

/** Canonical text of a domain XML: equal strings mean the same definition. */
export function normalizeDomainXml(xml: string): string {
  return serializeXml(normalizeDomainTree(parseXml(xml)));
}
