// lib/render/render-host — a host's whole desired state as files.
//
// Owns: which files a host gets, the manifest that describes them, and the
// content hash that says whether anything changed.
// - every host: vms/<name>.xml per VM not marked `remove`;
//   cloud-init/<name>/user-data and meta-data for VMs with a cloud-init seed;
// - NixOS hosts also: default.nix (the module, see ./nix-module).
// The manifest carries what is not in the files on plain libvirt hosts
// (power state, autostart, disks to create from which base image, removals)
// so the libvirt deployment strategy and the plan can act on it.
// The hash is SHA-256 over the sorted files plus the manifest body (without
// the hash itself), so a change of desired power state changes it too.
// Deterministic: the same spec gives the same bytes, files sorted by path.
import { seedIsoPath, type HostSpec, type HostWithVms, type VmSpec } from '@/lib/spec';
import { renderDomainXml, type DomainType } from '@/lib/libvirt';
import { filesHash, sha256Hex } from './hash';
import { cloudInitFile, MANIFEST_FILE, NIX_MODULE_FILE, vmXmlFile } from './layout';
import { renderNixModule } from './nix-module';

export interface RenderedFile {
  /** Relative path inside the host's Hostdeck folder, e.g. `vms/web1.xml`. */
  path: string;
  content: string;
}

export interface ManifestDisk {
  /** Where the disk lives: a pool volume or a file. */
  pool: string | null;
  volume: string | null;
  path: string | null;
  capacityGiB: number;
  format: 'qcow2' | 'raw';
  /** Base image copied into the disk when it is created; null for an empty disk. */
  baseImage: { name: string; path: string; format: 'qcow2' | 'raw' } | null;
}

export interface ManifestVm {
  name: string;
  uuid: string;
  /** Rendered domain XML file; null for a VM being removed. */
  xmlFile: string | null;
  powerState: 'running' | 'stopped';
  autostart: boolean;
  remove: boolean;
  deleteDisks: boolean;
  firmware: 'bios' | 'uefi';
  disks: ManifestDisk[];
  /** cloud-init NoCloud seed: the ISO to build on the host from the two files. */
  seed: { isoPath: string; userDataFile: string; metaDataFile: string } | null;
}

export interface RenderManifest {
  format: 'hostdeck.render/v1';
  host: { name: string; flavour: 'nixos' | 'libvirt'; libvirtUri: string };
  domainType: DomainType;
  files: { path: string; sha256: string; bytes: number }[];
  vms: ManifestVm[];
  /** Content hash of this render (see the module header). */
  hash: string;
}

export interface RenderedHost {
  files: RenderedFile[];
  manifest: RenderManifest;
  hash: string;
}

export interface RenderHostOptions {
  /** 'kvm' (default), or 'qemu' (TCG) for hosts without /dev/kvm. */
  domainType?: DomainType;
}

function comparePaths(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function manifestDisks(host: HostSpec, vm: VmSpec): ManifestDisk[] {
  return vm.disks.map((disk) => {
    const image = disk.baseImage === undefined ? undefined : host.baseImages.find((candidate) => candidate.name === disk.baseImage);
    return {
      pool: disk.source.type === 'volume' ? disk.source.pool : null,
      volume: disk.source.type === 'volume' ? disk.source.volume : null,
      path: disk.source.type === 'file' ? disk.source.path : null,
      capacityGiB: disk.sizeGiB,
      format: disk.format,
      baseImage: image ? { name: image.name, path: image.path, format: image.format } : null,
    };
  });
}

/** NoCloud meta-data: the instance id is the VM's UUID, so cloud-init runs once per VM. */
export function cloudInitMetaData(vm: VmSpec): string {
  return `instance-id: ${vm.uuid}\nlocal-hostname: ${vm.name}\n`;
}

/** Render a validated host with its VMs into files, a manifest and a content hash. */
export function renderHost(spec: HostWithVms, options: RenderHostOptions = {}): RenderedHost {
  const { host } = spec;
  const domainType = options.domainType ?? 'kvm';
  const vms = [...spec.vms].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: RenderedFile[] = [];
  const xmlByVm = new Map<string, string>();

  for (const vm of vms) {
    if (vm.remove) continue;
    const xml = renderDomainXml(host, vm, { domainType });
    xmlByVm.set(vm.name, xml);
    files.push({ path: vmXmlFile(vm.name), content: xml });
    if (vm.cloudInit) {
      files.push({ path: cloudInitFile(vm.name, 'user-data'), content: vm.cloudInit.userData });
      files.push({ path: cloudInitFile(vm.name, 'meta-data'), content: cloudInitMetaData(vm) });
    }
  }
  if (host.flavour === 'nixos') {
    files.push({ path: NIX_MODULE_FILE, content: renderNixModule(host, vms, { domainType, xmlByVm }) });
  }
  files.sort(comparePaths);

  const body: Omit<RenderManifest, 'hash'> = {
    format: 'hostdeck.render/v1',
    host: { name: host.name, flavour: host.flavour, libvirtUri: host.libvirtUri },
    domainType,
    files: files.map((file) => ({ path: file.path, sha256: sha256Hex(file.content), bytes: Buffer.byteLength(file.content, 'utf8') })),
    vms: vms.map((vm) => ({
      name: vm.name,
      uuid: vm.uuid,
      xmlFile: vm.remove ? null : vmXmlFile(vm.name),
      powerState: vm.powerState,
      autostart: vm.autostart,
      remove: vm.remove,
      deleteDisks: vm.deleteDisks,
      firmware: vm.firmware,
      disks: manifestDisks(host, vm),
      seed:
        vm.cloudInit && !vm.remove
          ? {
              isoPath: seedIsoPath(vm.name),
              userDataFile: cloudInitFile(vm.name, 'user-data'),
              metaDataFile: cloudInitFile(vm.name, 'meta-data'),
            }
          : null,
    })),
  };
  const hash = filesHash([...files, { path: MANIFEST_FILE, content: JSON.stringify(body) }]);
  return { files, manifest: { ...body, hash }, hash };
}

/** The manifest as written next to the files (stable key order, trailing newline). */
export function manifestJson(manifest: RenderManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
