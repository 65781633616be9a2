// lib/render/plan — what a deployment would do, and what drifted on the host.
//
// Owns: comparing three states of a host, all already in memory (pure):
// - desired: what Hostdeck renders now (renderHost);
// - deployed: the files and manifest of the last deployed revision;
// - live: `virsh dumpxml` of the domains on the host, by VM name.
// Domain XML is compared only after normalizeDomainXml, so what libvirtd adds
// is not a change. Per VM the plan says:
// - added      — no deployed (or live) definition yet;
// - changed    — with the list of what changed (memory, vcpus, disks,
//                interfaces, graphics, …, powerState, autostart, disk size,
//                cloud-init user-data)
//                and restartNeeded when the VM is (or will stay) running and
//                the change only applies at its next boot — Hostdeck defines
//                the new XML and never restarts a VM by itself;
// - removed    — marked `remove` and still there; its disks are kept unless
//                deleteDisks;
// - unchanged  — nothing to do (also a `remove`d VM that is already gone);
// - unmanaged  — deployed before but no longer in the spec: left as it is.
// For a changed VM, `removes` lists (as start tags) the elements of the
// deployed or live definition that the deploy would remove or replace — what
// an imported domain would lose, for the approver to see.
// drifted: the live definition differs from the deployed one (or the domain
// is missing on the host) — someone changed the host outside Hostdeck.
import { domainDifferences, normalizeDomainTree, parseXml, removedElements, type XmlElement } from '@/lib/libvirt';
import { cloudInitDir, NIX_MODULE_FILE, vmXmlFile } from './layout';
import type { ManifestVm, RenderedFile, RenderManifest } from './render-host';

export interface PlanInput {
  desired: { files: readonly RenderedFile[]; manifest: RenderManifest };
  /** Last deployed revision; absent for a host that was never deployed. */
  deployed?: { files: readonly RenderedFile[]; manifest?: RenderManifest | null } | null;
  /** `virsh dumpxml NAME` per domain name on the host; absent when not read. A VM missing here is not defined on the host. */
  live?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | null;
  /** Names of the domains running on the host, when `live` holds inactive definitions (which do not say whether a domain runs). */
  liveRunning?: ReadonlySet<string> | null;
}

export type VmAction = 'added' | 'changed' | 'removed' | 'unchanged' | 'unmanaged';

export interface VmPlan {
  name: string;
  action: VmAction;
  /** What differs from the deployed (or, if none, the live) state, e.g. ['memory', 'vcpus', 'powerState']. */
  changes: string[];
  /** For `changed`: elements of the deployed (or live) definition the deploy would remove or replace, e.g. `<sound model='ich9'>`. */
  removes: string[];
  /** The change applies only after the VM's next restart (which Hostdeck does not do by itself). */
  restartNeeded: boolean;
  /** For `removed`: whether the disks are deleted, and which. */
  removal: { deleteDisks: boolean; disks: string[] } | null;
  /** The live definition differs from the deployed one. */
  drifted: boolean;
  /** What drifted, e.g. ['memory'] or ['missing on host']. */
  drift: string[];
  /** Whether the domain runs now (from the live XML), or null when unknown. */
  running: boolean | null;
}

export type FileAction = 'added' | 'changed' | 'removed' | 'unchanged' | 'none';

export interface HostPlan {
  host: string;
  /** The NixOS module (default.nix); 'none' on libvirt hosts. */
  hostModule: FileAction;
  vms: VmPlan[];
  /** Anything to deploy at all (desired differs from deployed). */
  changed: boolean;
  /** Any VM drifted. */
  drifted: boolean;
  summary: {
    added: number;
    changed: number;
    removed: number;
    unchanged: number;
    unmanaged: number;
    drifted: number;
    restartNeeded: number;
  };
  desiredHash: string;
  deployedHash: string | null;
}

/** Changes that never need the VM to restart. */
// ('disk size': disks that exist are never resized by a deployment; only new disks get the new size.)
const LIVE_CHANGES = new Set(['description', 'tags', 'metadata', 'powerState', 'autostart', 'cloud-init user-data', 'disk size']);

class NormalisedCache {
  private readonly cache = new Map<string, XmlElement>();
  get(xml: string): XmlElement {
    let tree = this.cache.get(xml);
    if (!tree) {
      tree = normalizeDomainTree(parseXml(xml));
      this.cache.set(xml, tree);
    }
    return tree;
  }
}

function differences(cache: NormalisedCache, from: string, to: string): string[] {
  if (from === to) return [];
  return domainDifferences(cache.get(from), cache.get(to));
}

function fileMap(files: readonly RenderedFile[]): Map<string, string> {
  return new Map(files.map((file) => [file.path, file.content]));
}

function liveMap(live: PlanInput['live']): Map<string, string> | null {
  if (!live) return null;
  return live instanceof Map ? new Map(live) : new Map(Object.entries(live as Record<string, string>));
}

function isRunning(liveXml: string): boolean {
  // libvirt gives running domains an `id` attribute on <domain> (the document is parsed in full elsewhere).
  const start = /<domain\b[^>]*>/.exec(liveXml)?.[0] ?? '';
  const id = /\sid\s*=\s*(["'])([^"']*)\1/.exec(start)?.[2];
  return id !== undefined && id !== '-1';
}

function describeDisk(disk: ManifestVm['disks'][number]): string {
  return disk.path ?? `${disk.pool}/${disk.volume}`;
}

function diskSizesChanged(before: ManifestVm, after: ManifestVm): boolean {
  const sizes = new Map(before.disks.map((disk) => [describeDisk(disk), disk.capacityGiB]));
  return after.disks.some((disk) => sizes.has(describeDisk(disk)) && sizes.get(describeDisk(disk)) !== disk.capacityGiB);
}

function cloudInitChanged(vm: string, desired: Map<string, string>, deployed: Map<string, string>): boolean {
  const prefix = `${cloudInitDir(vm)}/`;
  const paths = new Set([...desired.keys(), ...deployed.keys()].filter((path) => path.startsWith(prefix)));
  return [...paths].some((path) => desired.get(path) !== deployed.get(path));
}

/** Compare desired, deployed and live state of one host. */
export function plan(input: PlanInput): HostPlan {
  const cache = new NormalisedCache();
  const desiredFiles = fileMap(input.desired.files);
  const deployedFiles = input.deployed ? fileMap(input.deployed.files) : null;
  const deployedManifest = input.deployed?.manifest ?? null;
  const live = liveMap(input.live);
  const desiredVms = new Map(input.desired.manifest.vms.map((vm) => [vm.name, vm]));
  const deployedVmManifest = new Map((deployedManifest?.vms ?? []).map((vm) => [vm.name, vm]));

  const vmNames = new Set<string>(desiredVms.keys());
  if (deployedFiles) {
    for (const path of deployedFiles.keys()) {
      const match = /^vms\/([a-z][a-z0-9-]*)\.xml$/.exec(path);
      if (match) vmNames.add(match[1]!);
    }
  }

  const vms: VmPlan[] = [];
  for (const name of [...vmNames].sort()) {
    const desired = desiredVms.get(name);
    const desiredXml = desired?.xmlFile ? (desiredFiles.get(desired.xmlFile) ?? null) : null;
    const deployedXml = deployedFiles?.get(vmXmlFile(name)) ?? null;
    const liveXml = live ? (live.get(name) ?? null) : undefined;
    const running = typeof liveXml === 'string' ? (input.liveRunning ? input.liveRunning.has(name) : isRunning(liveXml)) : null;

    let drift: string[] = [];
    if (deployedXml !== null && live) {
      drift = liveXml === null || liveXml === undefined ? ['missing on host'] : differences(cache, deployedXml, liveXml);
      // The power state deployed is part of the definition: a VM shut down (or started) from outside drifted too
      // (judged only from an explicit list of running domains; an inactive definition does not say).
      const deployedPower = deployedVmManifest.get(name)?.powerState;
      if (input.liveRunning && running !== null && deployedPower === 'running' && !running) drift.push('not running');
      if (input.liveRunning && running !== null && deployedPower === 'stopped' && running) drift.push('running');
    }
    const base = deployedXml ?? (typeof liveXml === 'string' ? liveXml : null);

    const entry: VmPlan = {
      name,
      action: 'unchanged',
      changes: [],
      removes: [],
      restartNeeded: false,
      removal: null,
      drifted: drift.length > 0,
      drift,
      running,
    };
    if (!desired) {
      entry.action = 'unmanaged';
    } else if (desired.remove) {
      const present = typeof liveXml === 'string' || (liveXml === undefined && deployedXml !== null);
      if (present) {
        entry.action = 'removed';
        entry.removal = { deleteDisks: desired.deleteDisks, disks: desired.disks.map(describeDisk) };
      }
    } else if (desiredXml === null) {
      throw new Error(`the desired render has no XML file for VM ${name}`);
    } else if (base === null) {
      entry.action = 'added';
    } else {
      const changes = differences(cache, base, desiredXml);
      if (changes.length > 0) entry.removes = removedElements(cache.get(base), cache.get(desiredXml));
      const before = deployedVmManifest.get(name);
      if (before && before.powerState !== desired.powerState) changes.push('powerState');
      if (before && before.autostart !== desired.autostart) changes.push('autostart');
      if (before && diskSizesChanged(before, desired)) changes.push('disk size');
      if (deployedFiles && cloudInitChanged(name, desiredFiles, deployedFiles)) changes.push('cloud-init user-data');
      entry.changes = [...new Set(changes)].sort();
      if (changes.length > 0) {
        entry.action = 'changed';
        const needsBoot = changes.some((change) => !LIVE_CHANGES.has(change));
        const runningNow = running ?? (before ? before.powerState === 'running' : true);
        entry.restartNeeded = needsBoot && runningNow && desired.powerState === 'running';
      }
    }
    vms.push(entry);
  }

  const desiredModule = desiredFiles.get(NIX_MODULE_FILE);
  const deployedModule = deployedFiles?.get(NIX_MODULE_FILE);
  const hostModule: FileAction =
    desiredModule === undefined
      ? deployedModule === undefined
        ? 'none'
        : 'removed'
      : deployedModule === undefined
        ? 'added'
        : deployedModule === desiredModule
          ? 'unchanged'
          : 'changed';

  const count = (action: VmAction) => vms.filter((vm) => vm.action === action).length;
  const summary = {
    added: count('added'),
    changed: count('changed'),
    removed: count('removed'),
    unchanged: count('unchanged'),
    unmanaged: count('unmanaged'),
    drifted: vms.filter((vm) => vm.drifted).length,
    restartNeeded: vms.filter((vm) => vm.restartNeeded).length,
  };
  const deployedHash = deployedManifest?.hash ?? null;
  const changed =
    summary.added + summary.changed + summary.removed > 0 ||
    (hostModule !== 'unchanged' && hostModule !== 'none') ||
    (deployedHash !== null &&
      deployedHash !== input.desired.manifest.hash &&
      filesDiffer(input.desired.files, input.deployed?.files ?? []));
  return {
    host: input.desired.manifest.host.name,
    hostModule,
    vms,
    changed,
    drifted: summary.drifted > 0,
    summary,
    desiredHash: input.desired.manifest.hash,
    deployedHash,
  };
}

function filesDiffer(a: readonly RenderedFile[], b: readonly RenderedFile[]): boolean {
  if (a.length !== b.length) return true;
  const other = fileMap(b);
  return a.some((file) => other.get(file.path) !== file.content);
}
