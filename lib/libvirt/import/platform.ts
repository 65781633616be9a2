// lib/libvirt/import/platform — <features>, <clock>, lifecycle actions
// (<on_poweroff>, <on_reboot>, <on_crash>), <pm>, <resource> and <seclabel>.
//
// Owns: the machine-wide settings Hostdeck renders by default — ACPI and APIC
// on, the clock in UTC with QEMU's timers, libvirt's default lifecycle
// actions, no power management settings, the default resource partition and
// security labelling. A domain that sets features, clock, lifecycle actions
// or power management otherwise keeps them as unmanaged XML (the whole
// element); resource partitions and security labels are reported.
import { childElements, ownText, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import { extraAttributes, first, text } from './xml';

const DEFAULT_LIFECYCLE: Record<string, string> = { on_poweroff: 'destroy', on_reboot: 'restart', on_crash: 'destroy' };

/** <features>: only ACPI and APIC, plain, is Hostdeck's default; anything else is kept whole. */
export function importFeatures(ctx: ImportContext, features: XmlElement): void {
  const names = childElements(features).map((feature) => feature.name);
  const plain =
    names.length === 2 &&
    names.includes('acpi') &&
    names.includes('apic') &&
    childElements(features).every(
      (feature) => Object.keys(feature.attributes).length === 0 && feature.children.every((c) => typeof c === 'string' && c.trim() === ''),
    );
  if (plain) return;
  if (ctx.carry('domain', features, 'features')) return;
  for (const wanted of ['acpi', 'apic']) {
    if (!names.includes(wanted)) ctx.note('features', NOT_KEPT.platform.missingFeature(wanted));
  }
  for (const feature of childElements(features)) {
    if (!['acpi', 'apic'].includes(feature.name)) ctx.note('features', NOT_KEPT.platform.feature(feature));
  }
}

/** <clock>: UTC without timers is Hostdeck's default; any other clock is kept whole. */
export function importClock(ctx: ImportContext, clock: XmlElement): void {
  const offset = clock.attributes.offset ?? 'utc';
  const extras = extraAttributes(clock, { offset: null });
  if (offset === 'utc' && extras.length === 0 && childElements(clock).length === 0) return;
  if (ctx.carry('domain', clock, 'clock')) return;
  if (offset !== 'utc') ctx.note('clock', NOT_KEPT.platform.clockOffset(offset));
  if (extras.length > 0) ctx.note('clock', NOT_KEPT.platform.clockSettings(extras));
  const timers = childElements(clock).map((timer) => {
    const settings = Object.entries(timer.attributes)
      .filter(([key]) => key !== 'name')
      .map(([key, value]) => `${key}=${value}`);
    return `${timer.attributes.name ?? timer.name}${settings.length ? ` ${settings.join(' ')}` : ''}`;
  });
  if (timers.length > 0) ctx.note('clock', NOT_KEPT.platform.timers(timers));
}

/** <on_poweroff>, <on_reboot>, <on_crash>: libvirt's defaults are what Hostdeck writes (none); others are kept. */
export function importLifecycle(ctx: ImportContext, element: XmlElement): void {
  const value = ownText(element).trim();
  if (value !== DEFAULT_LIFECYCLE[element.name])
    ctx.carry('domain', element, 'lifecycle', NOT_KEPT.platform.lifecycle(element.name, value, DEFAULT_LIFECYCLE[element.name]));
}

export function importPowerManagement(ctx: ImportContext, pm: XmlElement): void {
  if (childElements(pm).length === 0) return;
  ctx.carry(
    'domain',
    pm,
    'power management',
    NOT_KEPT.platform.powerManagement(childElements(pm).map((part) => `${part.name}=${part.attributes.enabled ?? '?'}`)),
  );
}

/** <resource>: only libvirt's default partition (/machine) is silent. */
export function importResource(ctx: ImportContext, resource: XmlElement): void {
  if (!(childElements(resource).length === 1 && text(first(resource, 'partition')) === '/machine'))
    ctx.note('resource', NOT_KEPT.platform.resource);
}

/** <seclabel>: only libvirt's dynamic labelling with relabelling is silent. */
export function importSeclabel(ctx: ImportContext, seclabel: XmlElement): void {
  if (seclabel.attributes.type !== 'dynamic' || seclabel.attributes.relabel === 'no')
    ctx.note('seclabel', NOT_KEPT.platform.seclabel(seclabel));
}
