// lib/libvirt/import/cpu — <vcpu>, <vcpus>, <cputune> and <cpu>.
//
// Owns: what of a domain's CPU setup Hostdeck does not keep (the vCPU count
// is read in ./index). Hostdeck renders host-passthrough for KVM guests and
// no <cpu> for TCG guests (QEMU's qemu64), all vCPUs present and unpinned;
// any other mode, model, topology, feature or tuning is reported.
import type { DomainType } from '../domain-xml';
import { childElements, ownText, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import { extraAttributes, first, text } from './xml';

export function importVcpu(ctx: ImportContext, element: XmlElement): void {
  const count = ownText(element).trim();
  const extras = extraAttributes(element, { placement: 'static', current: count });
  if (extras.length > 0) ctx.note('vcpus', NOT_KEPT.cpu.vcpuSettings(extras, count));
}

export function importVcpus(ctx: ImportContext): void {
  ctx.note('vcpus', NOT_KEPT.cpu.vcpusHotplug);
}

export function importCputune(ctx: ImportContext, element: XmlElement): void {
  ctx.note('vcpus', NOT_KEPT.cpu.tuning(childElements(element).map((part) => part.name)));
}

/** A KVM domain without <cpu> gets QEMU's default model today, host-passthrough once Hostdeck defines it. */
export function importMissingCpu(ctx: ImportContext, domainType: DomainType): void {
  if (domainType === 'kvm') ctx.note('cpu', NOT_KEPT.cpu.noCpu);
}

export function importCpu(ctx: ImportContext, cpu: XmlElement, domainType: DomainType): void {
  const mode = cpu.attributes.mode ?? 'custom';
  const parts = childElements(cpu);
  const model = first(cpu, 'model');
  const modelName = model === undefined ? undefined : text(model);
  if (domainType === 'qemu') {
    const defaultTcg =
      mode === 'custom' &&
      model !== undefined &&
      text(model) === 'qemu64' &&
      parts.every((part) => part.name === 'model' || part.name === 'feature');
    if (!defaultTcg) ctx.note('cpu', NOT_KEPT.cpu.tcg(cpu, modelName));
    return;
  }
  if (mode !== 'host-passthrough') ctx.note('cpu', NOT_KEPT.cpu.mode(mode, modelName));
  else {
    const extras = extraAttributes(cpu, { mode: null, check: ['none', 'partial'], migratable: 'on' });
    if (extras.length > 0) ctx.note('cpu', NOT_KEPT.cpu.settings(extras));
  }
  for (const part of parts) {
    if (part.name === 'model' && mode !== 'host-passthrough') continue;
    if (part.name === 'topology') {
      const topology = ['sockets', 'dies', 'clusters', 'cores', 'threads']
        .filter((key) => part.attributes[key] !== undefined)
        .map((key) => `${key}=${part.attributes[key]}`)
        .join(' ');
      ctx.note('cpu', NOT_KEPT.cpu.topology(topology));
    } else if (part.name === 'feature') {
      ctx.note('cpu', NOT_KEPT.cpu.feature(part.attributes.name ?? '?', part.attributes.policy ?? 'require'));
    } else {
      ctx.note('cpu', NOT_KEPT.cpu.other(part));
    }
  }
}
