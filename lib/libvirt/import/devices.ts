// lib/libvirt/import/devices — <devices>: each device to its section, and the
// small devices that have no section of their own.
//
// Owns: walking the device list once (disks → ./disks, interfaces →
// ./interfaces, serial/console/channel → ./consoles, graphics and video →
// ./graphics, the balloon → ./memory), and deciding about the rest: the
// emulator, controllers (libvirt adds pci, sata, usb, …; Hostdeck renders one
// virtio-scsi controller when a disk is on scsi), input devices (vm.inputs,
// beyond the PS/2 pair libvirt adds), TPM (emulated 2.0, tpm-crb), the virtio
// RNG from /dev/urandom, audio. USB controllers, sound, watchdogs, USB
// redirection over SPICE, the SPICE agent channel and other devices the
// spec has no field for are kept as unmanaged XML when lib/spec's rules allow
// (./context carry); host devices, shared folders and anything refused are
// reported as dropped.
import { INPUTS_MAX, INTERFACES_MAX, type InputSpec, type VmSpec } from '@/lib/spec';
import { childElements, type XmlElement } from '../xml-tree';
import { importChannel, importConsole, importSerial } from './consoles';
import type { ImportContext } from './context';
import { importCdrom, importDisk, importSeed, placeDisks, seedKind, type ImportedCdrom, type ImportedDisk } from './disks';
import { importGraphics, importVideo } from './graphics';
import { importInterface } from './interfaces';
import { importMemballoon } from './memory';
import { NOT_KEPT } from './not-kept';
import type { HostNeeds } from './types';
import { diskTarget, extraAttributes, first, LIBVIRT_ADDED, tags, text } from './xml';

export function importDevices(ctx: ImportContext, devices: XmlElement, vm: VmSpec, needs: HostNeeds): void {
  const disks: ImportedDisk[] = [];
  const cdroms: ImportedCdrom[] = [];
  const inputs: InputSpec[] = [];
  let seed: XmlElement | null = null;
  let serials = 0;
  const videos: XmlElement[] = [];
  const scsiControllers: XmlElement[] = [];
  const graphicsSeen = { vnc: 0, spice: 0 };
  let rngOk = false;

  for (const device of childElements(devices)) {
    switch (device.name) {
      case 'emulator': {
        const path = text(device);
        if (!/\/(?:qemu-system-x86_64|qemu-kvm)$/.test(path)) ctx.note('emulator', NOT_KEPT.devices.emulator(path));
        break;
      }
      case 'disk': {
        const kind = device.attributes.device === 'cdrom' ? seedKind(ctx, device, vm.name) : 'none';
        if (kind === 'own') {
          if (seed !== null) ctx.note('cloud-init seed', NOT_KEPT.seed.second(diskTarget(device)));
          else seed = device;
          break;
        }
        if (kind === 'other') break;
        if (device.attributes.device === 'cdrom') {
          const cdrom = importCdrom(ctx, device, needs);
          if (cdrom) cdroms.push(cdrom);
          break;
        }
        const disk = importDisk(ctx, device, needs);
        if (disk) disks.push(disk);
        break;
      }
      case 'controller':
        if (device.attributes.type === 'scsi') scsiControllers.push(device);
        else importController(ctx, device, vm.machine);
        break;
      case 'interface': {
        const nic = importInterface(ctx, device, needs);
        if (nic) {
          if (vm.interfaces.length >= INTERFACES_MAX) ctx.note('interfaces', NOT_KEPT.interfaces.tooMany(nic.mac));
          else vm.interfaces.push(nic);
        }
        break;
      }
      case 'serial':
        serials++;
        if (serials === 1 && importSerial(ctx, device)) vm.serialConsole = true;
        else if (serials > 1) ctx.note('serial console', NOT_KEPT.consoles.additionalSerial(device));
        break;
      case 'console':
        importConsole(ctx, device);
        break;
      case 'channel':
        if (importChannel(ctx, device)) {
          if (vm.guestAgent) ctx.note('guest agent', NOT_KEPT.consoles.secondAgent);
          vm.guestAgent = true;
        }
        break;
      case 'input': {
        const { type, bus } = device.attributes;
        if ((type === 'mouse' || type === 'keyboard') && (bus ?? 'ps2') === 'ps2') break; // libvirt adds these
        const known =
          (type === 'tablet' || type === 'mouse' || type === 'keyboard') && (bus === 'usb' || bus === 'virtio' || bus === 'ps2');
        if (!known || extraAttributes(device, { type: null, bus: null }).length > 0 || inputs.length >= INPUTS_MAX) {
          ctx.note('input devices', NOT_KEPT.devices.input(device));
        } else if (plainDevice(ctx, device, 'input devices')) inputs.push({ type, bus });
        break;
      }
      case 'tpm':
        if (importTpm(ctx, device)) vm.tpm = true;
        break;
      case 'graphics': {
        const type = device.attributes.type;
        if (type === 'vnc' || type === 'spice') {
          graphicsSeen[type]++;
          if (graphicsSeen[type] > 1) ctx.note('graphics', NOT_KEPT.graphics.second(type));
          else {
            importGraphics(ctx, device, type, vm);
            vm.graphics[type] = true;
          }
        } else ctx.note('graphics', NOT_KEPT.graphics.other(type ?? '?', device));
        break;
      }
      case 'video':
        videos.push(device);
        break;
      case 'audio':
        if (device.attributes.type !== 'none' && device.attributes.type !== 'spice') ctx.note('audio', NOT_KEPT.devices.audio(device));
        break; // libvirt adds the one that goes with the display
      case 'memballoon':
        importMemballoon(ctx, device);
        break;
      case 'rng':
        if (rngOk) ctx.note('rng', NOT_KEPT.devices.secondRng(device));
        else if (importRng(ctx, device)) rngOk = true;
        break;
      case 'hostdev':
        ctx.note('host devices', hostdevSentence(device));
        break;
      case 'redirdev':
        ctx.carry('devices', device, 'redirdev', NOT_KEPT.devices.redirdev(device));
        break;
      case 'sound':
        ctx.carry('devices', device, 'sound', NOT_KEPT.devices.sound(device.attributes.model ?? '?'));
        break;
      case 'filesystem': {
        const source = first(device, 'source');
        ctx.note(
          'filesystems',
          NOT_KEPT.devices.filesystem(source?.attributes.dir ?? source?.attributes.file ?? '?', first(device, 'target')?.attributes.dir),
        );
        break;
      }
      case 'watchdog':
        ctx.carry(
          'devices',
          device,
          'watchdog',
          NOT_KEPT.devices.watchdog(device.attributes.model ?? '?', device.attributes.action ?? 'reset'),
        );
        break;
      default:
        ctx.carry('devices', device, device.name);
    }
  }

  const seedDev = placeDisks(ctx, disks, cdroms, vm);
  if (seed !== null) importSeed(ctx, seed, vm, seedDev);

  const scsiDisks = vm.disks.some((disk) => disk.bus === 'scsi');
  scsiControllers.forEach((controller, index) => {
    const plain =
      controller.attributes.model === 'virtio-scsi' &&
      (controller.attributes.index ?? '0') === '0' &&
      extraAttributes(controller, { type: null, index: null, model: null }).length === 0 &&
      childElements(controller).every((part) => LIBVIRT_ADDED.has(part.name));
    if (!scsiDisks) ctx.note('controllers', NOT_KEPT.devices.scsiUnused(controller));
    else if (index > 0) ctx.note('controllers', NOT_KEPT.devices.scsiAdditional(controller));
    else if (!plain) ctx.note('controllers', NOT_KEPT.devices.scsiPlain(controller));
  });

  const hasGraphics = vm.graphics.vnc || vm.graphics.spice;
  // Only an input list other than the default (a USB tablet with a display) is written into the spec.
  const isDefault = hasGraphics ? inputs.length === 1 && inputs[0]!.type === 'tablet' && inputs[0]!.bus === 'usb' : inputs.length === 0;
  if (!isDefault) vm.inputs = inputs;
  const video = importVideo(ctx, videos, hasGraphics);
  if (video !== null) vm.video = video;
  vm.rng = rngOk;
}

/** Whether a device has nothing beyond what libvirt adds (alias, address). */
function plainDevice(ctx: ImportContext, device: XmlElement, category: string): boolean {
  const extras = childElements(device).filter((part) => !LIBVIRT_ADDED.has(part.name));
  if (extras.length > 0) {
    ctx.note(category, NOT_KEPT.devices.plainDevice(extras, device));
    return false;
  }
  return true;
}

/** Controllers other than SCSI: libvirt adds what the machine needs; a USB controller is checked against its default. */
function importController(ctx: ImportContext, device: XmlElement, machine: string): void {
  const type = device.attributes.type;
  if (['pci', 'virtio-serial', 'sata', 'ide'].includes(type ?? '')) return; // added by libvirt as needed
  if (type === 'usb') {
    const model = device.attributes.model;
    if (model === 'none') {
      ctx.carry('devices', device, 'controllers', NOT_KEPT.devices.usbNone);
      return;
    }
    const expected = machine.startsWith('pc-q35') || machine === 'q35' ? 'qemu-xhci' : 'piix3-uhci';
    const extras = extraAttributes(device, { type: null, index: '0', model: null });
    const plain =
      (model === undefined || model === expected) &&
      extras.length === 0 &&
      childElements(device).every((part) => LIBVIRT_ADDED.has(part.name));
    // Anything but libvirt's default (another model, ports, the ich9 companions) is kept as it is.
    if (!plain)
      ctx.carry(
        'devices',
        device,
        'controllers',
        model !== undefined && model !== expected ? NOT_KEPT.devices.usbModel(model, expected) : NOT_KEPT.devices.usbSettings(extras),
      );
    return;
  }
  ctx.carry('devices', device, 'controllers', NOT_KEPT.devices.controller(type ?? '?', device));
}

/** Whether a <tpm> becomes the VM's emulated TPM 2.0 (a passed-through TPM does not). */
function importTpm(ctx: ImportContext, device: XmlElement): boolean {
  const backend = first(device, 'backend');
  const backendType = backend?.attributes.type ?? '?';
  if (backendType !== 'emulator') {
    ctx.note('tpm', NOT_KEPT.devices.tpmBackend(backendType, device));
    return false;
  }
  const model = device.attributes.model ?? 'tpm-tis';
  if (model !== 'tpm-crb') ctx.note('tpm', NOT_KEPT.devices.tpmModel(model));
  const version = backend?.attributes.version ?? '2.0';
  if (version !== '2.0') ctx.note('tpm', NOT_KEPT.devices.tpmVersion(version));
  const extras = backend ? extraAttributes(backend, { type: null, version: null }) : [];
  if (extras.length > 0) ctx.note('tpm', NOT_KEPT.devices.tpmSettings(extras.join(', ')));
  if (backend && childElements(backend).length > 0) ctx.note('tpm', NOT_KEPT.devices.tpmSettings(tags(childElements(backend))));
  return true;
}

/** An <rng>: always kept as virtio from /dev/urandom; any other source is noted. */
function importRng(ctx: ImportContext, device: XmlElement): boolean {
  const backend = first(device, 'backend');
  const ok =
    device.attributes.model === 'virtio' &&
    Object.keys(device.attributes).length === 1 &&
    backend !== undefined &&
    backend.attributes.model === 'random' &&
    Object.keys(backend.attributes).length === 1 &&
    text(backend) === '/dev/urandom' &&
    childElements(device).every((part) => part.name === 'backend' || LIBVIRT_ADDED.has(part.name));
  if (!ok) ctx.note('rng', NOT_KEPT.devices.rng(device, backend ? text(backend) || backend.attributes.model || '?' : undefined));
  return true;
}

/** The sentence for a passed-through host device, naming its PCI address or USB ids. */
function hostdevSentence(device: XmlElement): string {
  const type = device.attributes.type ?? device.attributes.mode ?? '?';
  const source = first(device, 'source');
  if (type === 'pci') {
    const address = source ? first(source, 'address') : undefined;
    const hex = (value: string | undefined, width: number) => (value ?? '0').replace(/^0x/i, '').padStart(width, '0').toLowerCase();
    const at = address
      ? `${hex(address.attributes.domain, 4)}:${hex(address.attributes.bus, 2)}:${hex(address.attributes.slot, 2)}.${hex(address.attributes.function, 1).slice(-1)}`
      : '?';
    return NOT_KEPT.devices.hostdevPci(at);
  }
  if (type === 'usb') {
    const vendor = source ? first(source, 'vendor')?.attributes.id : undefined;
    const product = source ? first(source, 'product')?.attributes.id : undefined;
    const address = source ? first(source, 'address') : undefined;
    const what =
      vendor || product
        ? `${(vendor ?? '?').replace(/^0x/i, '')}:${(product ?? '?').replace(/^0x/i, '')}`
        : `bus ${address?.attributes.bus ?? '?'} device ${address?.attributes.device ?? '?'}`;
    return NOT_KEPT.devices.hostdevUsb(what);
  }
  return NOT_KEPT.devices.hostdevOther(type);
}
