// Adopting a lab host in one step: its existing domains become Hostdeck VMs with
// their UUIDs and MACs, and the first plan against the live XML shows no change.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { addLabHost } from '@/tests/helpers/lab-host';
import { ensureLab, labSsh, type LabHost } from '@/tests/helpers/lab';
import { getDb } from '@/lib/db';
import { refreshFacts } from '@/lib/hosts/onboarding';
import { importHostDomains } from '@/lib/hosts/import';
import { domainTypeOf, hostConfiguration } from '@/lib/hosts/configuration';
import { loadHostWithVms } from '@/lib/hosts/inventory';
import { plan, renderHost } from '@/lib/render';

useTestDatabase();
let lab: LabHost;
let hostId: string;
let firstImport: Awaited<ReturnType<typeof importHostDomains>>;

const onLab = async (...argv: string[]) => (await labSsh(lab, argv)).stdout;

beforeAll(async () => {
  lab = (await ensureLab(2))[1]!;
  hostId = await addLabHost(lab);
  await refreshFacts(hostId);
}, 180_000);

describe('importing a host', () => {
  it('turns every domain into a VM, keeping UUIDs and MACs, and adds the networks they use to the host', async () => {
    const report = await importHostDomains(hostId);
    firstImport = report;
    expect(report.skipped).toEqual([]);
    expect(report.imported.map((v) => v.name).sort()).toEqual(['lab-vm-1', 'lab-vm-2']);
    for (const name of ['lab-vm-1', 'lab-vm-2']) {
      const vm = await getDb().vm.findFirstOrThrow({ where: { hostId, name } });
      expect(vm.uuid).toBe((await onLab('virsh', 'domuuid', name)).trim());
      const macs = [...(await onLab('virsh', 'dumpxml', name)).matchAll(/<mac address='([^']+)'/g)].map((m) => m[1]);
      expect((vm.spec as { interfaces: { mac: string }[] }).interfaces.map((i) => i.mac)).toEqual(macs);
    }
    const running = await getDb().vm.findFirstOrThrow({ where: { hostId, name: 'lab-vm-1' } });
    expect(running.desiredPower).toBe('running');
    const host = await getDb().host.findUniqueOrThrow({ where: { id: hostId } });
    const spec = host.spec as { network: { libvirtNetworks: string[] } };
    expect(spec.network.libvirtNetworks.length + report.hostAdditions.bridges.length).toBeGreaterThan(0);
  });

  it('plans exactly the differences the import reported (none for the lab guests, whose devices are all kept), and a second import adds nothing', async () => {
    const loaded = await loadHostWithVms(hostId);
    if (!loaded?.doc.ok) throw new Error(JSON.stringify(loaded?.doc));
    const rendered = renderHost(loaded.doc.value, { domainType: await domainTypeOf(hostId) });
    const live: Record<string, string> = {};
    for (const name of ['lab-vm-1', 'lab-vm-2']) live[name] = await onLab('virsh', 'dumpxml', '--inactive', name);
    const result = plan({ desired: rendered, deployed: { files: rendered.files, manifest: rendered.manifest }, live });
    for (const vm of result.vms) {
      const imported = firstImport.imported.find((i) => i.name === vm.name)!;
      expect(vm.drift).toEqual(imported.differences);
      // Nothing is silently dropped: every difference is explained by a note.
      expect(imported.differences.length === 0 || imported.unsupported.length > 0).toBe(true);
    }
    // The lab guests' video card, CPU and devices are modelled or kept as
    // unmanaged XML now: they import with nothing lost and plan as unchanged.
    for (const name of ['lab-vm-1', 'lab-vm-2']) {
      const imported = firstImport.imported.find((i) => i.name === name)!;
      expect(imported.unsupported, name).toEqual([]);
      expect(imported.differences, name).toEqual([]);
    }
    // The domains as found were recorded as the deployed baseline: the host's
    // configuration plans exactly the import's differences, nothing else.
    const config = await hostConfiguration(hostId);
    if (!config?.ok) throw new Error('configuration failed');
    expect(config.deployedKind).toBe('import');
    for (const vm of config.plan.vms) {
      const imported = firstImport.imported.find((i) => i.name === vm.name)!;
      expect(`${vm.name}:${vm.action}:${vm.changes.join(',')}`).toBe(
        `${vm.name}:${imported.differences.length ? 'changed' : 'unchanged'}:${imported.differences.join(',')}`,
      );
    }
    const again = await importHostDomains(hostId);
    expect(again.imported).toEqual([]);
  });
});
