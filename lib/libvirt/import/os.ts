// lib/libvirt/import/os — <os>: machine type, firmware and boot.
//
// Owns: the machine type Hostdeck can name (q35 / pc, or their versioned
// forms; anything else refuses the domain), BIOS or UEFI (libvirt's automatic
// firmware selection; Secure Boot, firmware features, an explicit loader or a
// variable store elsewhere are reported), and boot: Hostdeck boots from the
// first disk, so other boot orders, a boot menu and direct kernel boot are
// reported. Architecture and hvm are checked in ./index.
import { childElements, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT, REFUSED } from './not-kept';
import { all, first, text } from './xml';

/** The machine type for the spec, or why the domain cannot be imported. */
export function importMachine(ctx: ImportContext, name: string, osType: XmlElement): string | { ok: false; reason: string } {
  const machine = osType.attributes.machine;
  if (machine === undefined) return 'pc';
  if (/^(?:q35|pc|pc-q35-\d{1,2}\.\d{1,2}|pc-i440fx-\d{1,2}\.\d{1,2})$/.test(machine)) return machine;
  if (/^pc-q35-/.test(machine) || machine === 'q35') {
    ctx.note('machine', NOT_KEPT.os.machine(machine, 'q35'));
    return 'q35';
  }
  if (/^pc-i440fx-|^pc-/.test(machine)) {
    ctx.note('machine', NOT_KEPT.os.machine(machine, 'pc'));
    return 'pc';
  }
  return { ok: false, reason: REFUSED.machine(name, machine) };
}

/** A UEFI variable store away from libvirt's default path is lost on redefine. */
function noteNvram(ctx: ImportContext, name: string, os: XmlElement): void {
  const nvramPath = text(first(os, 'nvram'));
  if (nvramPath !== '' && !nvramPath.endsWith(`/${name}_VARS.fd`)) ctx.note('firmware', NOT_KEPT.os.nvramPath(nvramPath));
}

export function importFirmware(ctx: ImportContext, name: string, os: XmlElement): 'bios' | 'uefi' {
  const declared = os.attributes.firmware;
  const loader = first(os, 'loader');
  if (declared === 'efi') {
    if (loader?.attributes.secure === 'yes') ctx.note('firmware', NOT_KEPT.os.secureBoot);
    const features = first(os, 'firmware');
    if (features && childElements(features).length > 0) {
      const list = childElements(features)
        .map((feature) => `${feature.attributes.name ?? '?'}=${feature.attributes.enabled ?? '?'}`)
        .join(', ');
      ctx.note('firmware', NOT_KEPT.os.firmwareFeatures(list));
    }
    noteNvram(ctx, name, os);
    return 'uefi';
  }
  if (declared !== undefined) {
    ctx.note('firmware', NOT_KEPT.os.firmwareAttribute(declared));
    return 'bios';
  }
  if (loader && (loader.attributes.type === 'pflash' || /OVMF|edk2|\.fd$/i.test(text(loader)))) {
    ctx.note('firmware', NOT_KEPT.os.explicitUefiLoader(text(loader)));
    noteNvram(ctx, name, os);
    return 'uefi';
  }
  if (loader) ctx.note('firmware', NOT_KEPT.os.customLoader(text(loader)));
  return 'bios';
}

/** Boot order and the rest of <os> (type, loader, nvram and firmware are read above). */
export function importBoot(ctx: ImportContext, os: XmlElement): void {
  const boots = all(os, 'boot');
  const bootDevs = boots.map((boot) => boot.attributes.dev ?? '?');
  if (boots.length > 0 && !(boots.length === 1 && bootDevs[0] === 'hd')) ctx.note('boot order', NOT_KEPT.os.bootOrder(bootDevs));
  for (const child of childElements(os)) {
    switch (child.name) {
      case 'type':
      case 'boot':
      case 'loader':
      case 'nvram':
      case 'firmware':
        break;
      case 'bootmenu':
        ctx.note(['boot order', 'firmware'], child.attributes.enable === 'yes' ? NOT_KEPT.os.bootMenu : NOT_KEPT.os.element(child));
        break;
      case 'kernel':
      case 'initrd':
      case 'cmdline':
      case 'dtb':
        ctx.note(['boot order', 'firmware'], NOT_KEPT.os.directKernel(child.name, text(child)));
        break;
      default:
        ctx.note(['boot order', 'firmware'], NOT_KEPT.os.other(child));
    }
  }
}
