// The host editor's bond and bridge rows (components/forms/host-form.tsx): a
// spec's bonds and bridges as rows of text cells, and rows back into the spec
// shape lib/spec validates. Text the schema would refuse is passed on as typed,
// so the server names the field (e.g. a prefix length that is not a number).
import type { BondSpec, BridgeSpec } from '@/lib/spec';
import { listFromText, numberOrText } from '@/components/forms/spec-form-kit';

export type BondRow = { name: string; interfaces: string; mode: string; miimon: string; macAddress: string };
export type BridgeRow = {
  name: string;
  uplinkKind: string;
  uplinkName: string;
  macAddress: string;
  stp: string;
  ipv4Dhcp: string;
  ipv4Addresses: string;
  ipv6Slaac: string;
  ipv6Addresses: string;
  ipv6TempAddress: string;
};

export const YES_NO = ['', 'yes', 'no'] as const;

export function bondRow(b: BondSpec): BondRow {
  return { name: b.name, interfaces: b.interfaces.join(', '), mode: b.mode, miimon: String(b.miimon), macAddress: b.macAddress };
}

const yesNo = (value: boolean | undefined) => (value === undefined ? '' : value ? 'yes' : 'no');
const addressesText = (list: { address: string; prefixLength: number }[] | undefined) =>
  (list ?? []).map((a) => `${a.address}/${a.prefixLength}`).join(', ');

export function bridgeRow(b: BridgeSpec): BridgeRow {
  return {
    name: b.name,
    uplinkKind: b.uplink?.kind ?? '',
    uplinkName: b.uplink?.name ?? '',
    macAddress: b.macAddress ?? '',
    stp: b.stp ? 'on' : 'off',
    ipv4Dhcp: yesNo(b.ipv4?.dhcp),
    ipv4Addresses: addressesText(b.ipv4?.addresses),
    ipv6Slaac: yesNo(b.ipv6?.slaac),
    ipv6Addresses: addressesText(b.ipv6?.addresses),
    ipv6TempAddress: b.ipv6?.tempAddress ?? 'default',
  };
}

/** `10.0.0.2/24, fd00::2/64` → [{address, prefixLength}]; a missing or bad prefix is left for the schema to name. */
function parseAddresses(text: string) {
  return listFromText(text).map((item) => {
    const slash = item.lastIndexOf('/');
    return slash < 0
      ? { address: item, prefixLength: '' }
      : { address: item.slice(0, slash), prefixLength: numberOrText(item.slice(slash + 1)) };
  });
}

export function bondSpecOf(r: BondRow) {
  return {
    name: r.name.trim(),
    interfaces: listFromText(r.interfaces),
    mode: r.mode,
    ...(r.miimon.trim() === '' ? {} : { miimon: numberOrText(r.miimon) }),
    macAddress: r.macAddress.trim(),
  };
}

/** A bridge row as the spec has it: the IPv4/IPv6 settings only when some of them are set ('—' for DHCP/SLAAC with addresses means off). */
export function bridgeSpecOf(r: BridgeRow) {
  const ipv4 = r.ipv4Dhcp !== '' || r.ipv4Addresses.trim() !== '';
  const ipv6 = r.ipv6Slaac !== '' || r.ipv6Addresses.trim() !== '' || r.ipv6TempAddress !== 'default';
  return {
    name: r.name.trim(),
    ...(r.uplinkKind ? { uplink: { kind: r.uplinkKind, name: r.uplinkName.trim() } } : {}),
    ...(r.macAddress.trim() ? { macAddress: r.macAddress.trim() } : {}),
    stp: r.stp === 'on',
    ...(ipv4 ? { ipv4: { dhcp: r.ipv4Dhcp === 'yes', addresses: parseAddresses(r.ipv4Addresses) } } : {}),
    ...(ipv6 ? { ipv6: { slaac: r.ipv6Slaac === 'yes', addresses: parseAddresses(r.ipv6Addresses), tempAddress: r.ipv6TempAddress } } : {}),
  };
}

export const BLANK_BOND: BondRow = { name: '', interfaces: '', mode: 'active-backup', miimon: '100', macAddress: '' };

export const BLANK_BRIDGE: BridgeRow = {
  name: '',
  uplinkKind: '',
  uplinkName: '',
  macAddress: '',
  stp: 'off',
  ipv4Dhcp: '',
  ipv4Addresses: '',
  ipv6Slaac: '',
  ipv6Addresses: '',
  ipv6TempAddress: 'default',
};
