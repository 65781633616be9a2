// lib/libvirt/import/host-needs — what a host spec must gain for imported VMs.
//
// Owns: the bridges, NICs, libvirt networks and storage pools imported VMs use
// that the host spec does not list yet (HostNeeds): which pool holds a file
// disk (filePool: one of the host spec's, one the host's libvirt knows, or a
// new pool named after its folder — never a system folder or "/"), adding the
// needs to a host spec (applyHostNeeds), and merging the needs of several VMs
// (mergeHostNeeds).
import { absolutePath, forbiddenFolderProblem, objectName, poolHolding, type HostSpec } from '@/lib/spec';
import type { HostNeeds, ImportOptions } from './types';

/** The folder a file lies in ("/" for a file at the top). */
function folderOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** A pool name for a folder of image files: its path as a name ("/srv/vm images" → "srv-vm-images"). */
export function poolNameForFolder(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9_.+-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 56);
  return name === '' ? 'images' : name;
}

function freeName(wanted: string, taken: (name: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

/**
 * Which pool holds a file disk: one of the host spec's, one the host's libvirt
 * knows (a need), or a new one for its folder (a need, `folder: true`) —
 * or none, when the file or its folder is a system folder or "/".
 */
export function filePool(
  path: string,
  host: Pick<HostSpec, 'storagePools'>,
  poolPaths: ImportOptions['poolPaths'],
  needs: Pick<HostNeeds, 'storagePools'> = { storagePools: [] },
):
  | { kind: 'known'; pool: string; folder: string }
  | { kind: 'need'; need: HostNeeds['storagePools'][number] }
  | { kind: 'forbidden'; reason: string } {
  const forbidden = forbiddenFolderProblem(path);
  if (forbidden) return { kind: 'forbidden', reason: `it lies in a system folder (${forbidden})` };
  const own = poolHolding(host.storagePools, path);
  if (own) return { kind: 'known', pool: own.name, folder: own.path };
  const pending = poolHolding(
    needs.storagePools.filter((pool): pool is { name: string; path: string } => pool.path !== undefined),
    path,
  );
  if (pending) return { kind: 'known', pool: pending.name, folder: pending.path };
  const entries: [string, string][] = poolPaths === undefined ? [] : poolPaths instanceof Map ? [...poolPaths] : Object.entries(poolPaths);
  const discovered = poolHolding(
    entries
      .filter(
        ([name, folder]) =>
          !host.storagePools.some((pool) => pool.name === name) &&
          objectName.safeParse(name).success &&
          absolutePath.safeParse(folder).success &&
          !forbiddenFolderProblem(folder),
      )
      .map(([name, folder]) => ({ name, path: folder })),
    path,
  );
  if (discovered) return { kind: 'need', need: { name: discovered.name, path: discovered.path } };
  const folder = folderOf(path);
  const folderProblem = forbiddenFolderProblem(folder);
  if (folderProblem) return { kind: 'forbidden', reason: `its folder cannot become a storage pool (${folderProblem})` };
  const taken = (name: string) =>
    host.storagePools.some((pool) => pool.name === name) ||
    needs.storagePools.some((pool) => pool.name === name) ||
    entries.some(([known]) => known === name);
  return { kind: 'need', need: { name: freeName(poolNameForFolder(folder), taken), path: folder, folder: true } };
}

/**
 * The host spec with what an import needs added: bridges (without an uplink),
 * NICs, libvirt networks, and storage pools whose folder is known. Pools
 * without a path are returned in `unresolved` (ask `virsh pool-dumpxml`).
 */
export function applyHostNeeds(host: HostSpec, needs: HostNeeds): { host: HostSpec; unresolved: string[] } {
  const bridges = [...host.network.bridges];
  for (const bridge of needs.bridges)
    if (!bridges.some((candidate) => candidate.name === bridge)) bridges.push({ name: bridge, stp: false });
  const nics = [...host.network.nics];
  for (const nic of needs.nics) if (!nics.includes(nic) && !host.network.bonds.some((bond) => bond.name === nic)) nics.push(nic);
  const libvirtNetworks = [...host.network.libvirtNetworks];
  for (const network of needs.libvirtNetworks) if (!libvirtNetworks.includes(network)) libvirtNetworks.push(network);
  const storagePools = [...host.storagePools];
  const unresolved: string[] = [];
  for (const pool of needs.storagePools) {
    if (storagePools.some((candidate) => candidate.name === pool.name)) continue;
    if (pool.path === undefined) unresolved.push(pool.name);
    else storagePools.push({ name: pool.name, type: 'dir', path: pool.path });
  }
  return { host: { ...host, network: { ...host.network, bridges, nics, libvirtNetworks }, storagePools }, unresolved };
}

/** hostNeeds of several imports together (each name once, first path wins). */
export function mergeHostNeeds(all: readonly HostNeeds[]): HostNeeds {
  const out: HostNeeds = { bridges: [], nics: [], libvirtNetworks: [], storagePools: [] };
  for (const needs of all) {
    for (const key of ['bridges', 'nics', 'libvirtNetworks'] as const)
      for (const name of needs[key]) if (!out[key].includes(name)) out[key].push(name);
    for (const pool of needs.storagePools) {
      if (pool.folder && pool.path !== undefined) {
        // A pool Hostdeck named after a folder: one per folder, renamed when another pool took its name.
        if (out.storagePools.some((candidate) => candidate.path === pool.path)) continue;
        out.storagePools.push({
          ...pool,
          name: freeName(
            pool.name,
            (name) =>
              out.storagePools.some((candidate) => candidate.name === name) ||
              all.some((other) => other.storagePools.some((candidate) => !candidate.folder && candidate.name === name)),
          ),
        });
        continue;
      }
      const known = out.storagePools.find((candidate) => candidate.name === pool.name);
      if (!known) out.storagePools.push({ ...pool });
      else if (known.path === undefined && pool.path !== undefined) known.path = pool.path;
    }
  }
  return out;
}
