// lib/spec/host-with-vms — a host together with its VMs, and the checks that
// need both.
//
// Owns: the document Hostdeck renders from (`{ host, vms }`), the cross-field
// checks (unique VM names, UUIDs and MACs per host; bridges, NICs, libvirt
// networks, pools and base images that VMs use must exist in the host spec;
// a disk is used by one VM only; `deleteDisks` only with `remove`; disk files
// lie inside a storage pool's folder, base images inside a pool or Hostdeck's
// image folder, and none of them in a system folder such as /etc or /dev;
// cdrom images likewise inside a pool; a CPU model only with mode custom, and
// a CPU topology that accounts for exactly the VM's vCPUs), and
// `parseHostWithVms`, the one entry point forms, server actions, the API and
// the CLI call to validate input.
//
// The cross-field checks read the input defensively (as unknown), so they run
// even when some fields are invalid: an operator sees every problem at once.
import { z } from 'zod';
import { hostSpecSchema, type HostSpec } from './host';
import { formatIssues, operatorErrorMap, type FieldIssue } from './issues';
import { forbiddenFolderProblem, isCanonicalAbsolutePath, isPathInside } from './primitives';
import { vmSpecSchema, type DiskSpec, type VmSpec } from './vm';

/** Where Hostdeck puts a VM's cloud-init NoCloud seed ISO on the host (attached as a read-only cdrom). */
export const SEED_DIR = '/var/lib/hostdeck/seeds';
export function seedIsoPath(vmName: string): string {
  return `${SEED_DIR}/${vmName}.iso`;
}

/**
 * Hostdeck's own folder for base images on a host. A base image lies inside one
 * of the host's storage pools or here; nowhere else (a base image is only ever
 * read, but its path still reaches `qemu-img` on the host).
 */
export const BASE_IMAGE_DIR = '/var/lib/hostdeck/images';

/** The pool whose folder holds `path` (strictly below it), or undefined. The longest folder wins when pools nest. */
export function poolHolding<P extends { path: string }>(pools: readonly P[], path: string): P | undefined {
  return pools.filter((pool) => path !== pool.path && isPathInside(path, pool.path)).sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * Where a disk lives on the host: the pool and the file's path (a volume is
 * `<pool folder>/<volume>`). Null when the disk is not inside any of the
 * host's pools — such a disk is never created, written or deleted. Deploy
 * code resolves this path on the host (lib/hosts/safety `checkHostPaths`)
 * before it touches the file, so a symlink cannot lead outside the pool.
 */
export function diskLocation(
  host: Pick<HostSpec, 'storagePools'>,
  source: DiskSpec['source'],
): { pool: HostSpec['storagePools'][number]; path: string } | null {
  if (source.type === 'volume') {
    const pool = host.storagePools.find((candidate) => candidate.name === source.pool);
    return pool ? { pool, path: `${pool.path}/${source.volume}` } : null;
  }
  if (forbiddenFolderProblem(source.path)) return null;
  const pool = poolHolding(host.storagePools, source.path);
  return pool ? { pool, path: source.path } : null;
}

const hostWithVmsShape = z.strictObject({
  host: hostSpecSchema,
  vms: z.array(vmSpecSchema).max(10_000, { error: 'at most 10000 VMs per host' }).default([]),
});

type Issue = { path: (string | number)[]; message: string };

type Loose = Record<string, unknown>;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asRecord = (value: unknown): Loose => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {});
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function listOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? 'none are defined' : `known: ${all.join(', ')}`;
}

/** Reports a value seen twice, pointing at the second occurrence and naming the first. */
class UniqueTracker {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly issues: Issue[],
    private readonly describe: (value: string, firstAt: string) => string,
  ) {}
  add(value: string | undefined, path: (string | number)[]): void {
    if (value === undefined) return;
    const first = this.seen.get(value);
    if (first !== undefined) this.issues.push({ path, message: this.describe(value, first) });
    else this.seen.set(value, formatPathForMessage(path));
  }
}

function formatPathForMessage(path: (string | number)[]): string {
  return formatIssues([{ path, message: '' }])[0]!.path;
}

/** Cross-field checks of a `{ host, vms }` document. Safe on any input. */
export function crossCheckHostWithVms(input: unknown): Issue[] {
  const issues: Issue[] = [];
  const doc = asRecord(input);
  const host = asRecord(doc.host);
  const network = asRecord(host.network);
  const vms = asList(doc.vms);

  // Host networking: one namespace for NIC, bond and bridge names.
  const ifNames = new UniqueTracker(issues, (v, at) => `the interface name ${v} is already used at ${at}`);
  const nics = new Set<string>();
  asList(network.nics).forEach((nic, i) => {
    const name = asString(nic);
    ifNames.add(name, ['host', 'network', 'nics', i]);
    if (name) nics.add(name);
  });
  const bonds = new Map<string, string[]>();
  const bondOfNic = new Map<string, string>();
  const macs = new UniqueTracker(issues, (v, at) => `the MAC address ${v} is already used at ${at}`);
  asList(network.bonds).forEach((bondValue, i) => {
    const bond = asRecord(bondValue);
    const name = asString(bond.name);
    ifNames.add(name, ['host', 'network', 'bonds', i, 'name']);
    macs.add(asString(bond.macAddress), ['host', 'network', 'bonds', i, 'macAddress']);
    const members: string[] = [];
    asList(bond.interfaces).forEach((memberValue, j) => {
      const member = asString(memberValue);
      if (member === undefined) return;
      members.push(member);
      const path = ['host', 'network', 'bonds', i, 'interfaces', j];
      if (!nics.has(member)) issues.push({ path, message: `NIC ${member} is not listed in host.network.nics (${listOf(nics)})` });
      const otherBond = bondOfNic.get(member);
      if (otherBond !== undefined) issues.push({ path, message: `NIC ${member} is already a member of bond ${otherBond}` });
      else if (name) bondOfNic.set(member, name);
    });
    if (name) bonds.set(name, members);
  });
  const bridges = new Set<string>();
  const bridgeOfUplink = new Map<string, string>();
  asList(network.bridges).forEach((bridgeValue, i) => {
    const bridge = asRecord(bridgeValue);
    const name = asString(bridge.name);
    ifNames.add(name, ['host', 'network', 'bridges', i, 'name']);
    macs.add(asString(bridge.macAddress), ['host', 'network', 'bridges', i, 'macAddress']);
    if (name) bridges.add(name);
    const uplink = asRecord(bridge.uplink);
    const uplinkName = asString(uplink.name);
    if (uplinkName === undefined) return;
    const path = ['host', 'network', 'bridges', i, 'uplink', 'name'];
    if (uplink.kind === 'nic') {
      if (!nics.has(uplinkName)) issues.push({ path, message: `NIC ${uplinkName} is not listed in host.network.nics (${listOf(nics)})` });
      const bond = bondOfNic.get(uplinkName);
      if (bond !== undefined)
        issues.push({ path, message: `NIC ${uplinkName} is a member of bond ${bond}; build the bridge over the bond instead` });
    } else if (uplink.kind === 'bond' && !bonds.has(uplinkName)) {
      issues.push({ path, message: `bond ${uplinkName} is not defined in host.network.bonds (${listOf(bonds.keys())})` });
    }
    const otherBridge = bridgeOfUplink.get(uplinkName);
    if (otherBridge !== undefined) issues.push({ path, message: `${uplinkName} is already the uplink of bridge ${otherBridge}` });
    else if (name) bridgeOfUplink.set(uplinkName, name);
  });
  const libvirtNetworks = new Set<string>();
  const networkNames = new UniqueTracker(issues, (v, at) => `libvirt network ${v} is listed twice (first at ${at})`);
  asList(network.libvirtNetworks).forEach((value, i) => {
    const name = asString(value);
    networkNames.add(name, ['host', 'network', 'libvirtNetworks', i]);
    if (name) libvirtNetworks.add(name);
  });

  // Storage.
  const pools = new Set<string>();
  const poolFolders: { name: string; path: string }[] = [];
  const poolNames = new UniqueTracker(issues, (v, at) => `a storage pool named ${v} is already defined at ${at}`);
  const poolPaths = new UniqueTracker(issues, (v, at) => `the folder ${v} is already used by the pool at ${at}`);
  asList(host.storagePools).forEach((poolValue, i) => {
    const pool = asRecord(poolValue);
    const name = asString(pool.name);
    const path = asString(pool.path);
    poolNames.add(name, ['host', 'storagePools', i, 'name']);
    poolPaths.add(path, ['host', 'storagePools', i, 'path']);
    if (name) pools.add(name);
    if (name && path && isCanonicalAbsolutePath(path) && !forbiddenFolderProblem(path)) poolFolders.push({ name, path });
  });
  const poolList = () =>
    poolFolders.length === 0 ? 'the host has no storage pools' : `pools: ${poolFolders.map((p) => `${p.name} at ${p.path}`).join(', ')}`;
  const baseImages = new Set<string>();
  const baseImagePaths = new Set<string>();
  const imageNames = new UniqueTracker(issues, (v, at) => `a base image named ${v} is already defined at ${at}`);
  asList(host.baseImages).forEach((imageValue, i) => {
    const image = asRecord(imageValue);
    const name = asString(image.name);
    imageNames.add(name, ['host', 'baseImages', i, 'name']);
    if (name) baseImages.add(name);
    const path = asString(image.path);
    if (path) baseImagePaths.add(path);
    if (path && isCanonicalAbsolutePath(path)) {
      const forbidden = forbiddenFolderProblem(path);
      if (forbidden) issues.push({ path: ['host', 'baseImages', i, 'path'], message: `a base image cannot be there: ${forbidden}` });
      else if (!poolHolding(poolFolders, path) && !isPathInside(path, BASE_IMAGE_DIR)) {
        issues.push({
          path: ['host', 'baseImages', i, 'path'],
          message: `${path} is neither inside a storage pool of the host (${poolList()}) nor in ${BASE_IMAGE_DIR}; move the image there or add a pool for its folder`,
        });
      }
    }
  });

  // VMs.
  const vmNames = new UniqueTracker(issues, (v, at) => `another VM on this host (${at}) is already named ${v}`);
  const vmUuids = new UniqueTracker(issues, (v, at) => `the UUID ${v} is already used by ${at}`);
  const volumes = new UniqueTracker(issues, (v, at) => `the volume ${v} is already used as ${at}`);
  const files = new UniqueTracker(issues, (v, at) => `the file ${v} is already used as ${at}`);
  vms.forEach((vmValue, v) => {
    const vm = asRecord(vmValue);
    const vmName = asString(vm.name);
    vmNames.add(vmName, ['vms', v, 'name']);
    vmUuids.add(asString(vm.uuid), ['vms', v, 'uuid']);
    if (vm.deleteDisks === true && vm.remove !== true) {
      issues.push({ path: ['vms', v, 'deleteDisks'], message: 'deleteDisks only applies when remove is also set' });
    }
    asList(vm.interfaces).forEach((nicValue, n) => {
      const nic = asRecord(nicValue);
      const at = ['vms', v, 'interfaces', n];
      macs.add(asString(nic.mac), [...at, 'mac']);
      const bridge = asString(nic.bridge);
      if (nic.type === 'bridge' && bridge !== undefined && !bridges.has(bridge)) {
        issues.push({ path: [...at, 'bridge'], message: `bridge ${bridge} is not defined in host.network.bridges (${listOf(bridges)})` });
      }
      const dev = asString(nic.dev);
      if (nic.type === 'direct' && dev !== undefined) {
        if (!nics.has(dev) && !bonds.has(dev)) {
          issues.push({
            path: [...at, 'dev'],
            message: `${dev} is neither a NIC in host.network.nics nor a bond in host.network.bonds (${listOf([...nics, ...bonds.keys()])})`,
          });
        } else if (bondOfNic.has(dev)) {
          issues.push({
            path: [...at, 'dev'],
            message: `NIC ${dev} is a member of bond ${bondOfNic.get(dev)}; macvtap needs a free NIC or the bond itself`,
          });
        } else if (bridgeOfUplink.has(dev)) {
          issues.push({
            path: [...at, 'dev'],
            message: `${dev} is the uplink of bridge ${bridgeOfUplink.get(dev)}; attach the VM to that bridge instead`,
          });
        }
      }
      const net = asString(nic.network);
      if (nic.type === 'network' && net !== undefined && !libvirtNetworks.has(net)) {
        issues.push({
          path: [...at, 'network'],
          message: `libvirt network ${net} is not listed in host.network.libvirtNetworks (${listOf(libvirtNetworks)})`,
        });
      }
    });
    asList(vm.disks).forEach((diskValue, d) => {
      const disk = asRecord(diskValue);
      const at = ['vms', v, 'disks', d];
      const source = asRecord(disk.source);
      const pool = asString(source.pool);
      const volume = asString(source.volume);
      const path = asString(source.path);
      if (source.type === 'volume' && pool !== undefined) {
        if (!pools.has(pool))
          issues.push({
            path: [...at, 'source', 'pool'],
            message: `storage pool ${pool} is not defined in host.storagePools (${listOf(pools)})`,
          });
        if (volume !== undefined) volumes.add(`${pool}/${volume}`, [...at, 'source', 'volume']);
        const folder = poolFolders.find((candidate) => candidate.name === pool);
        if (folder && volume !== undefined && baseImagePaths.has(`${folder.path}/${volume}`)) {
          issues.push({
            path: [...at, 'source', 'volume'],
            message: `${folder.path}/${volume} is a base image; a VM disk must be a file of its own${vm.deleteDisks === true ? ' (and deleteDisks would delete it)' : ''}`,
          });
        }
      }
      if (source.type === 'file' && path !== undefined) {
        files.add(path, [...at, 'source', 'path']);
        if (baseImagePaths.has(path))
          issues.push({ path: [...at, 'source', 'path'], message: `${path} is a base image; a VM disk must be a file of its own` });
        if (path.startsWith(`${SEED_DIR}/`))
          issues.push({ path: [...at, 'source', 'path'], message: `${SEED_DIR} is reserved for cloud-init seeds` });
        else if (isCanonicalAbsolutePath(path)) {
          const forbidden = forbiddenFolderProblem(path);
          if (forbidden) issues.push({ path: [...at, 'source', 'path'], message: `a disk cannot be there: ${forbidden}` });
          else if (!poolHolding(poolFolders, path)) {
            issues.push({
              path: [...at, 'source', 'path'],
              message: `${path} is not inside a storage pool of the host (${poolList()}); add a pool for its folder to the host, or move the disk into a pool${vm.deleteDisks === true ? ' — deleteDisks only ever deletes files inside a pool' : ''}`,
            });
          }
        }
      }
      const baseImage = asString(disk.baseImage);
      if (baseImage !== undefined && !baseImages.has(baseImage)) {
        issues.push({
          path: [...at, 'baseImage'],
          message: `base image ${baseImage} is not defined in host.baseImages (${listOf(baseImages)})`,
        });
      }
    });
    asList(vm.cdroms).forEach((cdromValue, c) => {
      const source = asRecord(asRecord(cdromValue).source);
      const at = ['vms', v, 'cdroms', c, 'source'];
      const pool = asString(source.pool);
      const path = asString(source.path);
      if (source.type === 'volume' && pool !== undefined && !pools.has(pool)) {
        issues.push({ path: [...at, 'pool'], message: `storage pool ${pool} is not defined in host.storagePools (${listOf(pools)})` });
      }
      if (source.type === 'file' && path !== undefined && isCanonicalAbsolutePath(path)) {
        const forbidden = forbiddenFolderProblem(path);
        if (forbidden) issues.push({ path: [...at, 'path'], message: `a cdrom image cannot be there: ${forbidden}` });
        else if (!poolHolding(poolFolders, path)) {
          issues.push({
            path: [...at, 'path'],
            message: `${path} is not inside a storage pool of the host (${poolList()}); add a pool for its folder, or move the image into a pool`,
          });
        }
      }
    });
    const cpu = asRecord(vm.cpu);
    if (cpu.model !== undefined && cpu.mode !== 'custom') {
      issues.push({ path: ['vms', v, 'cpu', 'model'], message: 'a CPU model only applies with mode custom' });
    }
    if (cpu.mode === 'custom' && cpu.model === undefined) {
      issues.push({ path: ['vms', v, 'cpu', 'model'], message: 'mode custom needs a CPU model' });
    }
    const topology = asRecord(cpu.topology);
    const counts = [topology.sockets, topology.dies ?? 1, topology.cores, topology.threads];
    if (cpu.topology !== undefined && counts.every((n) => typeof n === 'number') && typeof vm.vcpus === 'number') {
      const product = (counts as number[]).reduce((a, b) => a * b, 1);
      if (product !== vm.vcpus) {
        issues.push({
          path: ['vms', v, 'cpu', 'topology'],
          message: `sockets × dies × cores × threads is ${product}, but the VM has ${vm.vcpus} vCPUs`,
        });
      }
    }
  });
  return issues;
}

/** `{ host, vms }` with every check, for callers that want one zod schema (e.g. `.parse` in tests or OpenAPI docs). */
export const hostWithVmsSchema = hostWithVmsShape.superRefine((value, ctx) => {
  for (const issue of crossCheckHostWithVms(value)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export type HostWithVms = { host: HostSpec; vms: VmSpec[] };
export type HostWithVmsInput = z.input<typeof hostWithVmsShape>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/**
 * Validate a `{ host, vms }` document: shape, limits and cross-field checks,
 * all reported together with field paths like `vms[2].disks[0].sizeGiB`.
 */
export function parseHostWithVms(input: unknown): ParseResult<HostWithVms> {
  const shaped = hostWithVmsShape.safeParse(input, { error: operatorErrorMap });
  const crossIssues = crossCheckHostWithVms(input);
  const issues = [...(shaped.success ? [] : formatIssues(shaped.error)), ...formatIssues(crossIssues)];
  if (!shaped.success || issues.length > 0) return { ok: false, issues: dedupe(issues) };
  return { ok: true, value: shaped.data };
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
