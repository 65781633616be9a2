// The desired state in the database: hosts and VMs saved through lib/hosts with
// the lib/spec checks, identity kept on edits, and the configuration plan against
// a deployed revision (restart-needed, removal keeping disks).
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { saveHost, saveVm } from '@/lib/hosts/inventory';
import { hostConfiguration } from '@/lib/hosts/configuration';
import { renderHost } from '@/lib/render';
import { loadHostWithVms } from '@/lib/hosts/inventory';

useTestDatabase();

const hostSpec = {
  name: 'hv1',
  address: '192.0.2.10',
  flavour: 'nixos',
  cpuVendor: 'amd',
  network: {
    nics: ['eno1', 'eno2'],
    bonds: [{ name: 'bond0', interfaces: ['eno1', 'eno2'], mode: '802.3ad', macAddress: '52:54:00:aa:00:01' }],
    bridges: [{ name: 'br0', uplink: { kind: 'bond', name: 'bond0' }, macAddress: '52:54:00:aa:00:02' }],
  },
  storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
  baseImages: [{ name: 'debian-12', path: '/var/lib/hostdeck/images/debian-12.qcow2' }],
};

const vmSpec = (extra: object = {}) => ({
  name: 'web1',
  vcpus: 2,
  memoryMiB: 2048,
  disks: [{ source: { type: 'volume', pool: 'default', volume: 'web1-root.qcow2' }, sizeGiB: 20, baseImage: 'debian-12' }],
  interfaces: [{ type: 'bridge', bridge: 'br0' }],
  ...extra,
});

async function markDeployed(hostId: string) {
  const loaded = await loadHostWithVms(hostId);
  if (!loaded?.doc.ok) throw new Error('host does not validate');
  const rendered = renderHost(loaded.doc.value);
  const db = getDb();
  const revision = await db.revision.create({
    data: {
      hostId,
      contentHash: rendered.hash,
      files: { files: rendered.files, manifest: rendered.manifest } as never,
      spec: loaded.doc.value as never,
    },
  });
  await db.deployment.create({ data: { hostId, revisionId: revision.id, status: 'succeeded', finishedAt: new Date() } });
}

describe('hosts and VMs in the database', () => {
  it('refuses an invalid host with every field path, and writes nothing', async () => {
    const result = await saveHost({
      spec: { ...hostSpec, name: 'Bad Name', address: 'not an address!', storagePools: [{ name: 'default', path: 'relative/path' }] },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(['address', 'name', 'storagePools[0].path']);
    expect(await getDb().host.count()).toBe(0);
  });

  it('keeps UUID and MACs across edits, and checks VMs against the host', async () => {
    const host = await saveHost({ spec: hostSpec });
    if (!host.ok) throw new Error(JSON.stringify(host.issues));
    const bad = await saveVm({ hostId: host.id, spec: vmSpec({ interfaces: [{ type: 'bridge', bridge: 'br9' }] }) });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe('interfaces[0].bridge');

    const vm = await saveVm({ hostId: host.id, spec: vmSpec() });
    if (!vm.ok) throw new Error(JSON.stringify(vm.issues));
    const first = await getDb().vm.findUniqueOrThrow({ where: { id: vm.id } });
    const firstSpec = first.spec as { uuid: string; interfaces: { mac: string }[] };
    expect(firstSpec.interfaces[0]!.mac).toMatch(/^52:54:00:/);

    const edited = await saveVm({
      hostId: host.id,
      id: vm.id,
      spec: vmSpec({
        uuid: '11111111-1111-4111-8111-111111111111',
        memoryMiB: 4096,
        interfaces: [
          { type: 'bridge', bridge: 'br0', mac: firstSpec.interfaces[0]!.mac },
          { type: 'bridge', bridge: 'br0', mac: '52:54:00:de:ad:01' },
        ],
      }),
    });
    if (!edited.ok) throw new Error(JSON.stringify(edited.issues));
    const after = await getDb().vm.findUniqueOrThrow({ where: { id: vm.id } });
    const afterSpec = after.spec as { uuid: string; interfaces: { mac: string }[] };
    expect(after.uuid).toBe(first.uuid);
    expect(afterSpec.uuid).toBe(first.uuid);
    expect(afterSpec.interfaces[0]!.mac).toBe(firstSpec.interfaces[0]!.mac);
    expect(afterSpec.interfaces[1]!.mac).not.toBe('52:54:00:de:ad:01'); // a new NIC gets a MAC from Hostdeck, not from the form
    expect(after.memoryMiB).toBe(4096);

    const removeBridge = await saveHost({ id: host.id, spec: { ...hostSpec, network: { ...hostSpec.network, bridges: [] } } });
    expect(removeBridge.ok).toBe(false);
    if (!removeBridge.ok) expect(removeBridge.issues.some((i) => i.path.startsWith('vms[0].interfaces[0]'))).toBe(true);
  });

  it('plans against the deployed revision: restart needed for memory, disks kept on removal', async () => {
    const host = await getDb().host.findUniqueOrThrow({ where: { name: 'hv1' } });
    const neverDeployed = await hostConfiguration(host.id);
    if (!neverDeployed?.ok) throw new Error('configuration failed');
    expect(neverDeployed.deployedHash).toBeNull();
    expect(neverDeployed.plan.summary.added).toBe(1);
    expect(neverDeployed.files.map((f) => `${f.path}:${f.status}`)).toEqual(['default.nix:added', 'vms/web1.xml:added']);

    await markDeployed(host.id);
    const same = await hostConfiguration(host.id);
    if (!same?.ok) throw new Error('configuration failed');
    expect(same.plan.changed).toBe(false);
    expect(same.files.every((f) => f.status === 'unchanged')).toBe(true);

    const vm = await getDb().vm.findFirstOrThrow({ where: { hostId: host.id, name: 'web1' } });
    const spec = vm.spec as Record<string, unknown>;
    expect((await saveVm({ hostId: host.id, id: vm.id, spec: { ...spec, memoryMiB: 8192 } })).ok).toBe(true);
    const bigger = await hostConfiguration(host.id);
    if (!bigger?.ok) throw new Error('configuration failed');
    const web1 = bigger.plan.vms.find((v) => v.name === 'web1')!;
    expect(web1.action).toBe('changed');
    expect(web1.changes).toContain('memory');
    expect(web1.restartNeeded).toBe(true);
    expect(bigger.files.find((f) => f.path === 'vms/web1.xml')!.status).toBe('changed');

    expect((await saveVm({ hostId: host.id, id: vm.id, spec: { ...spec, memoryMiB: 8192, remove: true } })).ok).toBe(true);
    const removal = await hostConfiguration(host.id);
    if (!removal?.ok) throw new Error('configuration failed');
    const removed = removal.plan.vms.find((v) => v.name === 'web1')!;
    expect(removed.action).toBe('removed');
    expect(removed.removal).toEqual({ deleteDisks: false, disks: expect.any(Array) });
  });
});
