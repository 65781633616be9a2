// lib/libvirt/import/disks — <disk> devices: pool volumes, image files, and
// Hostdeck's own cloud-init seed cdrom.
//
// Owns: which disks are kept (pool volumes and files inside a storage pool's
// folder, qcow2 or raw, on virtio / sata / scsi; IDE becomes SATA), their
// sizes (from the host, ImportOptions.volumeSizes), the storage pools they
// need (./host-needs), the order and target names the renderer gives them
// (vda, vdb, … / sda, sdb, …), and recognising the VM's cloud-init seed
// (seedIsoPath) with its user-data; driver cache / discard / io; cdrom drives
// (empty, or a pool volume or file inside a pool, on sata / scsi / ide).
// Everything else on a disk — other driver options, boot order, serial
// numbers, block devices — is reported.
import {
  absolutePath,
  DISK_GIB_MAX,
  DISKS_MAX,
  forbiddenFolderProblem,
  objectName,
  SEED_DIR,
  seedIsoPath,
  USER_DATA_MAX,
  volumeName,
  CDROMS_MAX,
  type CdromSpec,
  type DiskSpec,
  type VmSpec,
} from '@/lib/spec';
import { diskLetters } from '../domain-xml';
import { childElements, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { filePool } from './host-needs';
import { NOT_KEPT } from './not-kept';
import type { HostNeeds } from './types';
import { diskTarget, extraAttributes, first, lookup, targetIndex } from './xml';

/** A kept disk with the target it had in the domain and its place within its family. */
export interface ImportedDisk {
  disk: DiskSpec;
  dev: string;
  family: 'vd' | 'sd';
  order: number;
}

/** A kept cdrom drive with the target it had in the domain. */
export interface ImportedCdrom {
  cdrom: CdromSpec;
  dev: string;
  order: number;
}

const CACHE_MODES = ['none', 'writethrough', 'writeback', 'directsync', 'unsafe'] as const;
const IO_MODES = ['native', 'threads', 'io_uring'] as const;
const DISCARD_MODES = ['unmap', 'ignore'] as const;

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((candidate) => candidate === value);
}

/** Whether a cdrom is this VM's cloud-init seed ('own'), a seed under another VM's name ('other', reported here), or not a seed. */
export function seedKind(ctx: ImportContext, disk: XmlElement, vm: string): 'own' | 'other' | 'none' {
  const path = first(disk, 'source')?.attributes.file;
  if (path === undefined || !path.startsWith(`${SEED_DIR}/`)) return 'none';
  if (path !== seedIsoPath(vm)) {
    ctx.note(['cloud-init seed', 'disks'], NOT_KEPT.seed.otherVm(diskTarget(disk), path, seedIsoPath(vm)));
    return 'other';
  }
  return 'own';
}

/** The VM's cloud-init seed: kept as vm.cloudInit, with the user-data the caller read from the host. */
export function importSeed(ctx: ImportContext, device: XmlElement, vm: VmSpec, expectedDev: string): void {
  const dev = diskTarget(device);
  const target = first(device, 'target');
  const driver = first(device, 'driver');
  const extras: string[] = [];
  if (target?.attributes.bus !== 'sata') extras.push(NOT_KEPT.seed.bus(target?.attributes.bus ?? '?'));
  if (dev !== expectedDev) extras.push(NOT_KEPT.seed.target(dev, expectedDev));
  if (driver?.attributes.type !== 'raw') extras.push(NOT_KEPT.seed.format(driver?.attributes.type ?? '?'));
  if (!first(device, 'readonly')) extras.push(NOT_KEPT.seed.writable);
  if (extras.length > 0) ctx.note('cloud-init seed', NOT_KEPT.seed.differs(extras));
  const userData = ctx.options.cloudInitUserData;
  if (userData === undefined) {
    ctx.note('cloud-init seed', NOT_KEPT.seed.userDataUnknown(seedIsoPath(vm.name)));
    vm.cloudInit = { userData: '' };
  } else if (userData.length > USER_DATA_MAX || userData.includes('\u0000') || !userData.isWellFormed()) {
    ctx.note('cloud-init seed', NOT_KEPT.seed.userDataRefused);
    vm.cloudInit = { userData: '' };
  } else vm.cloudInit = { userData };
}

/** Whether the host reported the disk's path as resolving outside its pool (noted, and the disk is not kept). */
function unsafeDisk(ctx: ImportContext, key: string, label: string): boolean {
  const unsafe = lookup(ctx.options.unsafeDisks, key);
  if (unsafe === undefined) return false;
  ctx.note('disks', NOT_KEPT.disks.unsafe(label, unsafe));
  return true;
}

/** A disk's or cdrom's source as the spec's, with the key of its size, and the pool it needs; null (noted) when not kept. */
function placeSource(
  ctx: ImportContext,
  type: 'file' | 'volume',
  source: XmlElement,
  label: string,
  needs: HostNeeds,
): { source: DiskSpec['source']; key: string } | null {
  if (type === 'volume') {
    const pool = source.attributes.pool ?? '';
    const volume = source.attributes.volume ?? '';
    if (!objectName.safeParse(pool).success || !volumeName.safeParse(volume).success) {
      ctx.note('disks', NOT_KEPT.disks.volumeNames(label, pool, volume));
      return null;
    }
    const diskSource: DiskSpec['source'] = { type: 'volume', pool, volume };
    const key = `${pool}/${volume}`;
    if (unsafeDisk(ctx, key, label)) return null;
    if (
      !ctx.host.storagePools.some((candidate) => candidate.name === pool) &&
      !needs.storagePools.some((candidate) => candidate.name === pool)
    ) {
      const path = lookup(ctx.options.poolPaths, pool);
      const forbidden = path === undefined ? null : forbiddenFolderProblem(path);
      if (forbidden) {
        ctx.note('disks', NOT_KEPT.disks.poolInSystemFolder(label, pool, forbidden));
        return null;
      }
      needs.storagePools.push(path !== undefined && absolutePath.safeParse(path).success ? { name: pool, path } : { name: pool });
    }
    return { source: diskSource, key };
  }
  {
    const path = source.attributes.file ?? '';
    if (!absolutePath.safeParse(path).success) {
      ctx.note('disks', NOT_KEPT.disks.badPath(label));
      return null;
    }
    if (path.startsWith(`${SEED_DIR}/`)) {
      ctx.note('disks', NOT_KEPT.disks.inSeedFolder(label));
      return null;
    }
    if (unsafeDisk(ctx, path, label)) return null;
    const place = filePool(path, ctx.host, ctx.options.poolPaths, needs);
    if (place.kind === 'forbidden') {
      ctx.note('disks', NOT_KEPT.disks.outsidePools(label, place.reason));
      return null;
    }
    if (place.kind === 'need') needs.storagePools.push(place.need);
    return { source: { type: 'file', path }, key: path };
  }
}

/** One <disk> (not the seed) as a disk of the spec, or null when it is not kept. */
export function importDisk(ctx: ImportContext, device: XmlElement, needs: HostNeeds): ImportedDisk | null {
  const kind = device.attributes.device ?? 'disk';
  const dev = diskTarget(device);
  const source = first(device, 'source');
  const where =
    source?.attributes.file ??
    source?.attributes.dev ??
    (source?.attributes.volume ? `${source.attributes.pool}/${source.attributes.volume}` : source?.attributes.name);
  const label = NOT_KEPT.disks.label(dev, where);
  if (kind === 'cdrom') {
    ctx.note('disks', NOT_KEPT.disks.cdrom(label));
    return null;
  }
  if (kind !== 'disk') {
    ctx.note('disks', NOT_KEPT.disks.device(kind, label));
    return null;
  }
  const type = device.attributes.type ?? 'file';
  if (type !== 'file' && type !== 'volume') {
    ctx.note('disks', NOT_KEPT.disks.type(type, label));
    return null;
  }
  if (!source) {
    ctx.note('disks', NOT_KEPT.disks.noSource(label));
    return null;
  }
  const driver = first(device, 'driver');
  const format = driver?.attributes.type ?? 'raw';
  if (driver?.attributes.type === undefined) ctx.note('disks', NOT_KEPT.disks.noFormat(label));
  if (format !== 'qcow2' && format !== 'raw') {
    ctx.note('disks', NOT_KEPT.disks.format(format, label));
    return null;
  }
  const options: Pick<DiskSpec, 'cache' | 'discard' | 'io'> = {};
  if (driver) {
    const cache = oneOf(CACHE_MODES, driver.attributes.cache);
    const io = oneOf(IO_MODES, driver.attributes.io);
    const discard = oneOf(DISCARD_MODES, driver.attributes.discard);
    if (cache) options.cache = cache;
    if (io) options.io = io;
    if (discard) options.discard = discard;
    const extras = extraAttributes(driver, {
      name: 'qemu',
      type: null,
      ...(cache ? { cache: null } : {}),
      ...(io ? { io: null } : {}),
      ...(discard ? { discard: null } : {}),
    });
    if (extras.length > 0) ctx.note('disks', NOT_KEPT.disks.driverOptions(label, extras));
    if (childElements(driver).length > 0) ctx.note('disks', NOT_KEPT.disks.driverSettings(label, childElements(driver)));
  }

  const placed = placeSource(ctx, type, source, label, needs);
  if (placed === null) return null;
  const { source: diskSource, key } = placed;
  const sourceExtras = extraAttributes(source, type === 'volume' ? { pool: null, volume: null, index: null } : { file: null, index: null });
  if (sourceExtras.length > 0) ctx.note('disks', NOT_KEPT.disks.sourceOptions(label, sourceExtras));
  if (childElements(source).length > 0) ctx.note('disks', NOT_KEPT.disks.sourceSettings(label, childElements(source)));

  const target = first(device, 'target');
  let bus = target?.attributes.bus ?? (dev.startsWith('vd') ? 'virtio' : dev.startsWith('hd') ? 'ide' : 'sata');
  if (bus === 'ide') {
    ctx.note('disks', NOT_KEPT.disks.ide(label));
    bus = 'sata';
  }
  if (bus !== 'virtio' && bus !== 'sata' && bus !== 'scsi') {
    ctx.note('disks', NOT_KEPT.disks.bus(label, bus));
    return null;
  }
  if (target) {
    const extras = extraAttributes(target, { dev: null, bus: null });
    if (extras.length > 0) ctx.note('disks', NOT_KEPT.disks.targetOptions(label, extras));
  }
  for (const part of childElements(device)) {
    if (['driver', 'source', 'target', 'alias', 'address', 'backingStore'].includes(part.name)) continue;
    ctx.note(part.name === 'boot' ? ['disks', 'boot order'] : 'disks', NOT_KEPT.disks.part(label, part));
  }

  const sizeValue = lookup(ctx.options.volumeSizes, key);
  let sizeGiB = 1;
  if (sizeValue === undefined || !Number.isFinite(sizeValue) || sizeValue < 0) {
    ctx.note('disk size', NOT_KEPT.disks.sizeUnknown(label));
  } else {
    sizeGiB = Math.max(1, Math.ceil(sizeValue - 1e-9));
    if (sizeGiB > DISK_GIB_MAX) {
      ctx.note('disk size', NOT_KEPT.disks.sizeTooLarge(label));
      sizeGiB = DISK_GIB_MAX;
    }
  }
  const family: 'vd' | 'sd' = bus === 'virtio' ? 'vd' : 'sd';
  const parsedTarget = targetIndex(dev);
  const order = parsedTarget === null ? Number.MAX_SAFE_INTEGER : parsedTarget.index;
  return { disk: { source: diskSource, sizeGiB, format, bus, ...options }, dev, family, order };
}

/**
 * The kept disks into vm.disks: in document order, but within each family
 * (vd…, sd…) in target order, so the renderer's vda, vdb, … / sda, sdb, …
 * match the targets the domain has. Returns the seed's target (the next sd).
 */
export function placeDisks(ctx: ImportContext, disks: ImportedDisk[], cdroms: ImportedCdrom[], vm: VmSpec): string {
  for (const family of ['vd', 'sd'] as const) {
    const slots = disks.flatMap((entry, index) => (entry.family === family ? [index] : []));
    const sorted = slots.map((index) => disks[index]!).sort((a, b) => a.order - b.order);
    slots.forEach((slot, i) => {
      disks[slot] = sorted[i]!;
    });
  }
  if (disks.length > DISKS_MAX) {
    for (const extra of disks.splice(DISKS_MAX)) ctx.note('disks', NOT_KEPT.disks.tooMany(extra.dev));
  }
  vm.disks = disks.map((entry) => entry.disk);
  let virtio = 0;
  let sd = 0;
  let hd = 0;
  for (const entry of disks) {
    const dev = entry.disk.bus === 'virtio' ? `vd${diskLetters(virtio++)}` : `sd${diskLetters(sd++)}`;
    if (dev !== entry.dev) ctx.note('disks', NOT_KEPT.disks.renamed(entry.dev, dev));
  }
  const drives = [...cdroms].sort((a, b) => a.order - b.order);
  if (drives.length > CDROMS_MAX) {
    for (const extra of drives.splice(CDROMS_MAX)) ctx.note('disks', NOT_KEPT.disks.tooMany(extra.dev));
  }
  vm.cdroms = drives.map((entry) => entry.cdrom);
  for (const entry of drives) {
    const dev = entry.cdrom.bus === 'ide' ? `hd${diskLetters(hd++)}` : `sd${diskLetters(sd++)}`;
    if (dev !== entry.dev) ctx.note('disks', NOT_KEPT.disks.renamed(entry.dev, dev));
  }
  return `sd${diskLetters(sd)}`;
}

/** One cdrom drive (not the seed) as a cdrom of the spec, or null (noted) when not kept. */
export function importCdrom(ctx: ImportContext, device: XmlElement, needs: HostNeeds): ImportedCdrom | null {
  const dev = diskTarget(device);
  const source = first(device, 'source');
  const type = device.attributes.type ?? 'file';
  const where =
    source?.attributes.file ??
    source?.attributes.dev ??
    (source?.attributes.volume ? `${source.attributes.pool}/${source.attributes.volume}` : undefined);
  const label = NOT_KEPT.disks.label(dev, where);
  if (type !== 'file' && type !== 'volume') {
    ctx.note('disks', NOT_KEPT.disks.cdrom(label));
    return null;
  }
  const bus = first(device, 'target')?.attributes.bus ?? (dev.startsWith('hd') ? 'ide' : 'sata');
  if (bus !== 'sata' && bus !== 'scsi' && bus !== 'ide') {
    ctx.note('disks', NOT_KEPT.disks.bus(label, bus));
    return null;
  }
  const cdrom: CdromSpec = { bus };
  const hasSource = source !== undefined && Object.keys(source.attributes).some((key) => key !== 'index' && key !== 'startupPolicy');
  if (hasSource) {
    const placed = placeSource(ctx, type, source, label, needs);
    if (placed === null) return null;
    cdrom.source = placed.source;
  }
  const driver = first(device, 'driver');
  if (driver) {
    const extras = extraAttributes(driver, { name: 'qemu', type: 'raw' });
    if (extras.length > 0) ctx.note('disks', NOT_KEPT.disks.driverOptions(label, extras));
  }
  for (const part of childElements(device)) {
    if (['driver', 'source', 'target', 'readonly', 'alias', 'address', 'backingStore'].includes(part.name)) continue;
    ctx.note(part.name === 'boot' ? ['disks', 'boot order'] : 'disks', NOT_KEPT.disks.part(label, part));
  }
  const parsedTarget = targetIndex(dev);
  return { cdrom, dev, order: parsedTarget === null ? Number.MAX_SAFE_INTEGER : parsedTarget.index + (bus === 'ide' ? 1000 : 0) };
}
