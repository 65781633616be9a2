// lib/libvirt/import/memory — <memory>, <currentMemory>, <maxMemory>,
// <memoryBacking> and the memory balloon device.
//
// Owns: reporting what of a domain's memory setup Hostdeck does not keep (the
// size itself is read in ./index, where it can refuse the domain): a balloon
// target below the maximum, hot-plug, hugepages and other backing, a balloon
// that is off or not libvirt's default.
import type { VmSpec } from '@/lib/spec';
import { memoryKiB } from '../normalize';
import { childElements, ownText, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import { extraAttributes, LIBVIRT_ADDED } from './xml';

/** <memory>: the size is read in ./index; here only attributes other than `unit`. */
export function importMemory(ctx: ImportContext, element: XmlElement): void {
  for (const extra of extraAttributes(element, { unit: null })) ctx.note('memory', NOT_KEPT.memory.attribute(extra));
}

export function importCurrentMemory(ctx: ImportContext, element: XmlElement, memory: XmlElement, vm: VmSpec): void {
  const current = memoryKiB(element);
  if (current !== memoryKiB(memory)) ctx.note('memory', NOT_KEPT.memory.balloonTarget(Math.round(current / 1024), vm.memoryMiB));
}

export function importMaxMemory(ctx: ImportContext, element: XmlElement): void {
  ctx.note('memory', NOT_KEPT.memory.hotplug(ownText(element).trim(), element.attributes.unit ?? 'KiB', element.attributes.slots ?? '?'));
}

export function importMemoryBacking(ctx: ImportContext, element: XmlElement): void {
  ctx.carry('domain', element, 'memory', NOT_KEPT.memory.backing(childElements(element).map((part) => part.name)));
}

/** <memballoon>: libvirt adds a virtio balloon to every domain; anything else is noted. */
export function importMemballoon(ctx: ImportContext, device: XmlElement): void {
  if (device.attributes.model === 'none') ctx.carry('devices', device, 'memballoon', NOT_KEPT.memory.balloonOff);
  else if (
    device.attributes.model !== 'virtio' ||
    extraAttributes(device, { model: null }).length > 0 ||
    childElements(device).some((part) => !LIBVIRT_ADDED.has(part.name))
  ) {
    ctx.carry('devices', device, 'memballoon', NOT_KEPT.memory.balloonSettings(device));
  }
}
