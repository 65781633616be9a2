// lib/libvirt/import/types — what goes into an import and what comes out.
//
// Owns: the public types of the import (ImportOptions, ImportResult,
// HostNeeds); the functions are in ./index and ./host-needs.
import type { VmSpec } from '@/lib/spec';
import type { DomainType } from '../domain-xml';

export interface HostNeeds {
  /** Bridges used by `bridge` interfaces and missing from host.network.bridges. */
  bridges: string[];
  /** Host NICs used by `direct` (macvtap) interfaces and missing from host.network.nics / bonds. */
  nics: string[];
  /** libvirt networks used by `network` interfaces and missing from host.network.libvirtNetworks. */
  libvirtNetworks: string[];
  /**
   * Storage pools used by volume and file disks and missing from
   * host.storagePools; `path` when known. `folder`: no libvirt pool of that
   * name exists — Hostdeck named a pool after the folder of file disks found
   * outside every pool (the name may change when merged with other needs).
   */
  storagePools: { name: string; path?: string; folder?: true }[];
}

export type ImportResult =
  | {
      ok: true;
      vm: VmSpec;
      /** What the spec cannot express, one sentence each, in document order. Empty = nothing is lost. */
      unsupported: string[];
      hostNeeds: HostNeeds;
      /** The domain's hypervisor type; render with it (renderDomainXml / renderHost `domainType`). */
      domainType: DomainType;
      /**
       * Where the rendered VM differs from the original after normalising — the
       * changes the first plan would show for this domain (categories as in
       * `plan`). Empty = the VM plans as unchanged.
       */
      differences: string[];
    }
  | { ok: false; reason: string };

export interface ImportOptions {
  /** Whether the domain runs now (`virsh domstate`); sets powerState. Default: from the XML (`id` on a running domain's <domain>). */
  running?: boolean;
  /** Whether libvirt starts the domain at boot (`virsh dominfo`); default false. */
  autostart?: boolean;
  /**
   * Disk sizes in GiB (fractions allowed, rounded up), keyed by the source
   * file path or by `pool/volume` — from `virsh vol-info --bytes` or
   * `qemu-img info`. A disk not listed gets 1 GiB and a note.
   */
  volumeSizes?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  /** Folders of storage pools by name (`virsh pool-dumpxml`), for hostNeeds.storagePools. */
  poolPaths?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /**
   * Disks (keyed like volumeSizes) whose path the host resolved outside the
   * pool folder they claim to be in (a symlink), or into a system folder; the
   * value says why. Such disks are not kept.
   */
  unsafeDisks?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** user-data of a Hostdeck cloud-init seed attached to the domain (read from the host's Hostdeck folder). */
  cloudInitUserData?: string;
}
