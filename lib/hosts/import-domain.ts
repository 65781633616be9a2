// lib/hosts/import-domain — an existing libvirt domain becomes a Hostdeck VM.
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
import {
  DESCRIPTION_MAX,
  DISK_GIB_MAX,
  DISKS_MAX,
  INTERFACES_MAX,
  MEMORY_MIB_MAX,
  MEMORY_MIB_MIN,
  TAG_MAX,
  TAGS_MAX,
  USER_DATA_MAX,
  VCPUS_MAX,
  absolutePath,
  forbiddenFolderProblem,
  formatIssues,
  ifName,
  macAddress,
  objectName,
  poolHolding,
  seedIsoPath,
  SEED_DIR,
  uuid as uuidSchema,
  vmName,
  vmSpecSchema,
  volumeName,
  type DiskSpec,
  type HostSpec,
  type InterfaceSpec,
  type VmSpec,
} from '@/lib/spec';
import {
  childElements,
  diskLetters,
  domainDifferences,
  GRAPHICS_LISTEN_ADDRESS,
  GUEST_AGENT_CHANNEL,
  HOSTDECK_XML_NAMESPACE,
  memoryKiB,
  normalizeDomainTree,
  ownText,
  parseXml,
  renderDomainXml,
  xmlText,
  type DomainType,
  type XmlElement,
} from '@/lib/render';

export interface HostNeeds {
  /** Bridges used by `bridge` interfaces and missing from host.network.bridges. */
  bridges: string[];
  /** Host NICs used by `direct` (macvtap) interfaces and missing from host.network.nics / bonds. */
  nics: string[];
  /** libvirt networks used by `network` interfaces and missing from host.network.libvirtNetworks. */
  libvirtNetworks: string[];
  /**
   * Storage pools used by volume and file disks and missing from
   * host.storagePools; `path` when known. `folder`: no libvirt pool of that
   * name exists — Hostdeck named a pool after the folder of file disks found
   * outside every pool (the name may change when merged with other needs).
   */
  storagePools: { name: string; path?: string; folder?: true }[];
}

export type ImportResult =
  | {
      ok: true;
      vm: VmSpec;
      /** What the spec cannot express, one sentence each, in document order. Empty = nothing is lost. */
      unsupported: string[];
      hostNeeds: HostNeeds;
      /** The domain's hypervisor type; render with it (renderDomainXml / renderHost `domainType`). */
      domainType: DomainType;
      /**
       * Where the rendered VM differs from the original after normalising — the
       * changes the first plan would show for this domain (categories as in
       * `plan`). Empty = the VM plans as unchanged.
       */
      differences: string[];
    }
  | { ok: false; reason: string };

export interface ImportOptions {
  /** Whether the domain runs now (`virsh domstate`); sets powerState. Default: from the XML (`id` on a running domain's <domain>). */
  running?: boolean;
  /** Whether libvirt starts the domain at boot (`virsh dominfo`); default false. */
  autostart?: boolean;
  /**
   * Disk sizes in GiB (fractions allowed, rounded up), keyed by the source
   * file path or by `pool/volume` — from `virsh vol-info --bytes` or
   * `qemu-img info`. A disk not listed gets 1 GiB and a note.
   */
  volumeSizes?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  /** Folders of storage pools by name (`virsh pool-dumpxml`), for hostNeeds.storagePools. */
  poolPaths?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /**
   * Disks (keyed like volumeSizes) whose path the host resolved outside the
   * pool folder they claim to be in (a symlink), or into a system folder; the
   * value says why. Such disks are not kept.
   */
  unsafeDisks?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** user-data of a Hostdeck cloud-init seed attached to the domain (read from the host's Hostdeck folder). */
  cloudInitUserData?: string;
}

/** Largest domain XML accepted (real ones are a few KiB). */
export const IMPORT_XML_MAX = 4 * 1024 * 1024;

const DEFAULT_LIFECYCLE: Record<string, string> = { on_poweroff: 'destroy', on_reboot: 'restart', on_crash: 'destroy' };
const LIBVIRT_ADDED = new Set(['alias', 'address']);

// ---- small helpers ----------------------------------------------------------

function lookup<V>(map: Readonly<Record<string, V>> | ReadonlyMap<string, V> | undefined, key: string): V | undefined {
  if (map === undefined) return undefined;
  if (map instanceof Map) return map.get(key);
  return Object.prototype.hasOwnProperty.call(map, key) ? (map as Record<string, V>)[key] : undefined;
}

function localName(element: XmlElement): string {
  const colon = element.name.indexOf(':');
  return colon < 0 ? element.name : element.name.slice(colon + 1);
}

/** A value as it may appear in a sentence: quoted, control characters escaped, long values cut. */
function show(value: string, max = 120): string {
  const escaped = JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
  return escaped.replace(/[\u2028\u2029\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Attributes whose values never appear in a message. */
const SECRET_ATTRIBUTES = new Set(['passwd', 'password']);

/** The start tag of an element, for messages: `<vmport state='off'/>` (children elided, passwords hidden). */
function tag(element: XmlElement): string {
  const attributes = Object.entries(element.attributes)
    .map(([key, value]) => ` ${key}=${SECRET_ATTRIBUTES.has(key) ? "'…'" : show(value, 80).replace(/^"|"$/g, "'")}`)
    .join('');
  return `<${element.name}${attributes}${childElements(element).length > 0 || ownText(element).trim() !== '' ? '>…' : '/>'}`;
}

function first(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element).find((child) => child.name === name);
}

function all(element: XmlElement, name: string): XmlElement[] {
  return childElements(element).filter((child) => child.name === name);
}

function text(element: XmlElement | undefined): string {
  return element === undefined ? '' : ownText(element).trim();
}

/** Attributes of `element` other than the expected ones (with their expected values when given). */
function extraAttributes(element: XmlElement, expected: Record<string, string | string[] | null>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(element.attributes)) {
    if (SECRET_ATTRIBUTES.has(key) && !(key in expected)) out.push(key);
    else if (!(key in expected)) out.push(`${key}=${show(value, 60)}`);
    else {
      const allowed = expected[key];
      if (allowed === null) continue;
      if (Array.isArray(allowed) ? !allowed.includes(value) : allowed !== value) out.push(`${key}=${show(value, 60)}`);
    }
  }
  return out;
}

/** vda → { family: 'vd', index: 0 }; sdab → { family: 'sd', index: 27 }. */
function targetIndex(dev: string): { family: string; index: number } | null {
  const match = /^(vd|sd|hd|xvd)([a-z]+)$/.exec(dev);
  if (!match) return null;
  let index = 0;
  for (const c of match[2]!) index = index * 26 + (c.charCodeAt(0) - 96);
  return { family: match[1]!, index: index - 1 };
}

// ---- the importer ----------------------------------------------------------

class Importer {
  readonly unsupported: string[] = [];
  private readonly covered = new Set<string>();

  constructor(
    private readonly root: XmlElement,
    private readonly host: HostSpec,
    private readonly options: ImportOptions,
  ) {}

  /** Record something the spec cannot express; `categories` are the plan categories it explains. */
  note(categories: string | string[], sentence: string): void {
    for (const category of Array.isArray(categories) ? categories : [categories]) this.covered.add(category);
    if (!this.unsupported.includes(sentence)) this.unsupported.push(sentence);
  }

  isCovered(category: string): boolean {
    return this.covered.has(category);
  }

  dropped(element: XmlElement, category: string, what?: string): void {
    this.note(category, `${what ?? tag(element)} is not managed by Hostdeck and would be dropped on deploy`);
  }

  run(): ImportResult {
    const root = this.root;
    if (root.name !== 'domain') return { ok: false, reason: `expected a <domain> document, found <${root.name}>` };

    // Hypervisor type.
    const type = root.attributes.type;
    if (type !== 'kvm' && type !== 'qemu') {
      return { ok: false, reason: `domain type ${show(type ?? '')} is not supported: Hostdeck manages KVM and QEMU (TCG) guests only` };
    }
    const domainType: DomainType = type;
    for (const extra of extraAttributes(root, { type: null, id: null })) this.note('domain type', `the <domain> attribute ${extra} is not kept`);

    // Name and UUID: identity, or nothing.
    const nameElements = all(root, 'name');
    const libvirtName = nameElements.length === 1 ? ownText(nameElements[0]!) : undefined;
    if (libvirtName === undefined) return { ok: false, reason: 'the domain has no <name> (or more than one)' };
    if (!vmName.safeParse(libvirtName).success) {
      const suggestion = suggestName(libvirtName);
      return {
        ok: false,
        reason:
          `the domain name ${show(libvirtName, 80)} is not a valid Hostdeck VM name (1-63 characters: lowercase letters, digits and hyphens, ` +
          `starting with a letter and not ending with a hyphen); rename the domain on the host first` +
          (suggestion ? `, e.g. to ${suggestion} (virsh domrename)` : ''),
      };
    }
    const name = libvirtName;
    const uuidText = text(first(root, 'uuid')).toLowerCase();
    if (uuidText === '') return { ok: false, reason: `domain ${name} has no <uuid>` };
    if (!uuidSchema.safeParse(uuidText).success) return { ok: false, reason: `domain ${name} has an invalid UUID ${show(uuidText, 60)}` };

    // <os>: architecture, machine, firmware, boot.
    const os = first(root, 'os');
    const osType = os ? first(os, 'type') : undefined;
    if (!os || !osType || text(osType) !== 'hvm') return { ok: false, reason: `domain ${name} is not a hardware-virtualised (hvm) guest` };
    const arch = osType.attributes.arch ?? 'x86_64';
    if (arch !== 'x86_64') return { ok: false, reason: `domain ${name} is an ${show(arch)} guest; Hostdeck renders x86_64 guests only` };

    // Memory and vCPUs.
    const memoryElement = first(root, 'memory');
    if (!memoryElement) return { ok: false, reason: `domain ${name} has no <memory>` };
    const kib = memoryKiB(memoryElement);
    if (!Number.isFinite(kib) || kib <= 0) return { ok: false, reason: `domain ${name} has an unreadable <memory> ${show(ownText(memoryElement))}` };
    const memoryMiB = Math.ceil(kib / 1024);
    if (memoryMiB < MEMORY_MIB_MIN || memoryMiB > MEMORY_MIB_MAX) {
      return { ok: false, reason: `domain ${name} has ${memoryMiB} MiB of memory; Hostdeck allows ${MEMORY_MIB_MIN} MiB to ${MEMORY_MIB_MAX} MiB` };
    }
    if (kib % 1024 !== 0) this.note('memory', `memory of ${kib} KiB is not a whole number of MiB; it would become ${memoryMiB} MiB`);
    const vcpuElement = first(root, 'vcpu');
    const vcpus = vcpuElement ? Number(text(vcpuElement)) : 1;
    if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > VCPUS_MAX) {
      return { ok: false, reason: `domain ${name} has ${show(text(vcpuElement))} vCPUs; Hostdeck allows 1 to ${VCPUS_MAX}` };
    }

    const running = this.options.running ?? (root.attributes.id !== undefined && root.attributes.id !== '-1');
    const machine = this.machine(name, osType);
    if (typeof machine !== 'string') return machine;
    const firmware = this.firmware(name, os);

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
      serialConsole: false,
      guestAgent: false,
      tpm: false,
      autostart: this.options.autostart ?? false,
      powerState: running ? 'running' : 'stopped',
      description: '',
      tags: [],
      remove: false,
      deleteDisks: false,
    };

    for (const child of childElements(root)) this.topLevel(child, vm, domainType, memoryElement);
    if (domainType === 'kvm' && !first(root, 'cpu')) this.note('cpu', "the domain has no <cpu>; QEMU's default CPU model would become host-passthrough");
    this.os(os);
    const devices = first(root, 'devices');
    if (devices) this.devices(devices, vm, hostNeeds);
    else this.note('rng', 'the domain has no <devices>; Hostdeck would add its default devices (RNG)');

    const parsed = vmSpecSchema.safeParse(vm);
    if (!parsed.success) {
      const issues = formatIssues(parsed.error).map((issue) => `${issue.path}: ${issue.message}`);
      return { ok: false, reason: `domain ${name} could not be expressed as a VM spec: ${issues.join('; ')}` };
    }

    // Last line of defence: compare as `plan` does.
    const differences = domainDifferences(
      normalizeDomainTree(this.root),
      normalizeDomainTree(parseXml(renderDomainXml(this.host, parsed.data, { domainType }))),
    );
    const metadata = first(root, 'metadata');
    const hasHostdeckMetadata = metadata !== undefined && childElements(metadata).some((entry) => entry.namespace === HOSTDECK_XML_NAMESPACE && localName(entry) === 'vm');
    if (differences.includes('tags') && !hasHostdeckMetadata && parsed.data.tags.length === 0) {
      this.note('tags', 'the first plan shows a change of tags: Hostdeck marks the domain with its own, empty metadata element (<hostdeck:vm>); nothing changes for the guest');
    }
    const unexplained = differences.filter((category) => !this.isCovered(category));
    if (unexplained.length > 0) {
      this.note(
        unexplained,
        `the definition Hostdeck would deploy differs from the domain in ${unexplained.join(', ')} in a way the import cannot describe; compare the two XML files before adopting the VM`,
      );
    }
    return { ok: true, vm: parsed.data, unsupported: this.unsupported, hostNeeds, domainType, differences };
  }

  // ---- top level ------------------------------------------------------------

  private machine(name: string, osType: XmlElement): string | { ok: false; reason: string } {
    const machine = osType.attributes.machine;
    if (machine === undefined) return 'pc';
    if (/^(?:q35|pc|pc-q35-\d{1,2}\.\d{1,2}|pc-i440fx-\d{1,2}\.\d{1,2})$/.test(machine)) return machine;
    if (/^pc-q35-/.test(machine) || machine === 'q35') {
      this.note('machine', `machine type ${show(machine)} is not one Hostdeck can name; it would become q35 (libvirt picks the newest version)`);
      return 'q35';
    }
    if (/^pc-i440fx-|^pc-/.test(machine)) {
      this.note('machine', `machine type ${show(machine)} is not one Hostdeck can name; it would become pc (libvirt picks the newest version)`);
      return 'pc';
    }
    return { ok: false, reason: `domain ${name} uses machine type ${show(machine)}; Hostdeck supports q35 and pc (i440fx) guests only` };
  }

  private firmware(name: string, os: XmlElement): 'bios' | 'uefi' {
    const declared = os.attributes.firmware;
    const loader = first(os, 'loader');
    if (declared === 'efi') {
      if (loader?.attributes.secure === 'yes') this.note('firmware', 'UEFI Secure Boot (<loader secure=\'yes\'>) is not managed by Hostdeck; the firmware would be selected without it');
      const features = first(os, 'firmware');
      if (features && childElements(features).length > 0) {
        const list = childElements(features).map((feature) => `${feature.attributes.name ?? '?'}=${feature.attributes.enabled ?? '?'}`).join(', ');
        this.note('firmware', `UEFI firmware features (${list}) are not managed by Hostdeck; libvirt would select the firmware without them`);
      }
      const nvram = first(os, 'nvram');
      const nvramPath = text(nvram);
      if (nvramPath !== '' && !nvramPath.endsWith(`/${name}_VARS.fd`)) {
        this.note('firmware', `the UEFI variable store ${show(nvramPath)} is not at libvirt's default path; on deploy libvirt would start a fresh one (boot entries would be lost)`);
      }
      return 'uefi';
    }
    if (declared !== undefined) {
      this.note('firmware', `<os firmware=${show(declared)}> is not kept; Hostdeck writes no firmware attribute for BIOS guests`);
      return 'bios';
    }
    if (loader && (loader.attributes.type === 'pflash' || /OVMF|edk2|\.fd$/i.test(text(loader)))) {
      this.note('firmware', `the explicit UEFI loader ${show(text(loader))} would be replaced by libvirt's automatic firmware selection (<os firmware='efi'>)`);
      const nvramPath = text(first(os, 'nvram'));
      if (nvramPath !== '' && !nvramPath.endsWith(`/${name}_VARS.fd`)) {
        this.note('firmware', `the UEFI variable store ${show(nvramPath)} is not at libvirt's default path; on deploy libvirt would start a fresh one (boot entries would be lost)`);
      }
      return 'uefi';
    }
    if (loader) this.note('firmware', `the custom firmware loader ${show(text(loader))} is not kept`);
    return 'bios';
  }

  private os(os: XmlElement): void {
    const boots = all(os, 'boot');
    const bootDevs = boots.map((boot) => boot.attributes.dev ?? '?');
    if (boots.length > 0 && !(boots.length === 1 && bootDevs[0] === 'hd')) {
      this.note('boot order', `boot order ${bootDevs.join(', ')} would become "hd" (the first disk) only`);
    }
    for (const child of childElements(os)) {
      switch (child.name) {
        case 'type':
        case 'boot':
        case 'loader':
        case 'nvram':
        case 'firmware':
          break;
        case 'bootmenu':
          if (child.attributes.enable === 'yes') this.note(['boot order', 'firmware'], 'the boot menu (<bootmenu enable=\'yes\'>) would be turned off');
          else this.note(['boot order', 'firmware'], `${tag(child)} is not kept`);
          break;
        case 'kernel':
        case 'initrd':
        case 'cmdline':
        case 'dtb':
          this.note(['boot order', 'firmware'], `direct kernel boot (<${child.name}> ${show(text(child), 80)}) is not supported; the guest would boot from its first disk`);
          break;
        default:
          this.note(['boot order', 'firmware'], `${tag(child)} in <os> is not managed by Hostdeck and would be dropped on deploy`);
      }
    }
  }

  private topLevel(child: XmlElement, vm: VmSpec, domainType: DomainType, memory: XmlElement): void {
    switch (child.name) {
      case 'name':
      case 'uuid':
      case 'os':
      case 'devices':
        return;
      case 'description':
        return this.description(child, vm);
      case 'title':
        if (ownText(child).trim() !== '') this.note('description', `the title ${show(ownText(child), 80)} is not kept (Hostdeck keeps a description only)`);
        return;
      case 'metadata':
        return this.metadata(child, vm);
      case 'memory':
        for (const extra of extraAttributes(child, { unit: null })) this.note('memory', `<memory ${extra}> is not kept`);
        return;
      case 'currentMemory': {
        const current = memoryKiB(child);
        if (current !== memoryKiB(memory)) {
          this.note('memory', `the balloon target <currentMemory> of ${Math.round(current / 1024)} MiB (below the ${vm.memoryMiB} MiB maximum) is not kept; the guest would get all its memory`);
        }
        return;
      }
      case 'maxMemory':
        this.note('memory', `memory hot-plug (<maxMemory> ${show(ownText(child).trim())} ${child.attributes.unit ?? 'KiB'}, ${child.attributes.slots ?? '?'} slots) is not supported and would be dropped on deploy`);
        return;
      case 'memoryBacking': {
        const kinds = childElements(child).map((part) => part.name);
        this.note('memory', `memory backing (${kinds.join(', ') || 'default'}${kinds.includes('hugepages') ? ': hugepages' : ''}) is not managed by Hostdeck and would be dropped on deploy`);
        return;
      }
      case 'vcpu': {
        const count = ownText(child).trim();
        const extras = extraAttributes(child, { placement: 'static', current: count });
        if (extras.length > 0) this.note('vcpus', `vCPU settings ${extras.join(', ')} are not kept (Hostdeck gives the guest all ${count} vCPUs, unpinned)`);
        return;
      }
      case 'vcpus':
        this.note('vcpus', 'per-vCPU hot-plug settings (<vcpus>) are not supported and would be dropped on deploy');
        return;
      case 'cputune':
        this.note('vcpus', `CPU tuning (<cputune>: ${childElements(child).map((part) => part.name).join(', ') || 'empty'}) such as pinning and shares is not managed by Hostdeck and would be dropped on deploy`);
        return;
      case 'cpu':
        return this.cpu(child, domainType);
      case 'features':
        return this.features(child);
      case 'clock':
        return this.clock(child);
      case 'on_poweroff':
      case 'on_reboot':
      case 'on_crash': {
        const value = ownText(child).trim();
        if (value !== DEFAULT_LIFECYCLE[child.name]) this.note('lifecycle', `<${child.name}>${value}</${child.name}> would become libvirt's default (${DEFAULT_LIFECYCLE[child.name]})`);
        return;
      }
      case 'pm':
        this.note('power management', `guest power management (<pm>: ${childElements(child).map((part) => `${part.name}=${part.attributes.enabled ?? '?'}`).join(', ')}) is not managed by Hostdeck; libvirt's defaults would apply`);
        return;
      case 'resource':
        if (!(childElements(child).length === 1 && text(first(child, 'partition')) === '/machine')) {
          this.note('resource', `the resource partition (<resource>) is not managed by Hostdeck and would be dropped on deploy`);
        }
        return;
      case 'seclabel':
        if (child.attributes.type !== 'dynamic' || child.attributes.relabel === 'no') {
          this.note('seclabel', `the security label ${tag(child)} is not managed by Hostdeck; libvirt's default labelling would apply`);
        }
        return;
      default:
        this.note(child.name, `${tag(child)} is not managed by Hostdeck and would be dropped on deploy`);
    }
  }

  private description(element: XmlElement, vm: VmSpec): void {
    let value = ownText(element);
    const wellFormed = value.toWellFormed();
    const fitted = xmlText(wellFormed);
    if (fitted !== value) this.note('description', 'the description contains characters XML cannot carry; they would be stored as visible symbols');
    value = fitted;
    if (value.length > DESCRIPTION_MAX) {
      this.note('description', `the description is ${value.length} characters long; Hostdeck keeps the first ${DESCRIPTION_MAX}`);
      value = value.slice(0, DESCRIPTION_MAX);
      if (/[\ud800-\udbff]$/.test(value)) value = value.slice(0, -1);
    }
    vm.description = value;
  }

  private metadata(element: XmlElement, vm: VmSpec): void {
    let seen = false;
    for (const entry of childElements(element)) {
      if (entry.namespace === HOSTDECK_XML_NAMESPACE && localName(entry) === 'vm' && !seen) {
        seen = true;
        for (const item of childElements(entry)) {
          if (item.namespace !== HOSTDECK_XML_NAMESPACE || localName(item) !== 'tag') {
            this.note('tags', `${tag(item)} in Hostdeck's metadata is not known to this version and would be dropped on deploy`);
            continue;
          }
          const raw = ownText(item);
          const value = xmlText(raw.toWellFormed());
          if (value.trim() === '') this.note('tags', 'an empty tag would be dropped');
          else if (value.length > TAG_MAX) this.note('tags', `the tag ${show(value, 40)} is longer than ${TAG_MAX} characters and would be dropped`);
          else if (vm.tags.length >= TAGS_MAX) this.note('tags', `only ${TAGS_MAX} tags are kept; the tag ${show(value, 40)} would be dropped`);
          else {
            if (value !== raw) this.note('tags', `the tag ${show(value, 40)} contains characters XML cannot carry; they would be stored as visible symbols`);
            vm.tags.push(value);
          }
        }
        continue;
      }
      const namespace = entry.namespace === null ? '' : ` (${entry.namespace})`;
      const detail = entry.namespace === 'http://libosinfo.org/xmlns/libvirt/domain/1.0'
        ? `the libosinfo OS id${(() => {
            const osId = childElements(entry).find((part) => localName(part) === 'os')?.attributes.id;
            return osId ? ` ${show(osId, 80)}` : '';
          })()} (<${entry.name}>)`
        : `the metadata <${entry.name}>${namespace}`;
      this.note('metadata', `${detail} is not kept by Hostdeck and would be dropped on deploy`);
    }
  }

  private cpu(cpu: XmlElement, domainType: DomainType): void {
    const mode = cpu.attributes.mode ?? 'custom';
    const parts = childElements(cpu);
    if (domainType === 'qemu') {
      const model = first(cpu, 'model');
      const defaultTcg = mode === 'custom' && model !== undefined && text(model) === 'qemu64' && parts.every((part) => part.name === 'model' || part.name === 'feature');
      if (!defaultTcg) this.note('cpu', `the CPU definition ${tag(cpu)}${model ? ` (model ${show(text(model), 40)})` : ''} would become QEMU's default CPU for TCG guests`);
      return;
    }
    if (mode !== 'host-passthrough') {
      const model = first(cpu, 'model');
      this.note('cpu', `CPU mode ${show(mode)}${model ? ` (model ${show(text(model), 40)})` : ''} would become host-passthrough`);
    } else {
      const extras = extraAttributes(cpu, { mode: null, check: ['none', 'partial'], migratable: 'on' });
      if (extras.length > 0) this.note('cpu', `CPU settings ${extras.join(', ')} are not kept (Hostdeck uses plain host-passthrough)`);
    }
    for (const part of parts) {
      if (part.name === 'model' && mode !== 'host-passthrough') continue;
      if (part.name === 'topology') {
        const topology = ['sockets', 'dies', 'clusters', 'cores', 'threads']
          .filter((key) => part.attributes[key] !== undefined)
          .map((key) => `${key}=${part.attributes[key]}`)
          .join(' ');
        this.note('cpu', `the CPU topology (${topology}) is not managed by Hostdeck; QEMU's default topology would apply`);
      } else if (part.name === 'feature') {
        this.note('cpu', `the CPU feature ${show(part.attributes.name ?? '?')} (${part.attributes.policy ?? 'require'}) would be dropped`);
      } else {
        this.note('cpu', `${tag(part)} in <cpu> is not managed by Hostdeck and would be dropped on deploy`);
      }
    }
  }

  private features(features: XmlElement): void {
    const names = childElements(features).map((feature) => feature.name);
    for (const wanted of ['acpi', 'apic']) {
      if (!names.includes(wanted)) this.note('features', `the domain has no <${wanted}/> feature; Hostdeck would turn it on`);
    }
    for (const feature of childElements(features)) {
      if ((feature.name === 'acpi' || feature.name === 'apic') && Object.keys(feature.attributes).length === 0 && childElements(feature).length === 0) continue;
      const detail =
        feature.name === 'hyperv' ? ' (Hyper-V enlightenments for Windows guests)'
        : feature.name === 'vmport' ? ' (VMware I/O port emulation)'
        : feature.name === 'smm' ? ' (System Management Mode)'
        : '';
      this.note('features', `the feature ${tag(feature)}${detail} is not managed by Hostdeck and would be dropped on deploy`);
    }
  }

  private clock(clock: XmlElement): void {
    const offset = clock.attributes.offset ?? 'utc';
    if (offset !== 'utc') this.note('clock', `the clock offset ${show(offset)} would become utc (Windows guests usually expect localtime)`);
    const extras = extraAttributes(clock, { offset: null });
    if (extras.length > 0) this.note('clock', `clock settings ${extras.join(', ')} are not kept`);
    const timers = childElements(clock).map((timer) => {
      const settings = Object.entries(timer.attributes).filter(([key]) => key !== 'name').map(([key, value]) => `${key}=${value}`);
      return `${timer.attributes.name ?? timer.name}${settings.length ? ` ${settings.join(' ')}` : ''}`;
    });
    if (timers.length > 0) this.note('clock', `clock timers (${timers.join('; ')}) are not managed by Hostdeck; QEMU's defaults would apply`);
  }

  // ---- devices ----------------------------------------------------------------

  private devices(devices: XmlElement, vm: VmSpec, needs: HostNeeds): void {
    const list = childElements(devices);
    const disks: { disk: DiskSpec; dev: string; family: 'vd' | 'sd'; order: number }[] = [];
    let seed: XmlElement | null = null;
    let serials = 0;
    let hasTablet = false;
    const videos: XmlElement[] = [];
    const scsiControllers: XmlElement[] = [];
    const graphicsSeen = { vnc: 0, spice: 0 };
    let rngOk = false;

    for (const device of list) {
      switch (device.name) {
        case 'emulator': {
          const path = text(device);
          if (!/\/(?:qemu-system-x86_64|qemu-kvm)$/.test(path)) this.note('emulator', `the custom emulator ${show(path)} would be replaced by the host's default QEMU`);
          break;
        }
        case 'disk': {
          const seedKind = device.attributes.device === 'cdrom' ? this.seedKind(device, vm.name) : 'none';
          if (seedKind === 'own') {
            if (seed !== null) this.dropped(device, 'cloud-init seed', `a second cloud-init seed cdrom ${show(diskTarget(device))}`);
            else seed = device;
            break;
          }
          if (seedKind === 'other') break;
          const disk = this.disk(device, needs);
          if (disk) disks.push(disk);
          break;
        }
        case 'controller':
          if (device.attributes.type === 'scsi') scsiControllers.push(device);
          else this.controller(device, vm.machine);
          break;
        case 'interface': {
          const nic = this.nic(device, needs);
          if (nic) {
            if (vm.interfaces.length >= INTERFACES_MAX) this.note('interfaces', `only ${INTERFACES_MAX} interfaces are kept; the interface with MAC ${nic.mac} would be dropped`);
            else vm.interfaces.push(nic);
          }
          break;
        }
        case 'serial':
          serials++;
          if (serials === 1 && this.serial(device)) vm.serialConsole = true;
          else if (serials > 1) this.dropped(device, 'serial console', `the additional serial port ${tag(device)}`);
          break;
        case 'console':
          this.console(device);
          break;
        case 'channel':
          if (this.channel(device)) {
            if (vm.guestAgent) this.dropped(device, 'guest agent', 'a second guest-agent channel');
            vm.guestAgent = true;
          }
          break;
        case 'input':
          if (device.attributes.type === 'tablet' && device.attributes.bus === 'usb' && !hasTablet && this.plainDevice(device, 'input devices')) hasTablet = true;
          else if (!((device.attributes.type === 'mouse' || device.attributes.type === 'keyboard') && device.attributes.bus === 'ps2')) {
            this.dropped(device, 'input devices', `the input device ${tag(device)}`);
          }
          break;
        case 'tpm':
          if (this.tpm(device)) vm.tpm = true;
          break;
        case 'graphics': {
          const type = device.attributes.type;
          if (type === 'vnc' || type === 'spice') {
            graphicsSeen[type]++;
            if (graphicsSeen[type] > 1) this.dropped(device, 'graphics', `a second ${type.toUpperCase()} display`);
            else {
              this.graphics(device, type);
              vm.graphics[type] = true;
            }
          } else this.dropped(device, 'graphics', `the ${show(type ?? '?')} display ${tag(device)}`);
          break;
        }
        case 'video':
          videos.push(device);
          break;
        case 'audio':
          if (device.attributes.type !== 'none' && device.attributes.type !== 'spice') this.dropped(device, 'audio', `the audio backend ${tag(device)}`);
          break;
        case 'memballoon':
          if (device.attributes.model === 'none') this.note('memballoon', 'the memory balloon is turned off (<memballoon model=\'none\'/>); on deploy libvirt would add a virtio balloon');
          else if (device.attributes.model !== 'virtio' || extraAttributes(device, { model: null }).length > 0 || childElements(device).some((part) => !LIBVIRT_ADDED.has(part.name))) {
            this.note('memballoon', `the memory balloon settings ${tag(device)} are not kept; libvirt's default virtio balloon would be used`);
          }
          break;
        case 'rng':
          if (this.rng(device) && !rngOk) rngOk = true;
          else if (rngOk) this.dropped(device, 'rng', `a second random number generator ${tag(device)}`);
          break;
        case 'hostdev':
          this.note('host devices', hostdevSentence(device));
          break;
        case 'redirdev':
          this.note('redirdev', `USB redirection ${tag(device)}${device.attributes.type === 'spicevmc' ? ' (over SPICE)' : ''} is not managed by Hostdeck and would be dropped on deploy`);
          break;
        case 'sound':
          this.note('sound', `the sound card ${show(device.attributes.model ?? '?')} is not managed by Hostdeck and would be dropped on deploy`);
          break;
        case 'filesystem': {
          const source = first(device, 'source');
          const targetDir = first(device, 'target')?.attributes.dir;
          this.note('filesystems', `the shared folder ${show(source?.attributes.dir ?? source?.attributes.file ?? '?')}${targetDir ? ` (tag ${show(targetDir)})` : ''} is not managed by Hostdeck and would be dropped on deploy`);
          break;
        }
        case 'watchdog':
          this.note('watchdog', `the watchdog ${show(device.attributes.model ?? '?')} (action ${device.attributes.action ?? 'reset'}) is not managed by Hostdeck and would be dropped on deploy`);
          break;
        default:
          this.dropped(device, device.name, `the device ${tag(device)}`);
      }
    }

    // Disks: in document order, but within each family (vd…, sd…) in target order, so the
    // renderer's vda, vdb, … / sda, sdb, … match the targets the domain has.
    for (const family of ['vd', 'sd'] as const) {
      const slots = disks.flatMap((entry, index) => (entry.family === family ? [index] : []));
      const sorted = slots.map((index) => disks[index]!).sort((a, b) => a.order - b.order);
      slots.forEach((slot, i) => (disks[slot] = sorted[i]!));
    }
    if (disks.length > DISKS_MAX) {
      for (const extra of disks.splice(DISKS_MAX)) this.note('disks', `only ${DISKS_MAX} disks are kept; disk ${show(extra.dev)} would be detached`);
    }
    vm.disks = disks.map((entry) => entry.disk);
    let virtio = 0;
    let sd = 0;
    for (const entry of disks) {
      const dev = entry.disk.bus === 'virtio' ? `vd${diskLetters(virtio++)}` : `sd${diskLetters(sd++)}`;
      if (dev !== entry.dev) this.note('disks', `disk ${show(entry.dev)} would be attached as ${dev} (Hostdeck names disks in order)`);
    }
    if (seed !== null) this.seed(seed, vm, `sd${diskLetters(sd)}`);

    const scsiDisks = vm.disks.some((disk) => disk.bus === 'scsi');
    scsiControllers.forEach((controller, index) => {
      const plain = controller.attributes.model === 'virtio-scsi' && (controller.attributes.index ?? '0') === '0' &&
        extraAttributes(controller, { type: null, index: null, model: null }).length === 0 &&
        childElements(controller).every((part) => LIBVIRT_ADDED.has(part.name));
      if (!scsiDisks) this.dropped(controller, 'controllers', `the SCSI controller ${tag(controller)} (no SCSI disk uses it)`);
      else if (index > 0) this.dropped(controller, 'controllers', `the additional SCSI controller ${tag(controller)}`);
      else if (!plain) this.note('controllers', `the SCSI controller ${tag(controller)} would become a plain virtio-scsi controller`);
    });

    const hasGraphics = vm.graphics.vnc || vm.graphics.spice;
    if (hasGraphics && !hasTablet) this.note('input devices', 'a USB tablet (for the console pointer) would be added');
    if (!hasGraphics && hasTablet) this.note('input devices', 'the USB tablet would be dropped (the domain has no VNC or SPICE display)');
    this.video(videos, hasGraphics);
    if (!rngOk && !this.isCovered('rng')) this.note('rng', 'a virtio random number generator (/dev/urandom) would be added');
  }

  /** Whether a device has nothing beyond what libvirt adds (alias, address). */
  private plainDevice(device: XmlElement, category: string): boolean {
    const extras = childElements(device).filter((part) => !LIBVIRT_ADDED.has(part.name));
    if (extras.length > 0) {
      this.note(category, `${extras.map((part) => tag(part)).join(', ')} in ${tag(device)} would be dropped`);
      return false;
    }
    return true;
  }

  /** Whether a cdrom is this VM's cloud-init seed ('own'), a seed under another VM's name ('other', reported here), or not a seed. */
  private seedKind(disk: XmlElement, vm: string): 'own' | 'other' | 'none' {
    const path = first(disk, 'source')?.attributes.file;
    if (path === undefined || !path.startsWith(`${SEED_DIR}/`)) return 'none';
    if (path !== seedIsoPath(vm)) {
      this.note(['cloud-init seed', 'disks'], `the cdrom ${show(diskTarget(disk))} holds ${show(path)}, the cloud-init seed of another VM name (this VM's would be ${seedIsoPath(vm)}); it would be detached on deploy`);
      return 'other';
    }
    return 'own';
  }

  private seed(device: XmlElement, vm: VmSpec, expectedDev: string): void {
    const dev = diskTarget(device);
    const target = first(device, 'target');
    const driver = first(device, 'driver');
    const extras: string[] = [];
    if (target?.attributes.bus !== 'sata') extras.push(`bus ${show(target?.attributes.bus ?? '?')} (Hostdeck uses sata)`);
    if (dev !== expectedDev) extras.push(`target ${show(dev)} (Hostdeck uses ${expectedDev})`);
    if (driver?.attributes.type !== 'raw') extras.push(`format ${show(driver?.attributes.type ?? '?')}`);
    if (!first(device, 'readonly')) extras.push('writable');
    if (extras.length > 0) this.note('cloud-init seed', `the cloud-init seed cdrom differs from Hostdeck's: ${extras.join(', ')}`);
    const userData = this.options.cloudInitUserData;
    if (userData === undefined) {
      this.note('cloud-init seed', `the cloud-init seed ${seedIsoPath(vm.name)} is kept, but its user-data is not known to the import; enter it, or the seed would be rebuilt with empty user-data on deploy`);
      vm.cloudInit = { userData: '' };
    } else if (userData.length > USER_DATA_MAX || userData.includes('\u0000') || !userData.isWellFormed()) {
      this.note('cloud-init seed', `the given cloud-init user-data is not acceptable (at most ${USER_DATA_MAX} characters of text); it was left empty`);
      vm.cloudInit = { userData: '' };
    } else vm.cloudInit = { userData };
  }

  private disk(device: XmlElement, needs: HostNeeds): { disk: DiskSpec; dev: string; family: 'vd' | 'sd'; order: number } | null {
    const kind = device.attributes.device ?? 'disk';
    const dev = diskTarget(device);
    const source = first(device, 'source');
    const where = source?.attributes.file ?? source?.attributes.dev ?? (source?.attributes.volume ? `${source.attributes.pool}/${source.attributes.volume}` : source?.attributes.name);
    const label = `${dev || '?'}${where ? ` (${show(where)})` : ''}`;
    if (kind === 'cdrom') {
      this.note('disks', `the cdrom ${label} is not managed by Hostdeck and would be dropped on deploy (only its own cloud-init seed is)`);
      return null;
    }
    if (kind !== 'disk') {
      this.note('disks', `the ${show(kind)} device ${label} is not managed by Hostdeck and would be dropped on deploy`);
      return null;
    }
    const type = device.attributes.type ?? 'file';
    if (type !== 'file' && type !== 'volume') {
      this.note('disks', `the ${show(type)} disk ${label} cannot be expressed (Hostdeck manages pool volumes and image files) and would be detached on deploy`);
      return null;
    }
    if (!source) {
      this.note('disks', `the disk ${label} has no source and would be detached on deploy`);
      return null;
    }
    const driver = first(device, 'driver');
    const format = driver?.attributes.type ?? 'raw';
    if (driver?.attributes.type === undefined) this.note('disks', `the disk ${label} declares no format; Hostdeck would declare it raw`);
    if (format !== 'qcow2' && format !== 'raw') {
      this.note('disks', `the ${show(format)} disk ${label} cannot be expressed (Hostdeck manages qcow2 and raw disks) and would be detached on deploy`);
      return null;
    }
    if (driver) {
      const extras = extraAttributes(driver, { name: 'qemu', type: null });
      if (extras.length > 0) this.note('disks', `disk ${label}: driver options ${extras.join(', ')} (cache, I/O, discard, …) are not kept`);
      if (childElements(driver).length > 0) this.note('disks', `disk ${label}: driver settings ${childElements(driver).map((part) => tag(part)).join(', ')} are not kept`);
    }

    let diskSource: DiskSpec['source'];
    let key: string;
    if (type === 'volume') {
      const pool = source.attributes.pool ?? '';
      const volume = source.attributes.volume ?? '';
      if (!objectName.safeParse(pool).success || !volumeName.safeParse(volume).success) {
        this.note('disks', `the disk ${label} is in pool ${show(pool)} volume ${show(volume)}, names Hostdeck cannot use; it would be detached on deploy`);
        return null;
      }
      diskSource = { type: 'volume', pool, volume };
      key = `${pool}/${volume}`;
      if (this.unsafeDisk(key, label)) return null;
      if (!this.host.storagePools.some((candidate) => candidate.name === pool) && !needs.storagePools.some((candidate) => candidate.name === pool)) {
        const path = lookup(this.options.poolPaths, pool);
        const forbidden = path === undefined ? null : forbiddenFolderProblem(path);
        if (forbidden) {
          this.note('disks', `the disk ${label} is not kept: its pool ${show(pool)} lies in a system folder (${forbidden}), which Hostdeck does not accept as a storage pool; it would be detached on deploy`);
          return null;
        }
        needs.storagePools.push(path !== undefined && absolutePath.safeParse(path).success ? { name: pool, path } : { name: pool });
      }
    } else {
      const path = source.attributes.file ?? '';
      if (!absolutePath.safeParse(path).success) {
        this.note('disks', `the disk ${label} has a path Hostdeck cannot use (it must be absolute and canonical, without control characters); it would be detached on deploy`);
        return null;
      }
      if (path.startsWith(`${SEED_DIR}/`)) {
        this.note('disks', `the disk ${label} is in ${SEED_DIR}, which Hostdeck reserves for cloud-init seeds; it would be detached on deploy`);
        return null;
      }
      if (this.unsafeDisk(path, label)) return null;
      const place = filePool(path, this.host, this.options.poolPaths, needs);
      if (place.kind === 'forbidden') {
        this.note('disks', `the disk ${label} is not kept: ${place.reason}; Hostdeck keeps disks only inside storage pool folders (move it into a pool on the host). It would be detached on deploy`);
        return null;
      }
      if (place.kind === 'need') needs.storagePools.push(place.need);
      diskSource = { type: 'file', path };
      key = path;
    }
    const sourceExtras = extraAttributes(source, type === 'volume' ? { pool: null, volume: null, index: null } : { file: null, index: null });
    if (sourceExtras.length > 0) this.note('disks', `disk ${label}: source options ${sourceExtras.join(', ')} are not kept`);
    if (childElements(source).length > 0) this.note('disks', `disk ${label}: source settings ${childElements(source).map((part) => tag(part)).join(', ')} are not kept`);

    const target = first(device, 'target');
    let bus = target?.attributes.bus ?? (dev.startsWith('vd') ? 'virtio' : dev.startsWith('hd') ? 'ide' : 'sata');
    if (bus === 'ide') {
      this.note('disks', `the IDE disk ${label} would be attached on the SATA bus (the guest may see a new device name)`);
      bus = 'sata';
    }
    if (bus !== 'virtio' && bus !== 'sata' && bus !== 'scsi') {
      this.note('disks', `the disk ${label} on the ${show(bus)} bus cannot be expressed (Hostdeck uses virtio, sata and scsi) and would be detached on deploy`);
      return null;
    }
    if (target) {
      const extras = extraAttributes(target, { dev: null, bus: null });
      if (extras.length > 0) this.note('disks', `disk ${label}: target options ${extras.join(', ')} are not kept`);
    }
    for (const part of childElements(device)) {
      if (['driver', 'source', 'target', 'alias', 'address', 'backingStore'].includes(part.name)) continue;
      const what =
        part.name === 'boot' ? `the boot order ${show(part.attributes.order ?? '?')}`
        : part.name === 'serial' ? `the serial number ${show(text(part), 40)}`
        : part.name === 'readonly' ? 'read-only access'
        : part.name === 'shareable' ? 'sharing with other guests'
        : part.name === 'iotune' ? 'I/O limits (<iotune>)'
        : tag(part);
      this.note(part.name === 'boot' ? ['disks', 'boot order'] : 'disks', `disk ${label}: ${what} is not kept`);
    }

    const sizeValue = lookup(this.options.volumeSizes, key);
    let sizeGiB = 1;
    if (sizeValue === undefined || !Number.isFinite(sizeValue) || sizeValue < 0) {
      this.note('disk size', `the size of disk ${label} is not known; it is recorded as 1 GiB (used only if the disk is ever re-created; existing disks are never resized)`);
    } else {
      sizeGiB = Math.max(1, Math.ceil(sizeValue - 1e-9));
      if (sizeGiB > DISK_GIB_MAX) {
        this.note('disk size', `disk ${label} is larger than ${DISK_GIB_MAX} GiB; it is recorded as ${DISK_GIB_MAX} GiB`);
        sizeGiB = DISK_GIB_MAX;
      }
    }
    const family: 'vd' | 'sd' = bus === 'virtio' ? 'vd' : 'sd';
    const parsedTarget = targetIndex(dev);
    const order = parsedTarget === null ? Number.MAX_SAFE_INTEGER : parsedTarget.index;
    return { disk: { source: diskSource, sizeGiB, format, bus }, dev, family, order };
  }

  /** Whether the host reported the disk's path as resolving outside its pool (noted, and the disk is not kept). */
  private unsafeDisk(key: string, label: string): boolean {
    const unsafe = lookup(this.options.unsafeDisks, key);
    if (unsafe === undefined) return false;
    this.note('disks', `the disk ${label} is not kept: on the host ${unsafe}; it would be detached on deploy`);
    return true;
  }

  private controller(device: XmlElement, machine: string): void {
    const type = device.attributes.type;
    if (['pci', 'virtio-serial', 'sata', 'ide'].includes(type ?? '')) return; // added by libvirt as needed
    if (type === 'usb') {
      const model = device.attributes.model;
      if (model === 'none') {
        this.note('controllers', 'the domain has no USB controller (<controller type=\'usb\' model=\'none\'/>); on deploy libvirt would add its default one');
        return;
      }
      const expected = machine.startsWith('pc-q35') || machine === 'q35' ? 'qemu-xhci' : 'piix3-uhci';
      if (/^ich9-uhci\d$/.test(model ?? '')) return; // companions of ich9-ehci1, reported with it
      const extras = extraAttributes(device, { type: null, index: '0', model: null });
      if (model !== undefined && model !== expected) this.note('controllers', `the USB controller model ${show(model)} would be replaced by libvirt's default for the machine (${expected})`);
      if (extras.length > 0) this.note('controllers', `USB controller settings ${extras.join(', ')} are not kept`);
      return;
    }
    this.dropped(device, 'controllers', `the ${show(type ?? '?')} controller ${tag(device)}`);
  }

  private nic(device: XmlElement, needs: HostNeeds): InterfaceSpec | null {
    const source = first(device, 'source');
    const macText = (first(device, 'mac')?.attributes.address ?? '').toLowerCase();
    const type = source?.attributes.network !== undefined ? 'network' : device.attributes.type ?? '?';
    const label = `interface ${macText !== '' ? macText : show(type)}`;
    if (type !== 'bridge' && type !== 'direct' && type !== 'network') {
      this.note('interfaces', `the ${show(type)} ${label} cannot be expressed (Hostdeck uses bridges, macvtap on a host NIC and libvirt networks) and would be dropped on deploy`);
      return null;
    }
    if (macText === '') {
      this.note('interfaces', `an interface without a MAC address cannot be imported (import what \`virsh dumpxml\` prints, which always has one); it would be dropped on deploy`);
      return null;
    }
    if (!macAddress.safeParse(macText).success) {
      this.note('interfaces', `the interface MAC ${show(macText)} is not a unicast MAC address; the interface would be dropped on deploy`);
      return null;
    }
    const model = first(device, 'model')?.attributes.type ?? (device.attributes.type === 'direct' ? 'virtio' : 'rtl8139');
    if (model !== 'virtio') this.note('interfaces', `${label}: the NIC model ${show(model)} would become virtio (the guest needs virtio-net drivers)`);

    let nic: InterfaceSpec;
    if (type === 'bridge') {
      const bridge = source?.attributes.bridge ?? '';
      if (!ifName.safeParse(bridge).success) {
        this.note('interfaces', `${label} is on the bridge ${show(bridge)}, a name Hostdeck cannot use; it would be dropped on deploy`);
        return null;
      }
      nic = { type: 'bridge', bridge, mac: macText, model: 'virtio' };
      if (!this.host.network.bridges.some((candidate) => candidate.name === bridge) && !needs.bridges.includes(bridge)) needs.bridges.push(bridge);
      const extras = source ? extraAttributes(source, { bridge: null }) : [];
      if (extras.length > 0) this.note('interfaces', `${label}: source options ${extras.join(', ')} are not kept`);
    } else if (type === 'direct') {
      const dev = source?.attributes.dev ?? '';
      if (!ifName.safeParse(dev).success) {
        this.note('interfaces', `${label} uses the host NIC ${show(dev)}, a name Hostdeck cannot use; it would be dropped on deploy`);
        return null;
      }
      const mode = source?.attributes.mode ?? 'vepa';
      if (mode !== 'bridge') this.note('interfaces', `${label}: macvtap mode ${show(mode)} would become bridge`);
      nic = { type: 'direct', dev, mac: macText, model: 'virtio' };
      const known = this.host.network.nics.includes(dev) || this.host.network.bonds.some((bond) => bond.name === dev);
      if (!known && !needs.nics.includes(dev)) needs.nics.push(dev);
      const extras = source ? extraAttributes(source, { dev: null, mode: null }) : [];
      if (extras.length > 0) this.note('interfaces', `${label}: source options ${extras.join(', ')} are not kept`);
    } else {
      const network = source?.attributes.network ?? '';
      if (!objectName.safeParse(network).success) {
        this.note('interfaces', `${label} is on the libvirt network ${show(network)}, a name Hostdeck cannot use; it would be dropped on deploy`);
        return null;
      }
      nic = { type: 'network', network, mac: macText, model: 'virtio' };
      if (!this.host.network.libvirtNetworks.includes(network) && !needs.libvirtNetworks.includes(network)) needs.libvirtNetworks.push(network);
      const extras = source ? extraAttributes(source, { network: null, portid: null, bridge: null }) : [];
      if (extras.length > 0) this.note('interfaces', `${label}: source options ${extras.join(', ')} (e.g. a port group) are not kept`);
    }
    for (const part of childElements(device)) {
      if (['mac', 'source', 'model', 'target', 'alias', 'address'].includes(part.name)) continue;
      const what =
        part.name === 'link' ? `the link state ${show(part.attributes.state ?? '?')} (the link would be up)`
        : part.name === 'vlan' ? 'VLAN tagging (<vlan>)'
        : part.name === 'virtualport' ? `the virtual port ${show(part.attributes.type ?? '?')} (e.g. Open vSwitch)`
        : part.name === 'bandwidth' ? 'bandwidth limits'
        : part.name === 'filterref' ? `the traffic filter ${show(part.attributes.filter ?? '?')}`
        : part.name === 'boot' ? `the boot order ${show(part.attributes.order ?? '?')} (network boot)`
        : part.name === 'driver' ? `driver options ${tag(part)}`
        : part.name === 'mtu' ? `the MTU ${show(part.attributes.size ?? '?')}`
        : tag(part);
      this.note(part.name === 'boot' ? ['interfaces', 'boot order'] : 'interfaces', `${label}: ${what} is not kept`);
    }
    return nic;
  }

  private serial(device: XmlElement): boolean {
    const target = first(device, 'target');
    const port = target?.attributes.port ?? '0';
    if (device.attributes.type !== 'pty') {
      this.note('serial console', `the serial port ${tag(device)} is not a pty; Hostdeck would attach its serial console on a pty instead`);
      return true;
    }
    if (port !== '0') this.note('serial console', `the serial port ${port} would become port 0`);
    if (target) {
      const extras = extraAttributes(target, { port: null, type: 'isa-serial' });
      const model = first(target, 'model');
      if (model && model.attributes.name !== 'isa-serial') extras.push(`model=${show(model.attributes.name ?? '?')}`);
      if (extras.length > 0) this.note('serial console', `serial port settings ${extras.join(', ')} would become an ISA serial port`);
    }
    for (const part of childElements(device)) {
      if (['source', 'target', 'alias', 'address'].includes(part.name)) continue;
      this.note('serial console', `serial port: ${part.name === 'log' ? `the log file ${show(part.attributes.file ?? '?')}` : tag(part)} is not kept`);
    }
    return true;
  }

  private console(device: XmlElement): void {
    const target = first(device, 'target');
    const targetType = target?.attributes.type ?? 'serial';
    if (targetType !== 'serial' || (target?.attributes.port ?? '0') !== '0') {
      this.dropped(device, 'serial console', `the ${show(targetType)} console ${tag(device)}`);
    }
  }

  private channel(device: XmlElement): boolean {
    const target = first(device, 'target');
    const name = target?.attributes.name;
    if (device.attributes.type === 'unix' && target?.attributes.type === 'virtio' && name === GUEST_AGENT_CHANNEL) {
      const source = first(device, 'source');
      const path = source?.attributes.path;
      if (source && (source.attributes.mode ?? 'bind') !== 'bind') this.note('guest agent', `the guest-agent channel in ${show(source.attributes.mode ?? '?')} mode would become a bound socket`);
      else if (path !== undefined && !path.includes('/channel/target/')) this.note('guest agent', `the guest-agent socket path ${show(path)} would become libvirt's default`);
      return true;
    }
    const what =
      device.attributes.type === 'spicevmc' ? 'the SPICE agent channel (clipboard sharing, display resizing)'
      : device.attributes.type === 'qemu-vdagent' ? 'the QEMU vdagent channel (clipboard sharing)'
      : `the channel ${tag(device)}${name ? ` (${show(name, 60)})` : ''}`;
    this.note('guest agent', `${what} is not managed by Hostdeck and would be dropped on deploy`);
    return false;
  }

  private tpm(device: XmlElement): boolean {
    const backend = first(device, 'backend');
    const backendType = backend?.attributes.type ?? '?';
    if (backendType !== 'emulator') {
      this.note('tpm', `the ${show(backendType)} TPM ${tag(device)} (e.g. the host's own TPM passed through) is not supported and would be dropped on deploy`);
      return false;
    }
    const model = device.attributes.model ?? 'tpm-tis';
    if (model !== 'tpm-crb') this.note('tpm', `the TPM model ${show(model)} would become tpm-crb (an emulated TPM 2.0)`);
    const version = backend?.attributes.version ?? '2.0';
    if (version !== '2.0') this.note('tpm', `the TPM version ${show(version)} would become 2.0 (the guest's TPM state would not carry over)`);
    const extras = backend ? extraAttributes(backend, { type: null, version: null }) : [];
    if (extras.length > 0) this.note('tpm', `TPM emulator settings ${extras.join(', ')} are not kept`);
    if (backend && childElements(backend).length > 0) this.note('tpm', `TPM emulator settings ${childElements(backend).map((part) => tag(part)).join(', ')} are not kept`);
    return true;
  }

  private graphics(device: XmlElement, type: 'vnc' | 'spice'): void {
    const label = type === 'vnc' ? 'VNC' : 'SPICE';
    const listens = all(device, 'listen');
    const listen = listens[0];
    if (listens.length !== 1 || listen === undefined) {
      const where = device.attributes.listen;
      this.note('graphics', `the ${label} display ${where ? `listens on ${show(where)}` : 'has no listen address'}; Hostdeck would make it listen on ${GRAPHICS_LISTEN_ADDRESS} only`);
    } else if ((listen.attributes.type ?? 'address') !== 'address' || listen.attributes.address !== GRAPHICS_LISTEN_ADDRESS || extraAttributes(listen, { type: null, address: null, fromConfig: null, autoGenerated: null }).length > 0) {
      const where = listen.attributes.type === 'address' || listen.attributes.type === undefined
        ? listen.attributes.address === undefined ? "the host's default address (qemu.conf)" : show(listen.attributes.address)
        : `a ${show(listen.attributes.type)} listener`;
      this.note('graphics', `the ${label} display listens on ${where}; Hostdeck would make it listen on ${GRAPHICS_LISTEN_ADDRESS} only (consoles go through SSH)`);
    }
    const port = device.attributes.port;
    if (device.attributes.autoport === 'no' && port !== undefined && port !== '-1') this.note('graphics', `the fixed ${label} port ${show(port)} would become an automatic one`);
    if (device.attributes.passwd !== undefined) this.note('graphics', `the ${label} password would be removed (Hostdeck authenticates consoles with its own tickets)`);
    const extras = extraAttributes(device, { type: null, port: null, autoport: null, listen: null, passwd: null, passwdValidTo: null, tlsPort: null });
    if (extras.length > 0) this.note('graphics', `${label} settings ${extras.join(', ')} are not kept`);
    const others = childElements(device).filter((part) => part.name !== 'listen');
    if (others.length > 0) this.note('graphics', `${label} settings ${others.map((part) => tag(part)).join(', ')} are not kept`);
  }

  private video(videos: XmlElement[], hasGraphics: boolean): void {
    if (!hasGraphics) {
      for (const video of videos) {
        const model = first(video, 'model')?.attributes.type ?? '?';
        if (model !== 'none') this.note('video', `the ${show(model)} video card would be dropped (the domain has no VNC or SPICE display)`);
      }
      return;
    }
    const [primary, ...more] = videos;
    if (!primary) {
      this.note('video', 'a virtio video card would be added for the console');
      return;
    }
    const model = first(primary, 'model');
    const type = model?.attributes.type ?? '?';
    if (type !== 'virtio') this.note('video', `the video card ${show(type)} would become virtio (the default Hostdeck uses for consoles)`);
    else {
      const extras = model ? extraAttributes(model, { type: null, heads: '1', primary: 'yes' }) : [];
      if (extras.length > 0) this.note('video', `video settings ${extras.join(', ')} are not kept`);
      const parts = model ? childElements(model) : [];
      if (parts.length > 0) this.note('video', `video settings ${parts.map((part) => tag(part)).join(', ')} are not kept`);
    }
    for (const part of childElements(primary)) {
      if (part.name !== 'model' && !LIBVIRT_ADDED.has(part.name)) this.note('video', `video settings ${tag(part)} are not kept`);
    }
    for (const extra of more) this.note('video', `the additional video card ${show(first(extra, 'model')?.attributes.type ?? '?')} would be dropped on deploy`);
  }

  private rng(device: XmlElement): boolean {
    const backend = first(device, 'backend');
    const ok = device.attributes.model === 'virtio' && Object.keys(device.attributes).length === 1 &&
      backend !== undefined && backend.attributes.model === 'random' && Object.keys(backend.attributes).length === 1 && text(backend) === '/dev/urandom' &&
      childElements(device).every((part) => part.name === 'backend' || LIBVIRT_ADDED.has(part.name));
    if (!ok) this.note('rng', `the random number generator ${tag(device)}${backend ? ` (backend ${show(text(backend) || backend.attributes.model || '?', 60)})` : ''} would become virtio from /dev/urandom`);
    return true;
  }
}

function diskTarget(disk: XmlElement): string {
  return first(disk, 'target')?.attributes.dev ?? '';
}

function hostdevSentence(device: XmlElement): string {
  const type = device.attributes.type ?? device.attributes.mode ?? '?';
  const source = first(device, 'source');
  if (type === 'pci') {
    const address = source ? first(source, 'address') : undefined;
    const hex = (value: string | undefined, width: number) => (value ?? '0').replace(/^0x/i, '').padStart(width, '0').toLowerCase();
    const at = address ? `${hex(address.attributes.domain, 4)}:${hex(address.attributes.bus, 2)}:${hex(address.attributes.slot, 2)}.${hex(address.attributes.function, 1).slice(-1)}` : '?';
    return `<hostdev> PCI passthrough ${at} is not managed by Hostdeck and would be dropped on deploy`;
  }
  if (type === 'usb') {
    const vendor = source ? first(source, 'vendor')?.attributes.id : undefined;
    const product = source ? first(source, 'product')?.attributes.id : undefined;
    const address = source ? first(source, 'address') : undefined;
    const what = vendor || product ? `${(vendor ?? '?').replace(/^0x/i, '')}:${(product ?? '?').replace(/^0x/i, '')}` : `bus ${address?.attributes.bus ?? '?'} device ${address?.attributes.device ?? '?'}`;
    return `<hostdev> USB passthrough ${what} is not managed by Hostdeck and would be dropped on deploy`;
  }
  return `<hostdev> ${show(type)} passthrough is not managed by Hostdeck and would be dropped on deploy`;
}

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
  if (typeof xml !== 'string' || xml.trim() === '') return { ok: false, reason: 'the domain XML is empty' };
  if (xml.length > IMPORT_XML_MAX) return { ok: false, reason: `the domain XML is larger than ${IMPORT_XML_MAX} characters` };
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    return { ok: false, reason: `the domain XML is not well-formed: ${(error as Error).message}` };
  }
  return new Importer(root, host, options).run();
}

/** The folder a file lies in ("/" for a file at the top). */
function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** A pool name for a folder of image files: its path as a name ("/srv/vm images" → "srv-vm-images"). */
export function poolNameForFolder(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9_.+-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '').slice(0, 56);
  return name === '' ? 'images' : name;
}

function freeName(wanted: string, taken: (name: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

/**
 * Which pool holds a file disk: one of the host spec's, one the host's libvirt
 * knows (a need), or a new one for its folder (a need, `folder: true`) —
 * or none, when the file or its folder is a system folder or "/".
 */
export function filePool(
  path: string,
  host: Pick<HostSpec, 'storagePools'>,
  poolPaths: ImportOptions['poolPaths'],
  needs: Pick<HostNeeds, 'storagePools'> = { storagePools: [] },
): { kind: 'known'; pool: string; folder: string } | { kind: 'need'; need: HostNeeds['storagePools'][number] } | { kind: 'forbidden'; reason: string } {
  const forbidden = forbiddenFolderProblem(path);
  if (forbidden) return { kind: 'forbidden', reason: `it lies in a system folder (${forbidden})` };
  const own = poolHolding(host.storagePools, path);
  if (own) return { kind: 'known', pool: own.name, folder: own.path };
  const pending = poolHolding(needs.storagePools.filter((pool): pool is { name: string; path: string } => pool.path !== undefined), path);
  if (pending) return { kind: 'known', pool: pending.name, folder: pending.path };
  const entries: [string, string][] = poolPaths === undefined ? [] : poolPaths instanceof Map ? [...poolPaths] : Object.entries(poolPaths);
  const discovered = poolHolding(
    entries
      .filter(([name, folder]) => !host.storagePools.some((pool) => pool.name === name) && objectName.safeParse(name).success && absolutePath.safeParse(folder).success && !forbiddenFolderProblem(folder))
      .map(([name, folder]) => ({ name, path: folder })),
    path,
  );
  if (discovered) return { kind: 'need', need: { name: discovered.name, path: discovered.path } };
  const folder = folderOf(path);
  const folderProblem = forbiddenFolderProblem(folder);
  if (folderProblem) return { kind: 'forbidden', reason: `its folder cannot become a storage pool (${folderProblem})` };
  const taken = (name: string) => host.storagePools.some((pool) => pool.name === name) || needs.storagePools.some((pool) => pool.name === name) || entries.some(([known]) => known === name);
  return { kind: 'need', need: { name: freeName(poolNameForFolder(folder), taken), path: folder, folder: true } };
}

/**
 * The host spec with what an import needs added: bridges (without an uplink),
 * NICs, libvirt networks, and storage pools whose folder is known. Pools
 * without a path are returned in `unresolved` (ask `virsh pool-dumpxml`).
 */
export function applyHostNeeds(host: HostSpec, needs: HostNeeds): { host: HostSpec; unresolved: string[] } {
  const bridges = [...host.network.bridges];
  for (const bridge of needs.bridges) if (!bridges.some((candidate) => candidate.name === bridge)) bridges.push({ name: bridge, stp: false });
  const nics = [...host.network.nics];
  for (const nic of needs.nics) if (!nics.includes(nic) && !host.network.bonds.some((bond) => bond.name === nic)) nics.push(nic);
  const libvirtNetworks = [...host.network.libvirtNetworks];
  for (const network of needs.libvirtNetworks) if (!libvirtNetworks.includes(network)) libvirtNetworks.push(network);
  const storagePools = [...host.storagePools];
  const unresolved: string[] = [];
  for (const pool of needs.storagePools) {
    if (storagePools.some((candidate) => candidate.name === pool.name)) continue;
    if (pool.path === undefined) unresolved.push(pool.name);
    else storagePools.push({ name: pool.name, type: 'dir', path: pool.path });
  }
  return { host: { ...host, network: { ...host.network, bridges, nics, libvirtNetworks }, storagePools }, unresolved };
}

/** hostNeeds of several imports together (each name once, first path wins). */
export function mergeHostNeeds(all: readonly HostNeeds[]): HostNeeds {
  const out: HostNeeds = { bridges: [], nics: [], libvirtNetworks: [], storagePools: [] };
  for (const needs of all) {
    for (const key of ['bridges', 'nics', 'libvirtNetworks'] as const) for (const name of needs[key]) if (!out[key].includes(name)) out[key].push(name);
    for (const pool of needs.storagePools) {
      if (pool.folder && pool.path !== undefined) {
        // A pool Hostdeck named after a folder: one per folder, renamed when another pool took its name.
        if (out.storagePools.some((candidate) => candidate.path === pool.path)) continue;
        out.storagePools.push({ ...pool, name: freeName(pool.name, (name) => out.storagePools.some((candidate) => candidate.name === name) || all.some((other) => other.storagePools.some((candidate) => !candidate.folder && candidate.name === name))) });
        continue;
      }
      const known = out.storagePools.find((candidate) => candidate.name === pool.name);
      if (!known) out.storagePools.push({ ...pool });
      else if (known.path === undefined && pool.path !== undefined) known.path = pool.path;
    }
  }
  return out;
}
