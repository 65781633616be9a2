// lib/spec/host — the schema of one hypervisor host.
//
// Owns: how Hostdeck reaches a host (address, SSH port and user, libvirt URI),
// what kind of host it is (flavour `nixos` or `libvirt`, CPU vendor for the
// KVM module), its networking (NICs, bonds with a mode and a fixed MAC,
// bridges over a NIC or a bond with a fixed MAC, IPv4/IPv6 settings, libvirt
// networks), its storage pools and its base images.
//
// On NixOS hosts the networking and pools are generated into the Nix module;
// on plain libvirt hosts they describe what exists, so VM specs can be checked
// against them. Cross-field checks live in ./host-with-vms.
import { z } from 'zod';
import { absolutePath, forbiddenFolderProblem, freeText, hostName, ifName, macAddress, objectName, unixUser } from './primitives';

const IPV4 = z.ipv4();
const IPV6 = z.ipv6();
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Whether a string is a DNS host name, an IPv4 address or an IPv6 address. */
export function isHostAddress(value: string): boolean {
  return HOSTNAME_PATTERN.test(value) || IPV4.safeParse(value).success || IPV6.safeParse(value).success;
}

export const hostAddress = z.string().refine(isHostAddress, { error: 'must be a DNS name, an IPv4 address or an IPv6 address' });

/**
 * The only libvirt URIs Hostdeck uses: the host's own QEMU driver, with no
 * transport, no host part and no query. Hostdeck already reaches the host over
 * SSH and runs `virsh` there; any other URI would let whoever edits a host spec
 * choose what libvirt connects to — `qemu+ext:///system?command=…` even runs a
 * program of their choice, and `?socket=`, `test:`, `+ssh`, `+tcp`… reach
 * other daemons. Changing the URI is for admins only (lib/hosts/inventory).
 */
export const LIBVIRT_URIS = ['qemu:///system', 'qemu:///session'] as const;
export type LibvirtUri = (typeof LIBVIRT_URIS)[number];

const LIBVIRT_URI_HINT = 'use qemu:///system (or qemu:///session)';

/** Why `value` is not an acceptable libvirt URI, in words for the operator; null when it is one of LIBVIRT_URIS. */
export function libvirtUriProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a libvirt URI: ${LIBVIRT_URI_HINT}`;
  if ((LIBVIRT_URIS as readonly string[]).includes(value)) return null;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return `${shown} is not a libvirt URI: ${LIBVIRT_URI_HINT}`;
  const [driver, transport] = scheme.split('+', 2);
  if (transport !== undefined) {
    return `the libvirt transport "+${transport}" is not allowed (${shown}): Hostdeck runs virsh on the host itself over SSH, so only the local URI is used; ${LIBVIRT_URI_HINT}`;
  }
  if (driver !== 'qemu')
    return `the libvirt driver "${driver}" is not allowed (${shown}): Hostdeck manages QEMU/KVM only; ${LIBVIRT_URI_HINT}`;
  if (value.includes('?'))
    return `query parameters are not allowed in the libvirt URI (${shown}): they can point libvirt at other sockets or programs; ${LIBVIRT_URI_HINT}`;
  if (!value.slice(scheme.length).startsWith(':///'))
    return `the libvirt URI must not name a host (${shown}): Hostdeck connects to the host over SSH and uses its local libvirt; ${LIBVIRT_URI_HINT}`;
  return `${shown} is not allowed: ${LIBVIRT_URI_HINT}`;
}

/** libvirt connection URI as seen from the host itself: qemu:///system or qemu:///session, nothing else. */
export const libvirtUri = z
  .string()
  .superRefine((value, ctx) => {
    const problem = libvirtUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ examples: [...LIBVIRT_URIS], description: 'qemu:///system or qemu:///session; no transport, host or query' });

export const bondModes = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'] as const;

export const bondSpec = z.strictObject({
  name: ifName,
  /** Member NICs; each must be listed in `network.nics`. */
  interfaces: z.array(ifName).min(1, { error: 'a bond needs at least one member NIC' }).max(16),
  mode: z.enum(bondModes),
  /** Link monitoring interval in milliseconds. */
  miimon: z.int().min(0).max(10_000).default(100),
  /** Fixed MAC so DHCP/SLAAC addresses survive reboots and NIC swaps. */
  macAddress,
});

const ipv4Address = z.strictObject({
  address: IPV4.describe('IPv4 address'),
  prefixLength: z.int().min(0).max(32),
});

const ipv6Address = z.strictObject({
  address: IPV6.describe('IPv6 address'),
  prefixLength: z.int().min(1).max(128),
});

export const ipv4Settings = z.strictObject({
  dhcp: z.boolean().default(true),
  addresses: z.array(ipv4Address).max(32).default([]),
});

export const ipv6Settings = z.strictObject({
  /** Stateless autoconfiguration from router advertisements. */
  slaac: z.boolean().default(true),
  addresses: z.array(ipv6Address).max(32).default([]),
  /** RFC 4941 temporary addresses (NixOS `networking.interfaces.<name>.tempAddress`). */
  tempAddress: z.enum(['default', 'enabled', 'disabled']).default('default'),
});

export const bridgeUplink = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('nic'), name: ifName }),
  z.strictObject({ kind: z.literal('bond'), name: ifName }),
]);

export const bridgeSpec = z.strictObject({
  name: ifName,
  /** The NIC or bond the bridge is built on; none for a host-internal bridge. */
  uplink: bridgeUplink.optional(),
  /** Fixed MAC so the bridge's addresses survive reboots (a bridge otherwise takes its lowest port's MAC). */
  macAddress: macAddress.optional(),
  stp: z.boolean().default(false),
  ipv4: ipv4Settings.optional(),
  ipv6: ipv6Settings.optional(),
});

export const hostNetworkSpec = z.strictObject({
  /** Physical NICs of the host that bonds, bridges and direct (macvtap) interfaces may use. */
  nics: z.array(ifName).max(64).default([]),
  bonds: z.array(bondSpec).max(16).default([]),
  bridges: z.array(bridgeSpec).max(64).default([]),
  /** libvirt networks that exist on the host (e.g. "default") and VMs may attach to. */
  libvirtNetworks: z.array(objectName).max(64).default([]),
});

export const storagePoolSpec = z.strictObject({
  name: objectName,
  type: z.literal('dir').default('dir'),
  /** Folder holding the pool's volumes; never a system folder (/dev, /etc, /proc, /sys, /boot, /root). */
  path: absolutePath.superRefine((value, ctx) => {
    const problem = forbiddenFolderProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `a storage pool cannot be there: ${problem}` });
  }),
});

export const baseImageSpec = z.strictObject({
  name: objectName,
  /**
   * Image file on the host that new disks are copied from: inside one of the
   * host's storage pools, or in Hostdeck's image folder BASE_IMAGE_DIR
   * (/var/lib/hostdeck/images) — checked in ./host-with-vms.
   */
  path: absolutePath,
  format: z.enum(['qcow2', 'raw']).default('qcow2'),
  description: freeText(1024, 'description').default(''),
});

export const hostSpecSchema = z.strictObject({
  name: hostName,
  address: hostAddress,
  sshPort: z.int().min(1).max(65535).default(22),
  sshUser: unixUser.default('root'),
  flavour: z.enum(['nixos', 'libvirt']),
  libvirtUri: libvirtUri.default('qemu:///system'),
  /** Selects the KVM kernel module: kvm-intel or kvm-amd. */
  cpuVendor: z.enum(['intel', 'amd']),
  network: hostNetworkSpec.default({ nics: [], bonds: [], bridges: [], libvirtNetworks: [] }),
  storagePools: z.array(storagePoolSpec).max(64).default([]),
  baseImages: z.array(baseImageSpec).max(256).default([]),
  description: freeText(8192, 'description').default(''),
});

export type HostSpec = z.output<typeof hostSpecSchema>;
export type HostSpecInput = z.input<typeof hostSpecSchema>;
export type BondSpec = z.output<typeof bondSpec>;
export type BridgeSpec = z.output<typeof bridgeSpec>;
export type StoragePoolSpec = z.output<typeof storagePoolSpec>;
export type BaseImageSpec = z.output<typeof baseImageSpec>;
