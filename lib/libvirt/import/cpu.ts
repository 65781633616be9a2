// lib/libvirt/import/cpu — <vcpu>, <vcpus>, <cputune> and <cpu>.
//
// Owns: the CPU mode, model and topology (vm.cpu; the vCPU count is read in
// ./index). Without vm.cpu Hostdeck renders host-passthrough for KVM guests
// and no <cpu> for TCG guests (QEMU's qemu64), so such domains keep no
// vm.cpu. CPU tuning (<cputune>) is kept as unmanaged XML; CPU features,
// NUMA cells, cache and match modes other than exact are reported, as are
// hot-pluggable vCPUs.
import type { CpuSpec, VmSpec } from '@/lib/spec';
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
  ctx.carry('domain', element, 'vcpus', NOT_KEPT.cpu.tuning(childElements(element).map((part) => part.name)));
}

/** A KVM domain without <cpu> gets QEMU's default model today, host-passthrough once Hostdeck defines it. */
export function importMissingCpu(ctx: ImportContext, domainType: DomainType): void {
  if (domainType === 'kvm') ctx.note('cpu', NOT_KEPT.cpu.noCpu);
}

const MODES = ['host-passthrough', 'host-model', 'custom', 'maximum'] as const;

/** The <topology> as the spec's, when it accounts for every vCPU (else noted). */
function importTopology(ctx: ImportContext, part: XmlElement, vcpus: number): CpuSpec['topology'] | undefined {
  const read = (key: string, fallback?: number) => {
    const value = part.attributes[key];
    return value === undefined ? fallback : Number(value);
  };
  const topology = { sockets: read('sockets'), dies: read('dies', 1), cores: read('cores'), threads: read('threads') };
  const clusters = read('clusters', 1);
  const values = Object.values(topology);
  const text = ['sockets', 'dies', 'clusters', 'cores', 'threads']
    .filter((key) => part.attributes[key] !== undefined)
    .map((key) => `${key}=${part.attributes[key]}`)
    .join(' ');
  const whole = values.every((n) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= 4096);
  if (!whole || clusters !== 1 || values.reduce((a, b) => (a ?? 1) * (b ?? 1), 1) !== vcpus) {
    ctx.note('cpu', NOT_KEPT.cpu.topology(text));
    return undefined;
  }
  return topology as CpuSpec['topology'];
}

/** <cpu> into vm.cpu (see the header for what is kept and what is reported). */
export function importCpu(ctx: ImportContext, cpu: XmlElement, domainType: DomainType, vm: VmSpec): void {
  const modeText = cpu.attributes.mode ?? 'custom';
  const parts = childElements(cpu);
  const model = first(cpu, 'model');
  const modelName = model === undefined ? undefined : text(model);
  if (
    domainType === 'qemu' &&
    modeText === 'custom' &&
    modelName === 'qemu64' &&
    parts.every((part) => part.name === 'model' || part.name === 'feature')
  ) {
    return; // QEMU's default for TCG, what Hostdeck renders without vm.cpu
  }
  const mode = MODES.find((candidate) => candidate === modeText);
  if (mode === undefined) {
    ctx.note('cpu', NOT_KEPT.cpu.mode(modeText, modelName));
    return;
  }
  const spec: CpuSpec = { mode };
  const extras = extraAttributes(cpu, { mode: null, check: ['none', 'partial'], migratable: 'on', match: 'exact' });
  if (extras.length > 0) ctx.note('cpu', NOT_KEPT.cpu.settings(extras));
  for (const part of parts) {
    if (part.name === 'model') {
      if (mode !== 'custom') continue;
      const named = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(modelName ?? '') ? modelName : undefined;
      if (named === undefined || extraAttributes(part, { fallback: 'allow', vendor_id: null }).length > 0) {
        ctx.note('cpu', NOT_KEPT.cpu.mode(modeText, modelName));
      } else spec.model = named;
    } else if (part.name === 'topology') {
      const topology = importTopology(ctx, part, vm.vcpus);
      if (topology) spec.topology = topology;
    } else if (part.name === 'feature') {
      ctx.note('cpu', NOT_KEPT.cpu.feature(part.attributes.name ?? '?', part.attributes.policy ?? 'require'));
    } else {
      ctx.note('cpu', NOT_KEPT.cpu.other(part));
    }
  }
  if (mode === 'custom' && spec.model === undefined) return;
  // host-passthrough without a topology on KVM is Hostdeck's default: no vm.cpu.
  if (domainType === 'kvm' && mode === 'host-passthrough' && spec.topology === undefined) return;
  vm.cpu = spec;
}
