// lib/spec/vm — the schema of one virtual machine.
//
// Owns: a VM's identity (name, UUID, MACs — generated once and kept), its
// resources (vCPUs, memory, machine type, firmware), disks (pool volume or
// file, from a base image or empty, bus), network interfaces (bridge, direct
// macvtap on a host NIC, libvirt network; always virtio), graphics (VNC and/or
// SPICE — they always listen on 127.0.0.1, which is not configurable), serial
// console, guest agent, TPM, cloud-init seed, autostart, desired power state,
// description and tags, and the `remove` / `deleteDisks` flags.
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

export const MEMORY_MIB_MIN = 16;
export const MEMORY_MIB_MAX = 16 * 1024 * 1024; // 16 TiB
export const VCPUS_MAX = 4096;
export const DISK_GIB_MAX = 65_536; // 64 TiB
export const DISKS_MAX = 32;
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
});

function interfaceSpec<M extends z.ZodType<string | undefined>>(mac: M) {
  const model = z.literal('virtio').default('virtio');
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('bridge'), bridge: ifName, mac, model }),
    /** macvtap on a host NIC (or bond), always in bridge mode. */
    z.strictObject({ type: z.literal('direct'), dev: ifName, mac, model }),
    z.strictObject({ type: z.literal('network'), network: objectName, mac, model }),
  ]);
}

export const graphicsSpec = z.strictObject({
  vnc: z.boolean().default(true),
  spice: z.boolean().default(false),
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

/** Fill a draft's missing UUID and MACs once; values already present are kept. */
export function assignIdentity(draft: VmDraft): VmSpec {
  return {
    ...draft,
    uuid: draft.uuid ?? newUuid(),
    interfaces: draft.interfaces.map((nic) => ({ ...nic, mac: nic.mac ?? newMac() })),
  };
}
