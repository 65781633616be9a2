// Adopting a host's existing domains: read every domain's inactive XML, whether
// it runs and starts at boot, pool folders and disk sizes (two SSH round trips
// of fixed scripts; names and paths from the host travel only as quoted
// arguments), turn each into a VM spec (lib/hosts/import-domain), add what the
// VMs use to the host spec, and save them. Domains Hostdeck already manages are
// left alone; what the spec cannot express is reported per VM. The domains' XML
// as found is recorded as the deployed baseline (a deployment of kind `import`),
// so the first plan compares the spec with what really runs: unchanged where the
// spec says it all, the listed differences where it cannot.
import { getDb } from '@/lib/db';
import { exec, SshError, type SshTarget } from '@/lib/ssh';
import { childElements, filesHash, parseXml, vmXmlFile, type RenderedFile } from '@/lib/render';
import { deployedRevision } from '@/lib/hosts/configuration';
import type { HostSpec, VmSpec } from '@/lib/spec';
import { applyHostNeeds, importDomain, mergeHostNeeds, type HostNeeds } from '@/lib/hosts/import-domain';
import { saveHost, saveVm } from '@/lib/hosts/inventory';
import { OnboardingError, recordSshFailure } from '@/lib/hosts/onboarding';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';

const DISCOVER_SCRIPT = `
uri="$1"
section() { printf '\\n@@hostdeck:%s\\n' "$1"; }
for pool in $(virsh -c "$uri" pool-list --all --name); do
  section "pool:$pool"; virsh -c "$uri" pool-dumpxml "$pool" 2>/dev/null | sed -n 's:.*<path>\\(.*\\)</path>.*:\\1:p' | head -n 1
done
section running; virsh -c "$uri" list --state-running --uuid
section autostart; virsh -c "$uri" list --all --autostart --uuid
for uuid in $(virsh -c "$uri" list --all --uuid); do
  section "domain:$uuid"; virsh -c "$uri" dumpxml --inactive "$uuid"
done
section end
`;

/** Arguments: uri, then "pool" NAME VOLUME or "path" FILE, repeated; prints one capacity in bytes per disk. */
const SIZES_SCRIPT = `
uri="$1"; shift
while [ "$#" -ge 2 ]; do
  if [ "$1" = pool ]; then info=$(virsh -c "$uri" vol-info --bytes --pool "$2" "$3" 2>/dev/null); shift 3
  else info=$(virsh -c "$uri" vol-info --bytes "$2" 2>/dev/null); shift 2; fi
  printf '%s\\n' "$(printf '%s\\n' "$info" | sed -n 's/^Capacity: *\\([0-9]*\\) bytes$/\\1/p')"
done
`;

export type ImportReport = {
  /** `differences`: what the first plan will still show as changed (categories as in the plan); empty = unchanged. */
  imported: { id: string; name: string; unsupported: string[]; differences: string[] }[];
  skipped: { name: string; reason: string }[];
  hostAdditions: HostNeeds;
  unresolved: string[];
};

type Discovered = { pools: Map<string, string>; running: Set<string>; autostart: Set<string>; domains: { uuid: string; xml: string }[] };

export function parseDiscovery(output: string): Discovered {
  const found: Discovered = { pools: new Map(), running: new Set(), autostart: new Set(), domains: [] };
  let section = '';
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join('\n').trim();
    if (section.startsWith('pool:')) found.pools.set(section.slice(5), text);
    else if (section === 'running') text.split('\n').filter(Boolean).forEach((u) => found.running.add(u.trim()));
    else if (section === 'autostart') text.split('\n').filter(Boolean).forEach((u) => found.autostart.add(u.trim()));
    else if (section.startsWith('domain:')) found.domains.push({ uuid: section.slice(7), xml: text });
  };
  let ended = false;
  for (const line of output.split('\n')) {
    const marker = /^@@hostdeck:(.+)$/.exec(line);
    if (!marker) {
      lines.push(line);
      continue;
    }
    flush();
    section = marker[1]!;
    lines = [];
    if (section === 'end') ended = true;
  }
  if (!ended) throw new OnboardingError('Reading the domains was cut off; try again');
  return found;
}

type DiskRef = { key: string; args: string[] };

/** The disks of a domain XML that have a size to ask for: pool volumes and files. */
export function diskRefs(xml: string): DiskRef[] {
  const refs: DiskRef[] = [];
  const devices = childElements(parseXml(xml)).find((e) => e.name === 'devices');
  for (const disk of devices ? childElements(devices).filter((d) => d.name === 'disk' && d.attributes.device !== 'cdrom') : []) {
    const source = childElements(disk).find((e) => e.name === 'source');
    if (!source) continue;
    if (disk.attributes.type === 'volume' && source.attributes.pool && source.attributes.volume) {
      refs.push({ key: `${source.attributes.pool}/${source.attributes.volume}`, args: ['pool', source.attributes.pool, source.attributes.volume] });
    } else if (disk.attributes.type === 'file' && source.attributes.file) {
      refs.push({ key: source.attributes.file, args: ['path', source.attributes.file] });
    }
  }
  return refs;
}

async function volumeSizes(target: SshTarget, uri: string, refs: DiskRef[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (refs.length === 0) return sizes;
  const result = await exec(target, ['sh', '-c', SIZES_SCRIPT, 'hostdeck-sizes', uri, ...refs.flatMap((r) => r.args)], { timeoutMs: 60_000 });
  result.stdout.split('\n').slice(0, refs.length).forEach((bytes, i) => {
    if (/^\d+$/.test(bytes.trim())) sizes.set(refs[i]!.key, Number(bytes) / 1024 ** 3);
  });
  return sizes;
}

/** Imports every domain of the host that Hostdeck does not manage yet. */
export async function importHostDomains(hostId: string): Promise<ImportReport> {
  const db = getDb();
  const host = await db.host.findUnique({ where: { id: hostId } });
  if (!host) throw new OnboardingError('No such host');
  if (!host.hostKeyFingerprint || host.status === 'host_key_changed') throw new OnboardingError('Connect to the host (confirm its host key) before importing');
  const target = await sshTargetFor(host);
  let discovered: Discovered;
  let sizes: Map<string, number>;
  try {
    discovered = parseDiscovery((await exec(target, ['sh', '-c', DISCOVER_SCRIPT, 'hostdeck-discover', host.libvirtUri], { timeoutMs: 120_000 })).stdout);
    sizes = await volumeSizes(target, host.libvirtUri, discovered.domains.flatMap((d) => diskRefs(d.xml)));
  } catch (error) {
    if (error instanceof SshError) throw new OnboardingError(await recordSshFailure(hostId, error));
    throw error;
  }

  const existing = await db.vm.findMany({ where: { hostId }, select: { uuid: true, name: true } });
  const knownUuids = new Set(existing.map((v) => v.uuid.toLowerCase()));
  const knownNames = new Set(existing.map((v) => v.name));
  const report: ImportReport = { imported: [], skipped: [], hostAdditions: { bridges: [], nics: [], libvirtNetworks: [], storagePools: [] }, unresolved: [] };
  let hostSpec = host.spec as HostSpec;
  const candidates: { vm: VmSpec; unsupported: string[]; differences: string[]; needs: HostNeeds }[] = [];

  for (const domain of discovered.domains) {
    if (knownUuids.has(domain.uuid.toLowerCase())) continue;
    const result = importDomain(domain.xml, hostSpec, {
      running: discovered.running.has(domain.uuid),
      autostart: discovered.autostart.has(domain.uuid),
      volumeSizes: sizes,
      poolPaths: discovered.pools,
    });
    if (!result.ok) {
      report.skipped.push({ name: domain.uuid, reason: result.reason });
      continue;
    }
    if (knownNames.has(result.vm.name)) {
      report.skipped.push({ name: result.vm.name, reason: 'a VM with this name is already defined in Hostdeck for this host' });
      continue;
    }
    candidates.push({ vm: result.vm, unsupported: result.unsupported, differences: result.differences, needs: result.hostNeeds });
  }

  if (candidates.length > 0) {
    report.hostAdditions = mergeHostNeeds(candidates.map((c) => c.needs));
    const applied = applyHostNeeds(hostSpec, report.hostAdditions);
    report.unresolved = applied.unresolved;
    if (applied.host !== hostSpec) {
      const saved = await saveHost({ id: hostId, spec: applied.host });
      if (!saved.ok) throw new OnboardingError(`The host spec could not take what the VMs use: ${saved.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      hostSpec = applied.host;
    }
  }
  for (const candidate of candidates) {
    const saved = await saveVm({ hostId, spec: candidate.vm });
    if (saved.ok) await db.vm.update({ where: { id: saved.id }, data: { liveState: candidate.vm.powerState === 'running' ? 'running' : 'shut_off', liveAt: new Date() } });
    if (saved.ok) report.imported.push({ id: saved.id, name: candidate.vm.name, unsupported: candidate.unsupported, differences: candidate.differences });
    else report.skipped.push({ name: candidate.vm.name, reason: saved.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') });
  }
  if (report.imported.length > 0) {
    const xmlByUuid = new Map(discovered.domains.map((d) => [d.uuid.toLowerCase(), d.xml]));
    const found = report.imported.map((vm) => ({ path: vmXmlFile(vm.name), content: xmlByUuid.get(candidates.find((c) => c.vm.name === vm.name)!.vm.uuid.toLowerCase()) ?? '' }));
    await recordImportBaseline(hostId, found);
  }
  return report;
}

/** The deployed revision plus the imported domains' XML as found, recorded as a succeeded `import` deployment. */
async function recordImportBaseline(hostId: string, found: RenderedFile[]): Promise<void> {
  const db = getDb();
  const previous = await deployedRevision(hostId);
  const files = new Map<string, string>((previous?.files ?? []).map((f) => [f.path, f.content]));
  for (const file of found) files.set(file.path, file.content);
  const all = [...files].map(([path, content]) => ({ path, content })).sort((a, b) => (a.path < b.path ? -1 : 1));
  const contentHash = filesHash(all);
  const hostRow = await db.host.findUniqueOrThrow({ where: { id: hostId }, select: { spec: true } });
  const revision =
    (await db.revision.findUnique({ where: { hostId_contentHash: { hostId, contentHash } } })) ??
    (await db.revision.create({ data: { hostId, contentHash, files: { files: all, manifest: previous?.manifest ?? null } as never, spec: hostRow.spec as never } }));
  const now = new Date();
  await db.deployment.create({
    data: {
      hostId,
      revisionId: revision.id,
      kind: 'import',
      status: 'succeeded',
      progress: 100,
      startedAt: now,
      finishedAt: now,
      log: `Recorded the domains found on the host as deployed: ${found.map((f) => f.path).join(', ')}\n`,
    },
  });
}
