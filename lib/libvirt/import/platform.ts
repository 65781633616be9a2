// lib/libvirt/import/platform — <features>, <clock>, lifecycle actions
// (<on_poweroff>, <on_reboot>, <on_crash>), <pm>, <resource> and <seclabel>.
//
// Owns: the machine-wide settings Hostdeck renders fixed — ACPI and APIC on,
// the clock in UTC with QEMU's timers, libvirt's default lifecycle actions,
// power management, resource partition and security labelling — and
// reporting any domain that sets them otherwise.
import { childElements, ownText, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import { extraAttributes, first, text } from './xml';

const DEFAULT_LIFECYCLE: Record<string, string> = { on_poweroff: 'destroy', on_reboot: 'restart', on_crash: 'destroy' };

export function importFeatures(ctx: ImportContext, features: XmlElement): void {
  const names = childElements(features).map((feature) => feature.name);
  for (const wanted of ['acpi', 'apic']) {
    if (!names.includes(wanted)) ctx.note('features', NOT_KEPT.platform.missingFeature(wanted));
  }
  for (const feature of childElements(features)) {
    if (
      (feature.name === 'acpi' || feature.name === 'apic') &&
      Object.keys(feature.attributes).length === 0 &&
      childElements(feature).length === 0
    )
      continue;
    ctx.note('features', NOT_KEPT.platform.feature(feature));
  }
}

export function importClock(ctx: ImportContext, clock: XmlElement): void {
  const offset = clock.attributes.offset ?? 'utc';
  if (offset !== 'utc') ctx.note('clock', NOT_KEPT.platform.clockOffset(offset));
  const extras = extraAttributes(clock, { offset: null });
  if (extras.length > 0) ctx.note('clock', NOT_KEPT.platform.clockSettings(extras));
  const timers = childElements(clock).map((timer) => {
    const settings = Object.entries(timer.attributes)
      .filter(([key]) => key !== 'name')
      .map(([key, value]) => `${key}=${value}`);
    return `${timer.attributes.name ?? timer.name}${settings.length ? ` ${settings.join(' ')}` : ''}`;
  });
  if (timers.length > 0) ctx.note('clock', NOT_KEPT.platform.timers(timers));
}

/** <on_poweroff>, <on_reboot>, <on_crash>: Hostdeck writes none, so libvirt's defaults apply. */
export function importLifecycle(ctx: ImportContext, element: XmlElement): void {
  const value = ownText(element).trim();
  if (value !== DEFAULT_LIFECYCLE[element.name])
    ctx.note('lifecycle', NOT_KEPT.platform.lifecycle(element.name, value, DEFAULT_LIFECYCLE[element.name]));
}

export function importPowerManagement(ctx: ImportContext, pm: XmlElement): void {
  ctx.note(
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
