// lib/libvirt/import/not-kept — every sentence the import says to an operator.
//
// Owns: the wording of what an import reports, in one table, so that a
// sentence lives in exactly one place: REFUSED — why no VM can be made from a
// domain at all (ImportResult.reason); NOT_KEPT — what the spec cannot express
// and what would change on the next deploy (ImportResult.unsupported), by
// libvirt section. The section modules decide *when* to say something; this
// table decides *how*. Values from the domain are quoted with show() and start
// tags written with tag() (./xml), never pasted raw.
//
// Tests and the UI match some of these sentences literally; change the words
// here and there together.
import {
  DESCRIPTION_MAX,
  DISK_GIB_MAX,
  DISKS_MAX,
  INTERFACES_MAX,
  MEMORY_MIB_MAX,
  MEMORY_MIB_MIN,
  SEED_DIR,
  TAG_MAX,
  TAGS_MAX,
  USER_DATA_MAX,
  VCPUS_MAX,
} from '@/lib/spec';
import { GRAPHICS_LISTEN_ADDRESS } from '../domain-xml';
import type { XmlElement } from '../xml-tree';
import { show, tag, tags, text } from './xml';

/** Why a domain cannot be imported at all. */
export const REFUSED = {
  empty: 'the domain XML is empty',
  tooLarge: (max: number) => `the domain XML is larger than ${max} characters`,
  notWellFormed: (message: string) => `the domain XML is not well-formed: ${message}`,
  notADomain: (root: string) => `expected a <domain> document, found <${root}>`,
  domainType: (type: string) => `domain type ${show(type)} is not supported: Hostdeck manages KVM and QEMU (TCG) guests only`,
  noName: 'the domain has no <name> (or more than one)',
  badName: (name: string, suggestion: string | null) =>
    `the domain name ${show(name, 80)} is not a valid Hostdeck VM name (1-63 characters: lowercase letters, digits and hyphens, ` +
    `starting with a letter and not ending with a hyphen); rename the domain on the host first` +
    (suggestion ? `, e.g. to ${suggestion} (virsh domrename)` : ''),
  noUuid: (name: string) => `domain ${name} has no <uuid>`,
  badUuid: (name: string, uuid: string) => `domain ${name} has an invalid UUID ${show(uuid, 60)}`,
  notHvm: (name: string) => `domain ${name} is not a hardware-virtualised (hvm) guest`,
  arch: (name: string, arch: string) => `domain ${name} is an ${show(arch)} guest; Hostdeck renders x86_64 guests only`,
  noMemory: (name: string) => `domain ${name} has no <memory>`,
  unreadableMemory: (name: string, raw: string) => `domain ${name} has an unreadable <memory> ${show(raw)}`,
  memoryRange: (name: string, mib: number) =>
    `domain ${name} has ${mib} MiB of memory; Hostdeck allows ${MEMORY_MIB_MIN} MiB to ${MEMORY_MIB_MAX} MiB`,
  vcpuRange: (name: string, raw: string) => `domain ${name} has ${show(raw)} vCPUs; Hostdeck allows 1 to ${VCPUS_MAX}`,
  machine: (name: string, machine: string) =>
    `domain ${name} uses machine type ${show(machine)}; Hostdeck supports q35 and pc (i440fx) guests only`,
  notASpec: (name: string, issues: string[]) => `domain ${name} could not be expressed as a VM spec: ${issues.join('; ')}`,
} as const;

/** The generic sentence: something Hostdeck does not manage at all. */
function dropped(what: string): string {
  return `${what} is not managed by Hostdeck and would be dropped on deploy`;
}

/** How a disk is named in sentences: its target and where its data lives. */
function diskLabel(dev: string, where: string | undefined): string {
  return `${dev || '?'}${where ? ` (${show(where)})` : ''}`;
}

/** How an interface is named in sentences: its MAC, or its type when it has none. */
function nicLabel(mac: string, type: string): string {
  return `interface ${mac !== '' ? mac : show(type)}`;
}

/** What is not kept.
 * Sections follow the modules of ./ (cpu, memory, os, …); `dropped` is the
 * generic sentence for anything Hostdeck does not manage at all. */
export const NOT_KEPT = {
  dropped,

  domain: {
    attribute: (extra: string) => `the <domain> attribute ${extra} is not kept`,
    element: (element: XmlElement) => dropped(tag(element)),
    unmanagedRefused: (element: XmlElement, problem: string) =>
      `${tag(element)} cannot be kept as unmanaged XML (${problem}) and would be dropped on deploy`,
    noDevices: 'the domain has no <devices>; Hostdeck would add its default devices (RNG)',
    tagsMetadata:
      'the first plan shows a change of tags: Hostdeck marks the domain with its own, empty metadata element (<hostdeck:vm>); nothing changes for the guest',
    unexplained: (categories: string[]) =>
      `the definition Hostdeck would deploy differs from the domain in ${categories.join(', ')} in a way the import cannot describe; compare the two XML files before adopting the VM`,
  },

  metadata: {
    title: (title: string) => `the title ${show(title, 80)} is not kept (Hostdeck keeps a description only)`,
    descriptionCharacters: 'the description contains characters XML cannot carry; they would be stored as visible symbols',
    descriptionLength: (length: number) => `the description is ${length} characters long; Hostdeck keeps the first ${DESCRIPTION_MAX}`,
    unknownHostdeckItem: (item: XmlElement) =>
      `${tag(item)} in Hostdeck's metadata is not known to this version and would be dropped on deploy`,
    emptyTag: 'an empty tag would be dropped',
    longTag: (value: string) => `the tag ${show(value, 40)} is longer than ${TAG_MAX} characters and would be dropped`,
    tooManyTags: (value: string) => `only ${TAGS_MAX} tags are kept; the tag ${show(value, 40)} would be dropped`,
    tagCharacters: (value: string) =>
      `the tag ${show(value, 40)} contains characters XML cannot carry; they would be stored as visible symbols`,
    libosinfo: (element: string, osId: string | undefined) =>
      `the libosinfo OS id${osId ? ` ${show(osId, 80)}` : ''} (<${element}>) is not kept by Hostdeck and would be dropped on deploy`,
    other: (element: string, namespace: string | null) =>
      `the metadata <${element}>${namespace === null ? '' : ` (${namespace})`} is not kept by Hostdeck and would be dropped on deploy`,
  },

  memory: {
    notWholeMiB: (kib: number, mib: number) => `memory of ${kib} KiB is not a whole number of MiB; it would become ${mib} MiB`,
    attribute: (extra: string) => `<memory ${extra}> is not kept`,
    balloonTarget: (currentMiB: number, maxMiB: number) =>
      `the balloon target <currentMemory> of ${currentMiB} MiB (below the ${maxMiB} MiB maximum) is not kept; the guest would get all its memory`,
    hotplug: (amount: string, unit: string, slots: string) =>
      `memory hot-plug (<maxMemory> ${show(amount)} ${unit}, ${slots} slots) is not supported and would be dropped on deploy`,
    backing: (kinds: string[]) =>
      dropped(`memory backing (${kinds.join(', ') || 'default'}${kinds.includes('hugepages') ? ': hugepages' : ''})`),
    balloonOff: "the memory balloon is turned off (<memballoon model='none'/>); on deploy libvirt would add a virtio balloon",
    balloonSettings: (device: XmlElement) =>
      `the memory balloon settings ${tag(device)} are not kept; libvirt's default virtio balloon would be used`,
  },

  cpu: {
    vcpuSettings: (extras: string[], count: string) =>
      `vCPU settings ${extras.join(', ')} are not kept (Hostdeck gives the guest all ${count} vCPUs, unpinned)`,
    vcpusHotplug: 'per-vCPU hot-plug settings (<vcpus>) are not supported and would be dropped on deploy',
    tuning: (parts: string[]) => dropped(`CPU tuning (<cputune>: ${parts.join(', ') || 'empty'}) such as pinning and shares`),
    noCpu: "the domain has no <cpu>; QEMU's default CPU model would become host-passthrough",
    tcg: (cpu: XmlElement, model: string | undefined) =>
      `the CPU definition ${tag(cpu)}${model !== undefined ? ` (model ${show(model, 40)})` : ''} would become QEMU's default CPU for TCG guests`,
    mode: (mode: string, model: string | undefined) =>
      `CPU mode ${show(mode)}${model !== undefined ? ` (model ${show(model, 40)})` : ''} would become host-passthrough`,
    settings: (extras: string[]) => `CPU settings ${extras.join(', ')} are not kept (Hostdeck uses plain host-passthrough)`,
    topology: (topology: string) => `the CPU topology (${topology}) is not managed by Hostdeck; QEMU's default topology would apply`,
    feature: (name: string, policy: string) => `the CPU feature ${show(name)} (${policy}) would be dropped`,
    other: (part: XmlElement) => dropped(`${tag(part)} in <cpu>`),
  },

  os: {
    machine: (machine: string, becomes: 'q35' | 'pc') =>
      `machine type ${show(machine)} is not one Hostdeck can name; it would become ${becomes} (libvirt picks the newest version)`,
    secureBoot: "UEFI Secure Boot (<loader secure='yes'>) is not managed by Hostdeck; the firmware would be selected without it",
    firmwareFeatures: (list: string) =>
      `UEFI firmware features (${list}) are not managed by Hostdeck; libvirt would select the firmware without them`,
    nvramPath: (path: string) =>
      `the UEFI variable store ${show(path)} is not at libvirt's default path; on deploy libvirt would start a fresh one (boot entries would be lost)`,
    firmwareAttribute: (declared: string) =>
      `<os firmware=${show(declared)}> is not kept; Hostdeck writes no firmware attribute for BIOS guests`,
    explicitUefiLoader: (loader: string) =>
      `the explicit UEFI loader ${show(loader)} would be replaced by libvirt's automatic firmware selection (<os firmware='efi'>)`,
    customLoader: (loader: string) => `the custom firmware loader ${show(loader)} is not kept`,
    bootOrder: (devs: string[]) => `boot order ${devs.join(', ')} would become "hd" (the first disk) only`,
    bootMenu: "the boot menu (<bootmenu enable='yes'>) would be turned off",
    element: (element: XmlElement) => `${tag(element)} is not kept`,
    directKernel: (element: string, value: string) =>
      `direct kernel boot (<${element}> ${show(value, 80)}) is not supported; the guest would boot from its first disk`,
    other: (element: XmlElement) => dropped(`${tag(element)} in <os>`),
  },

  platform: {
    missingFeature: (name: string) => `the domain has no <${name}/> feature; Hostdeck would turn it on`,
    feature: (feature: XmlElement) => {
      const detail =
        feature.name === 'hyperv'
          ? ' (Hyper-V enlightenments for Windows guests)'
          : feature.name === 'vmport'
            ? ' (VMware I/O port emulation)'
            : feature.name === 'smm'
              ? ' (System Management Mode)'
              : '';
      return dropped(`the feature ${tag(feature)}${detail}`);
    },
    clockOffset: (offset: string) => `the clock offset ${show(offset)} would become utc (Windows guests usually expect localtime)`,
    clockSettings: (extras: string[]) => `clock settings ${extras.join(', ')} are not kept`,
    timers: (timers: string[]) => `clock timers (${timers.join('; ')}) are not managed by Hostdeck; QEMU's defaults would apply`,
    lifecycle: (element: string, value: string, fallback: string | undefined) =>
      `<${element}>${value}</${element}> would become libvirt's default (${fallback})`,
    powerManagement: (settings: string[]) =>
      `guest power management (<pm>: ${settings.join(', ')}) is not managed by Hostdeck; libvirt's defaults would apply`,
    resource: dropped('the resource partition (<resource>)'),
    seclabel: (element: XmlElement) =>
      `the security label ${tag(element)} is not managed by Hostdeck; libvirt's default labelling would apply`,
  },

  devices: {
    emulator: (path: string) => `the custom emulator ${show(path)} would be replaced by the host's default QEMU`,
    device: (device: XmlElement) => dropped(`the device ${tag(device)}`),
    plainDevice: (extras: XmlElement[], device: XmlElement) => `${tags(extras)} in ${tag(device)} would be dropped`,
    input: (device: XmlElement) => dropped(`the input device ${tag(device)}`),
    tabletAdded: 'a USB tablet (for the console pointer) would be added',
    tabletDropped: 'the USB tablet would be dropped (the domain has no VNC or SPICE display)',
    audio: (device: XmlElement) => dropped(`the audio backend ${tag(device)}`),
    rng: (device: XmlElement, backend: string | undefined) =>
      `the random number generator ${tag(device)}${backend !== undefined ? ` (backend ${show(backend, 60)})` : ''} would become virtio from /dev/urandom`,
    secondRng: (device: XmlElement) => dropped(`a second random number generator ${tag(device)}`),
    rngAdded: 'a virtio random number generator (/dev/urandom) would be added',
    hostdevPci: (address: string) => dropped(`<hostdev> PCI passthrough ${address}`),
    hostdevUsb: (what: string) => dropped(`<hostdev> USB passthrough ${what}`),
    hostdevOther: (type: string) => dropped(`<hostdev> ${show(type)} passthrough`),
    redirdev: (device: XmlElement) =>
      dropped(`USB redirection ${tag(device)}${device.attributes.type === 'spicevmc' ? ' (over SPICE)' : ''}`),
    sound: (model: string) => dropped(`the sound card ${show(model)}`),
    filesystem: (source: string, targetDir: string | undefined) =>
      dropped(`the shared folder ${show(source)}${targetDir ? ` (tag ${show(targetDir)})` : ''}`),
    watchdog: (model: string, action: string) => dropped(`the watchdog ${show(model)} (action ${action})`),
    usbNone: "the domain has no USB controller (<controller type='usb' model='none'/>); on deploy libvirt would add its default one",
    usbModel: (model: string, expected: string) =>
      `the USB controller model ${show(model)} would be replaced by libvirt's default for the machine (${expected})`,
    usbSettings: (extras: string[]) => `USB controller settings ${extras.join(', ')} are not kept`,
    controller: (type: string, device: XmlElement) => dropped(`the ${show(type)} controller ${tag(device)}`),
    scsiUnused: (controller: XmlElement) => dropped(`the SCSI controller ${tag(controller)} (no SCSI disk uses it)`),
    scsiAdditional: (controller: XmlElement) => dropped(`the additional SCSI controller ${tag(controller)}`),
    scsiPlain: (controller: XmlElement) => `the SCSI controller ${tag(controller)} would become a plain virtio-scsi controller`,
    tpmBackend: (backendType: string, device: XmlElement) =>
      `the ${show(backendType)} TPM ${tag(device)} (e.g. the host's own TPM passed through) is not supported and would be dropped on deploy`,
    tpmModel: (model: string) => `the TPM model ${show(model)} would become tpm-crb (an emulated TPM 2.0)`,
    tpmVersion: (version: string) => `the TPM version ${show(version)} would become 2.0 (the guest's TPM state would not carry over)`,
    tpmSettings: (list: string) => `TPM emulator settings ${list} are not kept`,
  },

  disks: {
    label: diskLabel,
    tooMany: (dev: string) => `only ${DISKS_MAX} disks are kept; disk ${show(dev)} would be detached`,
    renamed: (dev: string, becomes: string) => `disk ${show(dev)} would be attached as ${becomes} (Hostdeck names disks in order)`,
    cdrom: (label: string) =>
      `the cdrom ${label} is not managed by Hostdeck and would be dropped on deploy (only its own cloud-init seed is)`,
    device: (kind: string, label: string) => dropped(`the ${show(kind)} device ${label}`),
    type: (type: string, label: string) =>
      `the ${show(type)} disk ${label} cannot be expressed (Hostdeck manages pool volumes and image files) and would be detached on deploy`,
    noSource: (label: string) => `the disk ${label} has no source and would be detached on deploy`,
    noFormat: (label: string) => `the disk ${label} declares no format; Hostdeck would declare it raw`,
    format: (format: string, label: string) =>
      `the ${show(format)} disk ${label} cannot be expressed (Hostdeck manages qcow2 and raw disks) and would be detached on deploy`,
    driverOptions: (label: string, extras: string[]) =>
      `disk ${label}: driver options ${extras.join(', ')} (cache, I/O, discard, …) are not kept`,
    driverSettings: (label: string, parts: XmlElement[]) => `disk ${label}: driver settings ${tags(parts)} are not kept`,
    volumeNames: (label: string, pool: string, volume: string) =>
      `the disk ${label} is in pool ${show(pool)} volume ${show(volume)}, names Hostdeck cannot use; it would be detached on deploy`,
    poolInSystemFolder: (label: string, pool: string, problem: string) =>
      `the disk ${label} is not kept: its pool ${show(pool)} lies in a system folder (${problem}), which Hostdeck does not accept as a storage pool; it would be detached on deploy`,
    badPath: (label: string) =>
      `the disk ${label} has a path Hostdeck cannot use (it must be absolute and canonical, without control characters); it would be detached on deploy`,
    inSeedFolder: (label: string) =>
      `the disk ${label} is in ${SEED_DIR}, which Hostdeck reserves for cloud-init seeds; it would be detached on deploy`,
    outsidePools: (label: string, reason: string) =>
      `the disk ${label} is not kept: ${reason}; Hostdeck keeps disks only inside storage pool folders (move it into a pool on the host). It would be detached on deploy`,
    unsafe: (label: string, reason: string) => `the disk ${label} is not kept: on the host ${reason}; it would be detached on deploy`,
    sourceOptions: (label: string, extras: string[]) => `disk ${label}: source options ${extras.join(', ')} are not kept`,
    sourceSettings: (label: string, parts: XmlElement[]) => `disk ${label}: source settings ${tags(parts)} are not kept`,
    ide: (label: string) => `the IDE disk ${label} would be attached on the SATA bus (the guest may see a new device name)`,
    bus: (label: string, bus: string) =>
      `the disk ${label} on the ${show(bus)} bus cannot be expressed (Hostdeck uses virtio, sata and scsi) and would be detached on deploy`,
    targetOptions: (label: string, extras: string[]) => `disk ${label}: target options ${extras.join(', ')} are not kept`,
    part: (label: string, part: XmlElement) => {
      const what =
        part.name === 'boot'
          ? `the boot order ${show(part.attributes.order ?? '?')}`
          : part.name === 'serial'
            ? `the serial number ${show(text(part), 40)}`
            : part.name === 'readonly'
              ? 'read-only access'
              : part.name === 'shareable'
                ? 'sharing with other guests'
                : part.name === 'iotune'
                  ? 'I/O limits (<iotune>)'
                  : tag(part);
      return `disk ${label}: ${what} is not kept`;
    },
    sizeUnknown: (label: string) =>
      `the size of disk ${label} is not known; it is recorded as 1 GiB (used only if the disk is ever re-created; existing disks are never resized)`,
    sizeTooLarge: (label: string) => `disk ${label} is larger than ${DISK_GIB_MAX} GiB; it is recorded as ${DISK_GIB_MAX} GiB`,
  },

  seed: {
    second: (dev: string) => dropped(`a second cloud-init seed cdrom ${show(dev)}`),
    otherVm: (dev: string, path: string, own: string) =>
      `the cdrom ${show(dev)} holds ${show(path)}, the cloud-init seed of another VM name (this VM's would be ${own}); it would be detached on deploy`,
    bus: (bus: string) => `bus ${show(bus)} (Hostdeck uses sata)`,
    target: (dev: string, expected: string) => `target ${show(dev)} (Hostdeck uses ${expected})`,
    format: (format: string) => `format ${show(format)}`,
    writable: 'writable',
    differs: (extras: string[]) => `the cloud-init seed cdrom differs from Hostdeck's: ${extras.join(', ')}`,
    userDataUnknown: (path: string) =>
      `the cloud-init seed ${path} is kept, but its user-data is not known to the import; enter it, or the seed would be rebuilt with empty user-data on deploy`,
    userDataRefused: `the given cloud-init user-data is not acceptable (at most ${USER_DATA_MAX} characters of text); it was left empty`,
  },

  interfaces: {
    label: nicLabel,
    tooMany: (mac: string) => `only ${INTERFACES_MAX} interfaces are kept; the interface with MAC ${mac} would be dropped`,
    type: (type: string, label: string) =>
      `the ${show(type)} ${label} cannot be expressed (Hostdeck uses bridges, macvtap on a host NIC and libvirt networks) and would be dropped on deploy`,
    noMac:
      'an interface without a MAC address cannot be imported (import what `virsh dumpxml` prints, which always has one); it would be dropped on deploy',
    badMac: (mac: string) => `the interface MAC ${show(mac)} is not a unicast MAC address; the interface would be dropped on deploy`,
    model: (label: string, model: string) =>
      `${label}: the NIC model ${show(model)} would become virtio (the guest needs virtio-net drivers)`,
    bridgeName: (label: string, bridge: string) =>
      `${label} is on the bridge ${show(bridge)}, a name Hostdeck cannot use; it would be dropped on deploy`,
    nicName: (label: string, dev: string) =>
      `${label} uses the host NIC ${show(dev)}, a name Hostdeck cannot use; it would be dropped on deploy`,
    macvtapMode: (label: string, mode: string) => `${label}: macvtap mode ${show(mode)} would become bridge`,
    networkName: (label: string, network: string) =>
      `${label} is on the libvirt network ${show(network)}, a name Hostdeck cannot use; it would be dropped on deploy`,
    sourceOptions: (label: string, extras: string[]) => `${label}: source options ${extras.join(', ')} are not kept`,
    networkSourceOptions: (label: string, extras: string[]) =>
      `${label}: source options ${extras.join(', ')} (e.g. a port group) are not kept`,
    part: (label: string, part: XmlElement) => {
      const what =
        part.name === 'link'
          ? `the link state ${show(part.attributes.state ?? '?')} (the link would be up)`
          : part.name === 'vlan'
            ? 'VLAN tagging (<vlan>)'
            : part.name === 'virtualport'
              ? `the virtual port ${show(part.attributes.type ?? '?')} (e.g. Open vSwitch)`
              : part.name === 'bandwidth'
                ? 'bandwidth limits'
                : part.name === 'filterref'
                  ? `the traffic filter ${show(part.attributes.filter ?? '?')}`
                  : part.name === 'boot'
                    ? `the boot order ${show(part.attributes.order ?? '?')} (network boot)`
                    : part.name === 'driver'
                      ? `driver options ${tag(part)}`
                      : part.name === 'mtu'
                        ? `the MTU ${show(part.attributes.size ?? '?')}`
                        : tag(part);
      return `${label}: ${what} is not kept`;
    },
  },

  consoles: {
    additionalSerial: (device: XmlElement) => dropped(`the additional serial port ${tag(device)}`),
    serialNotPty: (device: XmlElement) =>
      `the serial port ${tag(device)} is not a pty; Hostdeck would attach its serial console on a pty instead`,
    serialPort: (port: string) => `the serial port ${port} would become port 0`,
    serialSettings: (extras: string[]) => `serial port settings ${extras.join(', ')} would become an ISA serial port`,
    serialPart: (part: XmlElement) =>
      `serial port: ${part.name === 'log' ? `the log file ${show(part.attributes.file ?? '?')}` : tag(part)} is not kept`,
    console: (targetType: string, device: XmlElement) => dropped(`the ${show(targetType)} console ${tag(device)}`),
    secondAgent: dropped('a second guest-agent channel'),
    agentMode: (mode: string) => `the guest-agent channel in ${show(mode)} mode would become a bound socket`,
    agentPath: (path: string) => `the guest-agent socket path ${show(path)} would become libvirt's default`,
    channel: (device: XmlElement, name: string | undefined) => {
      const what =
        device.attributes.type === 'spicevmc'
          ? 'the SPICE agent channel (clipboard sharing, display resizing)'
          : device.attributes.type === 'qemu-vdagent'
            ? 'the QEMU vdagent channel (clipboard sharing)'
            : `the channel ${tag(device)}${name ? ` (${show(name, 60)})` : ''}`;
      return dropped(what);
    },
  },

  graphics: {
    second: (type: string) => dropped(`a second ${type.toUpperCase()} display`),
    other: (type: string, device: XmlElement) => dropped(`the ${show(type)} display ${tag(device)}`),
    noListen: (label: string, listen: string | undefined) =>
      `the ${label} display ${listen ? `listens on ${show(listen)}` : 'has no listen address'}; Hostdeck would make it listen on ${GRAPHICS_LISTEN_ADDRESS} only`,
    listen: (label: string, listen: XmlElement) => {
      const where =
        listen.attributes.type === 'address' || listen.attributes.type === undefined
          ? listen.attributes.address === undefined
            ? "the host's default address (qemu.conf)"
            : show(listen.attributes.address)
          : `a ${show(listen.attributes.type)} listener`;
      return `the ${label} display listens on ${where}; Hostdeck would make it listen on ${GRAPHICS_LISTEN_ADDRESS} only (consoles go through SSH)`;
    },
    fixedPort: (label: string, port: string) => `the fixed ${label} port ${show(port)} would become an automatic one`,
    password: (label: string) => `the ${label} password would be removed (Hostdeck authenticates consoles with its own tickets)`,
    settings: (label: string, list: string) => `${label} settings ${list} are not kept`,
  },

  video: {
    noDisplay: (model: string) => `the ${show(model)} video card would be dropped (the domain has no VNC or SPICE display)`,
    added: 'a virtio video card would be added for the console',
    model: (type: string) => `the video card ${show(type)} is not a model Hostdeck knows and would become virtio`,
    settings: (list: string) => `video settings ${list} are not kept`,
    additional: (model: string) => `the additional video card ${show(model)} would be dropped on deploy`,
  },
} as const;
