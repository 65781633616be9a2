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
import { absolutePath, freeText, hostName, ifName, macAddress, objectName, unixUser } from './primitives';

const IPV4 = z.ipv4();
const IPV6 = z.ipv6();
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Whether a string is a DNS host name, an IPv4 address or an IPv6 address. */
export function isHostAddress(value: string): boolean {
  return HOSTNAME_PATTERN.test(value) || IPV4.safeParse(value).success || IPV6.safeParse(value).success;
}

export const hostAddress = z
  .string()
  .refine(isHostAddress, { error: 'must be a DNS name, an IPv4 address or an IPv6 address' });

/** libvirt connection URIs as seen from the host itself, e.g. qemu:///system. */
export const libvirtUri = z
  .string()
  .regex(/^(?:qemu|test)(?:\+[a-z]+)?:\/\/[A-Za-z0-9._@:[\]-]*\/[A-Za-z0-9._/-]+(?:\?[A-Za-z0-9._=&/-]*)?$/, {
    error: 'must be a libvirt URI like qemu:///system',
  });

export const bondModes = [
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
] as const;

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
  /** Folder holding the pool's volumes. */
  path: absolutePath,
});

export const baseImageSpec = z.strictObject({
  name: objectName,
  /** Image file on the host that new disks are copied from. */
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
