// The host editor's bond and bridge rows: a spec survives spec → rows → spec
// unchanged (with and without IPv4/IPv6 settings), and rows as typed become the
// shape lib/spec validates, its issues at the paths the row cells show.
import { describe, expect, it } from 'vitest';
import { bondRow, bondSpecOf, BLANK_BRIDGE, bridgeRow, bridgeSpecOf } from '@/components/forms/host-network-rows';
import { formatIssues, hostSpecSchema } from '@/lib/spec';
import type { BridgeSpec } from '@/lib/spec';

const bond = { name: 'bond0', interfaces: ['eno1', 'eno2'], mode: '802.3ad' as const, miimon: 250, macAddress: '52:54:00:aa:00:01' };
const bridges: BridgeSpec[] = [
  { name: 'br0', stp: false },
  { name: 'br1', uplink: { kind: 'bond', name: 'bond0' }, macAddress: '52:54:00:aa:00:02', stp: true, ipv4: { dhcp: true, addresses: [] } },
  {
    name: 'br2',
    uplink: { kind: 'nic', name: 'eno3' },
    stp: false,
    ipv4: { dhcp: false, addresses: [{ address: '192.0.2.5', prefixLength: 24 }] },
    ipv6: { slaac: false, addresses: [{ address: '2001:db8::5', prefixLength: 64 }], tempAddress: 'disabled' },
  },
  { name: 'br3', stp: false, ipv6: { slaac: true, addresses: [], tempAddress: 'default' } },
];

describe('bond and bridge rows', () => {
  it('give back the spec they were made from', () => {
    expect(bondSpecOf(bondRow(bond))).toEqual(bond);
    for (const bridge of bridges) expect(bridgeSpecOf(bridgeRow(bridge))).toEqual(bridge);
  });

  it('leave IP settings out when none is set, and treat — with static addresses as off', () => {
    expect(bridgeSpecOf({ ...BLANK_BRIDGE, name: 'br9' })).toEqual({ name: 'br9', stp: false });
    expect(bridgeSpecOf({ ...BLANK_BRIDGE, name: 'br9', ipv4Addresses: '192.0.2.9/24, 192.0.2.10/25' }).ipv4).toEqual({
      dhcp: false,
      addresses: [
        { address: '192.0.2.9', prefixLength: 24 },
        { address: '192.0.2.10', prefixLength: 25 },
      ],
    });
  });

  it('pass bad text on for the schema to name at the cell paths', () => {
    const spec = {
      name: 'hv1',
      address: '192.0.2.1',
      flavour: 'nixos',
      cpuVendor: 'intel',
      network: {
        bonds: [bondSpecOf({ ...bondRow(bond), miimon: 'often', macAddress: '52:54:00:zz:00:01' })],
        bridges: [bridgeSpecOf({ ...BLANK_BRIDGE, name: 'br0', ipv4Addresses: '192.0.2.9, 192.0.2.10/x' })],
      },
    };
    const parsed = hostSpecSchema.safeParse(spec);
    expect(parsed.success).toBe(false);
    const paths = parsed.success ? [] : formatIssues(parsed.error).map((i) => i.path);
    expect(paths.sort()).toEqual([
      'network.bonds[0].macAddress',
      'network.bonds[0].miimon',
      'network.bridges[0].ipv4.addresses[0].prefixLength',
      'network.bridges[0].ipv4.addresses[1].prefixLength',
    ]);
  });
});
