// Adopting a host's existing domains: read every domain's inactive XML, whether
// it runs and starts at boot, pool folders and disk sizes (two SSH round trips
// of fixed scripts; names and paths from the host travel only as quoted
// arguments), turn each into a VM spec (lib/libvirt/import), add what the
// VMs use to the host spec, and save them. Domains Hostdeck already manages are
// left alone; what the spec cannot express is reported per VM. The domains' XML
// as found is recorded as the deployed baseline (a deployment of kind `import`),
// so the first plan compares the spec with what really runs: unchanged where the
// spec says it all, the listed differences where it cannot.
import { getDb } from '@/lib/db';
import { exec, SshError, type SshTarget } from '@/lib/ssh';
import { filesHash, vmXmlFile, type RenderedFile } from '@/lib/render';
import { applyHostNeeds, childElements, filePool, importDomain, mergeHostNeeds, parseXml, type HostNeeds } from '@/lib/libvirt';
import { deployedRevision } from '@/lib/hosts/configuration';
import { appendLog } from '@/lib/deploy/log';
import type { HostSpec, VmSpec } from '@/lib/spec';
import { saveHost, saveVm } from '@/lib/hosts/inventory';
import { OnboardingError, sshFailure } from '@/lib/hosts/onboarding';
import { notFound } from '@/lib/errors';
import { hostSpecOf } from '@/lib/hosts/columns';
import { localLibvirtUri, parsePathVerdict, pathVerdictReason, PATH_CHECK_FUNCTION, unsafeConfigRefusal } from '@/lib/hosts/safety';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';
import { hostScript } from '@/lib/hosts/scripts';

/** lib/hosts/scripts/discover.sh: pool folders, running and autostart domains, every domain's inactive XML. */
export const DISCOVER_SCRIPT = hostScript('discover.sh');

/**
 * lib/hosts/scripts/sizes.sh (after inside_pool). Arguments: uri, then "pool" NAME VOLUME ROOT or "path" FILE ROOT, repeated
 * (ROOT: the folder of the pool the disk is in, "" when not known). Per disk it
 * prints one line: "size BYTES" (BYTES empty when virsh could not tell), or the
 * verdict of the realpath check (safety.ts) when the disk resolves outside
 * ROOT — its size is then not asked for. Paths go to virsh after `--`.
 */
const SIZES_SCRIPT = PATH_CHECK_FUNCTION + hostScript('sizes.sh');

export type ImportReport = {
  /** `differences`: what the first plan will still show as changed (categories as in the plan); empty = unchanged. */
  imported: { id: string; name: string; unsupported: string[]; differences: string[] }[];
  skipped: { name: string; reason: string }[];
  hostAdditions: HostNeeds;
  unresolved: string[];
};

export type Discovered = {
  pools: Map<string, string>;
  running: Set<string>;
  autostart: Set<string>;
  domains: { uuid: string; xml: string }[];
};

export function parseDiscovery(output: string): Discovered {
  const found: Discovered = { pools: new Map(), running: new Set(), autostart: new Set(), domains: [] };
  let section = '';
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join('\n').trim();
    if (section.startsWith('pool:')) found.pools.set(section.slice(5), text);
    else if (section === 'running')
      text
        .split('\n')
        .filter(Boolean)
        .forEach((u) => {
          found.running.add(u.trim());
        });
    else if (section === 'autostart')
      text
        .split('\n')
        .filter(Boolean)
        .forEach((u) => {
          found.autostart.add(u.trim());
        });
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

type DiskRef = { key: string; kind: 'pool' | 'path'; name: string; volume?: string };

/** The disks of a domain XML that have a size to ask for: pool volumes and files. */
export function diskRefs(xml: string): DiskRef[] {
  const refs: DiskRef[] = [];
  const devices = childElements(parseXml(xml)).find((e) => e.name === 'devices');
  for (const disk of devices ? childElements(devices).filter((d) => d.name === 'disk' && d.attributes.device !== 'cdrom') : []) {
    const source = childElements(disk).find((e) => e.name === 'source');
    if (!source) continue;
    if (disk.attributes.type === 'volume' && source.attributes.pool && source.attributes.volume) {
      refs.push({
        key: `${source.attributes.pool}/${source.attributes.volume}`,
        kind: 'pool',
        name: source.attributes.pool,
        volume: source.attributes.volume,
      });
    } else if (disk.attributes.type === 'file' && source.attributes.file) {
      refs.push({ key: source.attributes.file, kind: 'path', name: source.attributes.file });
    }
  }
  return refs;
}

export type DiskFacts = {
  /** GiB by disk key (file path or pool/volume). */
  sizes: Map<string, number>;
  /** Disks that resolve outside their pool folder on the host, with the reason (for importDomain's unsafeDisks). */
  unsafe: Map<string, string>;
};

/**
 * Disk sizes, in one SSH round trip, each path checked on the host first: it
 * must resolve (realpath) inside the folder of the pool it belongs to — the
 * host spec's, the host's libvirt's, or the folder the import would make a
 * pool of. Disks the spec could never keep (a system folder) are not asked about.
 */
export async function diskFacts(
  target: SshTarget,
  uri: string,
  refs: DiskRef[],
  host: Pick<HostSpec, 'storagePools'>,
  poolPaths: ReadonlyMap<string, string>,
): Promise<DiskFacts> {
  const facts: DiskFacts = { sizes: new Map(), unsafe: new Map() };
  const asked: { ref: DiskRef; root: string; path: string }[] = [];
  for (const ref of refs) {
    if (ref.kind === 'pool') {
      const root = host.storagePools.find((pool) => pool.name === ref.name)?.path ?? poolPaths.get(ref.name) ?? '';
      asked.push({ ref, root, path: `${root}/${ref.volume}` });
      continue;
    }
    const place = filePool(ref.name, host, poolPaths);
    if (place.kind === 'forbidden') continue;
    asked.push({ ref, root: place.kind === 'known' ? place.folder : place.need.path!, path: ref.name });
  }
  if (asked.length === 0) return facts;
  const args = asked.flatMap(({ ref, root }) =>
    ref.kind === 'pool' ? ['pool', ref.name, ref.volume!, root] : ['path', ref.name, '', root],
  );
  const result = await exec(target, ['sh', '-c', SIZES_SCRIPT, 'hostdeck-sizes', uri, ...args], { timeoutMs: 60_000 });
  result.stdout
    .split('\n')
    .slice(0, asked.length)
    .forEach((line, i) => {
      const { ref, root, path } = asked[i]!;
      const size = /^size (\d*)$/.exec(line.trim());
      if (size) {
        if (size[1]) facts.sizes.set(ref.key, Number(size[1]) / 1024 ** 3);
        return;
      }
      const verdict = parsePathVerdict(line);
      if (verdict !== 'ok') facts.unsafe.set(ref.key, pathVerdictReason(verdict, path, root));
    });
  return facts;
}

/** Imports every domain of the host that Hostdeck does not manage yet. */
export async function importHostDomains(hostId: string): Promise<ImportReport> {
  const db = getDb();
  const host = await db.host.findUnique({ where: { id: hostId } });
  if (!host) throw notFound('host');
  if (!host.hostKeyFingerprint || host.status === 'host_key_changed')
    throw new OnboardingError('Connect to the host (confirm its host key) before importing');
  const refusal = await unsafeConfigRefusal(host);
  if (refusal) throw new OnboardingError(refusal, 'host_unsafe_config');
  const uri = localLibvirtUri(host);
  const target = await sshTargetFor(host);
  let discovered: Discovered;
  let disks: DiskFacts;
  try {
    discovered = parseDiscovery(
      (await exec(target, ['sh', '-c', DISCOVER_SCRIPT, 'hostdeck-discover', uri], { timeoutMs: 120_000 })).stdout,
    );
    disks = await diskFacts(
      target,
      uri,
      discovered.domains.flatMap((d) => diskRefs(d.xml)),
      hostSpecOf(host),
      discovered.pools,
    );
  } catch (error) {
    if (error instanceof SshError) throw await sshFailure(hostId, error);
    throw error;
  }

  const existing = await db.vm.findMany({ where: { hostId }, select: { uuid: true, name: true } });
  const knownUuids = new Set(existing.map((v) => v.uuid.toLowerCase()));
  const knownNames = new Set(existing.map((v) => v.name));
  const report: ImportReport = {
    imported: [],
    skipped: [],
    hostAdditions: { bridges: [], nics: [], libvirtNetworks: [], storagePools: [] },
    unresolved: [],
  };
  let hostSpec = hostSpecOf(host);
  const candidates: { vm: VmSpec; unsupported: string[]; differences: string[]; needs: HostNeeds }[] = [];

  for (const domain of discovered.domains) {
    if (knownUuids.has(domain.uuid.toLowerCase())) continue;
    const result = importDomain(domain.xml, hostSpec, {
      running: discovered.running.has(domain.uuid),
      autostart: discovered.autostart.has(domain.uuid),
      volumeSizes: disks.sizes,
      unsafeDisks: disks.unsafe,
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
      if (!saved.ok)
        throw new OnboardingError(
          `The host spec could not take what the VMs use: ${saved.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        );
      hostSpec = applied.host;
    }
  }
  for (const candidate of candidates) {
    const saved = await saveVm({ hostId, spec: candidate.vm });
    if (saved.ok)
      await db.vm.update({
        where: { id: saved.id },
        data: { liveState: candidate.vm.powerState === 'running' ? 'running' : 'shut_off', liveAt: new Date() },
      });
    if (saved.ok)
      report.imported.push({
        id: saved.id,
        name: candidate.vm.name,
        unsupported: candidate.unsupported,
        differences: candidate.differences,
      });
    else
      report.skipped.push({
        name: candidate.vm.name,
        reason: saved.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
      });
  }
  if (report.imported.length > 0) {
    const xmlByUuid = new Map(discovered.domains.map((d) => [d.uuid.toLowerCase(), d.xml]));
    const found = report.imported.map((vm) => ({
      path: vmXmlFile(vm.name),
      content: xmlByUuid.get(candidates.find((c) => c.vm.name === vm.name)!.vm.uuid.toLowerCase()) ?? '',
    }));
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
    (await db.revision.create({
      data: { hostId, contentHash, files: { files: all, manifest: previous?.manifest ?? null } as never, spec: hostRow.spec as never },
    }));
  const now = new Date();
  const deployment = await db.deployment.create({
    data: { hostId, revisionId: revision.id, kind: 'import', status: 'succeeded', progress: 100, startedAt: now, finishedAt: now },
  });
  await appendLog(deployment.id, null, `Recorded the domains found on the host as deployed: ${found.map((f) => f.path).join(', ')}\n`);
}
