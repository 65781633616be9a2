// Bonds and bridges as the host editor sends them: a new host gets the same
// cross-field checks as an edited one, each issue at its field path.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { saveHost } from '@/lib/hosts/inventory';

useTestDatabase();

const spec = (bridgeUplink: string) => ({
  name: 'net1',
  address: '192.0.2.40',
  flavour: 'nixos',
  cpuVendor: 'intel',
  network: {
    nics: ['eno1', 'eno2'],
    bonds: [{ name: 'bond0', interfaces: ['eno1', 'eno2'], mode: '802.3ad', miimon: 100, macAddress: '52:54:00:aa:10:01' }],
    bridges: [
      {
        name: 'br0',
        uplink: { kind: 'bond', name: bridgeUplink },
        macAddress: '52:54:00:aa:10:02',
        stp: true,
        ipv4: { dhcp: false, addresses: [{ address: '192.0.2.41', prefixLength: 24 }] },
        ipv6: { slaac: false, addresses: [{ address: '2001:db8::41', prefixLength: 64 }], tempAddress: 'disabled' },
      },
    ],
  },
});

describe('saving a host with bonds and bridges', () => {
  it('refuses a new host whose bridge names an undefined bond, at the uplink name, and stores nothing', async () => {
    const result = await saveHost({ spec: spec('bond9') });
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ path: 'network.bridges[0].uplink.name' })] });
    expect(await getDb().host.count({ where: { name: 'net1' } })).toBe(0);
  });

  it('stores a new host whose bridge is built over its bond, every setting kept', async () => {
    const result = await saveHost({ spec: spec('bond0') });
    expect(result.ok).toBe(true);
    const stored = await getDb().host.findUniqueOrThrow({ where: { name: 'net1' } });
    expect((stored.spec as { network: unknown }).network).toEqual({ ...spec('bond0').network, libvirtNetworks: [] });
  });
});
