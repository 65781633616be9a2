// lib/spec/vm — the schema of one virtual machine.
//
// Owns: a VM's identity (name, UUID, MACs — generated once and kept), its
// resources (vCPUs, memory, machine type, firmware), disks (pool volume or
// file, from a base image or empty, bus), network interfaces (bridge, direct
// macvtap on a host NIC, libvirt network; virtio unless imported otherwise), graphics (VNC and/or
// SPICE — they always listen on 127.0.0.1, which is not configurable), serial
// console, guest agent, TPM, cloud-init seed, autostart, desired power state,
// description and tags, and the `remove` / `deleteDisks` flags. Also what
// imported domains commonly set: NIC model and boot ROM, video model, CPU mode / model /
// topology, input devices, disk driver cache / discard / io, cdroms, the
// RNG and SPICE image compression; everything else libvirt can express is
// carried as validated unmanaged XML (./unmanaged-xml).
//
// `vmSpecSchema` is the stored form (UUID and MACs present). `vmDraftSchema`
// is what a form or an API client may send for a new VM (UUID and MACs may be
// missing); `assignIdentity` fills them once.
import { z } from 'zod';
import {
  absolutePath,
  freeText,
  ifName,
  macAddress,
  newMac,
  newUuid,
  objectName,
  uuid,
  vmName,
  volumeName,
  wholeNumber,
} from './primitives';
import { unmanagedXmlSpec } from './unmanaged-xml';

export const MEMORY_MIB_MIN = 16;
export const MEMORY_MIB_MAX = 16 * 1024 * 1024; // 16 TiB
export const VCPUS_MAX = 4096;
export const DISK_GIB_MAX = 65_536; // 64 TiB
export const DISKS_MAX = 32;
export const CDROMS_MAX = 4;
export const INPUTS_MAX = 8;
export const INTERFACES_MAX = 32;
export const DESCRIPTION_MAX = 8192;
export const TAG_MAX = 64;
export const TAGS_MAX = 32;
export const USER_DATA_MAX = 256 * 1024;

export const diskSource = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('volume'),
    /** A storage pool listed in the host spec. */
    pool: objectName,
    volume: volumeName,
  }),
  z.strictObject({
    type: z.literal('file'),
    /** Inside the folder of one of the host's storage pools, never in a system folder (checked in ./host-with-vms). */
    path: absolutePath,
  }),
]);

export const diskSpec = z.strictObject({
  source: diskSource,
  sizeGiB: wholeNumber('GiB')
    .min(1, { error: 'must be at least 1 GiB' })
    .max(DISK_GIB_MAX, { error: `must be at most ${DISK_GIB_MAX} GiB (64 TiB)` }),
  format: z.enum(['qcow2', 'raw']).default('qcow2'),
  /** Copy this base image (listed in the host spec) into the disk when it is created; empty disk when absent. */
  baseImage: objectName.optional(),
  bus: z.enum(['virtio', 'sata', 'scsi']).default('virtio'),
  /** libvirt's disk cache mode; absent = the hypervisor's default. */
  cache: z.enum(['none', 'writethrough', 'writeback', 'directsync', 'unsafe']).optional(),
  /** Pass the guest's TRIM/UNMAP to the image (`unmap`) or not (`ignore`); absent = default. */
  discard: z.enum(['unmap', 'ignore']).optional(),
  /** Host I/O mode; absent = default. */
  io: z.enum(['native', 'threads', 'io_uring']).optional(),
});

/** A cdrom drive: read-only, raw; empty when it has no source. Sources lie in the host's pools like disks (./host-with-vms). */
export const cdromSpec = z.strictObject({
  source: diskSource.optional(),
  /** sata and scsi drives are named after the disks on the sd family (sda, …); ide drives hda, hdb, …. */
  bus: z.enum(['sata', 'scsi', 'ide']).default('sata'),
});

export const NIC_MODELS = ['virtio', 'e1000e', 'e1000', 'rtl8139', 'vmxnet3'] as const;
export const VIDEO_MODELS = ['virtio', 'qxl', 'vga', 'bochs', 'cirrus', 'ramfb', 'none'] as const;

export const cpuSpec = z.strictObject({
  /** libvirt's CPU mode: host-passthrough, host-model, or a named model (`custom`) or QEMU's default model (`maximum`). */
  mode: z.enum(['host-passthrough', 'host-model', 'custom', 'maximum']),
  /** With mode custom: the CPU model, e.g. Skylake-Client-IBRS or qemu64. */
  model: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a libvirt CPU model name such as Skylake-Client or qemu64' })
    .optional(),
  /** sockets × dies × cores × threads must equal vcpus (checked in ./host-with-vms). */
  topology: z
    .strictObject({
      sockets: wholeNumber('sockets').min(1).max(4096),
      dies: wholeNumber('dies').min(1).max(4096).default(1),
      cores: wholeNumber('cores').min(1).max(4096),
      threads: wholeNumber('threads').min(1).max(4096),
    })
    .optional(),
});

export const inputSpec = z.strictObject({
  type: z.enum(['tablet', 'mouse', 'keyboard']),
  bus: z.enum(['usb', 'virtio', 'ps2']),
});

function interfaceSpec<M extends z.ZodType<string | undefined>>(mac: M) {
  const model = z.enum(NIC_MODELS).default('virtio');
  /** The NIC's option ROM (PXE boot); libvirt's <rom enabled='no'/> when false. */
  const bootRom = z.boolean().default(true);
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('bridge'), bridge: ifName, mac, model, bootRom }),
    /** macvtap on a host NIC (or bond), always in bridge mode. */
    z.strictObject({ type: z.literal('direct'), dev: ifName, mac, model, bootRom }),
    z.strictObject({ type: z.literal('network'), network: objectName, mac, model, bootRom }),
  ]);
}

export const graphicsSpec = z.strictObject({
  vnc: z.boolean().default(true),
  spice: z.boolean().default(false),
  /** SPICE image compression (virt-manager turns it off for local displays); absent = QEMU's default. */
  spiceImageCompression: z.enum(['auto_glz', 'auto_lz', 'quic', 'glz', 'lz', 'off']).optional(),
});

export const cloudInitSpec = z.strictObject({
  /** NoCloud user-data (e.g. starting with "#cloud-config"); any text except NUL. */
  userData: freeText(USER_DATA_MAX, 'user-data'),
});

function vmSchema<U extends z.ZodType<string | undefined>, M extends z.ZodType<string | undefined>>(vmUuid: U, mac: M) {
  return z.strictObject({
    name: vmName,
    uuid: vmUuid,
    vcpus: wholeNumber('vCPUs')
      .min(1, { error: 'must be at least 1 vCPU' })
      .max(VCPUS_MAX, { error: `must be at most ${VCPUS_MAX} vCPUs` }),
    memoryMiB: wholeNumber('MiB')
      .min(MEMORY_MIB_MIN, { error: `must be at least ${MEMORY_MIB_MIN} MiB` })
      .max(MEMORY_MIB_MAX, { error: `must be at most ${MEMORY_MIB_MAX} MiB (16 TiB)` }),
    machine: z
      .string()
      .regex(/^(?:q35|pc|pc-q35-\d{1,2}\.\d{1,2}|pc-i440fx-\d{1,2}\.\d{1,2})$/, {
        error: 'must be q35, pc, or a versioned type like pc-q35-8.2 or pc-i440fx-8.2',
      })
      .default('q35'),
    firmware: z.enum(['bios', 'uefi']).default('bios'),
    disks: z
      .array(diskSpec)
      .max(DISKS_MAX, { error: `at most ${DISKS_MAX} disks` })
      .default([]),
    interfaces: z
      .array(interfaceSpec(mac))
      .max(INTERFACES_MAX, { error: `at most ${INTERFACES_MAX} network interfaces` })
      .default([]),
    graphics: graphicsSpec.default({ vnc: true, spice: false }),
    /** The video card that goes with a display (none without VNC or SPICE). */
    video: z.enum(VIDEO_MODELS).default('virtio'),
    /** CPU mode, model and topology; absent = host-passthrough with KVM, QEMU's default model with TCG. */
    cpu: cpuSpec.optional(),
    /** Input devices beyond the PS/2 mouse and keyboard libvirt always adds; absent = a USB tablet with a display. */
    inputs: z
      .array(inputSpec)
      .max(INPUTS_MAX, { error: `at most ${INPUTS_MAX} input devices` })
      .optional(),
    cdroms: z
      .array(cdromSpec)
      .max(CDROMS_MAX, { error: `at most ${CDROMS_MAX} cdrom drives` })
      .default([]),
    /** virtio RNG fed from the host's /dev/urandom. */
    rng: z.boolean().default(true),
    /** Serial console on a pty (reached with `virsh console`). */
    serialConsole: z.boolean().default(true),
    /** virtio channel for the QEMU guest agent (org.qemu.guest_agent.0). */
    guestAgent: z.boolean().default(true),
    /** Emulated TPM 2.0 (swtpm). */
    tpm: z.boolean().default(false),
    cloudInit: cloudInitSpec.optional(),
    autostart: z.boolean().default(true),
    powerState: z.enum(['running', 'stopped']).default('running'),
    description: freeText(DESCRIPTION_MAX, 'description').default(''),
    tags: z
      .array(freeText(TAG_MAX, 'a tag').refine((tag) => tag.trim() !== '', { error: 'a tag must not be empty or blank' }))
      .max(TAGS_MAX, { error: `at most ${TAGS_MAX} tags` })
      .default([]),
    /** libvirt XML Hostdeck does not model, kept as it is on every deploy (rules: ./unmanaged-xml). */
    unmanagedXml: unmanagedXmlSpec.default({ domain: [], devices: [], metadata: [] }),
    /** Remove the VM from the host on the next deployment (its disks are kept unless deleteDisks). */
    remove: z.boolean().default(false),
    /** With `remove`: also delete the VM's disks — only ever volumes or files inside the host's pools. Nothing else ever deletes a disk. */
    deleteDisks: z.boolean().default(false),
  });
}

export const vmSpecSchema = vmSchema(uuid, macAddress);
export const vmDraftSchema = vmSchema(uuid.optional(), macAddress.optional());

export type VmSpec = z.output<typeof vmSpecSchema>;
export type VmSpecInput = z.input<typeof vmSpecSchema>;
export type VmDraft = z.output<typeof vmDraftSchema>;
export type DiskSpec = VmSpec['disks'][number];
export type InterfaceSpec = VmSpec['interfaces'][number];
export type CdromSpec = VmSpec['cdroms'][number];
export type CpuSpec = NonNullable<VmSpec['cpu']>;
export type InputSpec = NonNullable<VmSpec['inputs']>[number];

/** Fill a draft's missing UUID and MACs once; values already present are kept. */
export function assignIdentity(draft: VmDraft): VmSpec {
  return {
    ...draft,
    uuid: draft.uuid ?? newUuid(),
    interfaces: draft.interfaces.map((nic) => ({ ...nic, mac: nic.mac ?? newMac() })),
  };
}
