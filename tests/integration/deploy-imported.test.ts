// Deploying an imported host changes nothing it did not ask to change: the
// lab guests of lab5 (defined by scripts/lab.sh, not by Hostdeck) are
// imported, one guest's memory is changed and the change goes through review
// and the libvirt strategy; afterwards `virsh dumpxml --inactive` of every
// guest, normalised, equals what it was before, except that one guest's memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { ensureLab, labVirsh, type LabHost } from '@/tests/helpers/lab';
import { addLabHost } from '@/tests/helpers/lab-host';
import { getDb } from '@/lib/db';
import { diffText, domainDifferences, normalizeDomainTree, parseXml } from '@/lib/libvirt';
import { saveVmDesired } from '@/lib/changes/desired-state';
import { approveChange, proposeChange } from '@/lib/changes/service';
import { deployChange } from '@/lib/deploy/request';
import { runDeployment } from '@/lib/deploy/runner';
import { strategyFor } from '@/lib/deploy/strategies';
import { fullLog } from '@/lib/deploy/log';
import { lineDifferences } from '@/lib/deploy/drift';
import { vmSpecOf } from '@/lib/hosts/columns';
import { importHostDomains } from '@/lib/hosts/import';
import { refreshFacts } from '@/lib/hosts/onboarding';

useTestDatabase();

let lab: LabHost;
const before = new Map<string, string>();
const CHANGED = 'lab-vm-2';

const normalised = (xml: string) => normalizeDomainTree(parseXml(xml));

beforeAll(async () => {
  lab = (await ensureLab(5))[4]!;
  for (const name of (await labVirsh(lab, ['list', '--all', '--name'])).split('\n').filter(Boolean))
    before.set(name, await labVirsh(lab, ['dumpxml', '--inactive', name]));
}, 300_000);

afterAll(async () => {
  // Put the changed guest back as scripts/lab.sh defined it.
  const original = before.get(CHANGED);
  if (original) await labVirsh(lab, ['define', '/dev/stdin'], original).catch(() => {});
});

describe('deploying an imported host', () => {
  it("leaves every guest's definition as it was, but for the one change asked for", async () => {
    expect([...before.keys()]).toContain(CHANGED);
    const hostId = await addLabHost(lab, { name: 'imported-deploy' });
    await refreshFacts(hostId);
    const report = await importHostDomains(hostId);
    const imported = report.imported.map((vm) => vm.name).sort();
    expect(imported).toEqual([...before.keys()].sort());

    const [alice, bob] = await Promise.all(
      (['operator', 'approver'] as const).map((role, i) =>
        getDb()
          .user.create({ data: { username: `u${i}`, passwordHash: 'x', role } })
          .then((u) => ({ id: u.id, username: u.username, role })),
      ),
    );
    const row = await getDb().vm.findFirstOrThrow({ where: { hostId, name: CHANGED } });
    const spec = vmSpecOf(row);
    const saved = await saveVmDesired({ hostId, id: row.id, spec: { ...spec, memoryMiB: spec.memoryMiB + 64 } }, alice!);
    if (!saved.ok || !saved.changeId) throw new Error(`no change: ${JSON.stringify(saved)}`);
    const change = await getDb().change.findUniqueOrThrow({ where: { id: saved.changeId } });
    const plan = change.plan as { vms: { name: string; action: string; changes: string[]; removes: string[] }[] };
    const planned = plan.vms.filter((vm) => vm.action !== 'unchanged');
    expect(planned.map((vm) => [vm.name, vm.changes])).toEqual([[CHANGED, ['memory']]]);
    // What the deploy replaces is only the memory element.
    for (const element of planned[0]!.removes) expect(element).toMatch(/^<memory\b/);

    await proposeChange(change.id, alice!);
    await approveChange(change.id, bob!);
    const { deploymentId } = await deployChange(change.id, alice!);
    await runDeployment(deploymentId, { strategyFor, log: () => {} });
    const deployment = await getDb().deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(deployment.status, await fullLog(deploymentId)).toBe('succeeded');

    for (const [name, xml] of before) {
      const after = await labVirsh(lab, ['dumpxml', '--inactive', name]);
      const differences = domainDifferences(normalised(xml), normalised(after));
      expect(differences, name).toEqual(name === CHANGED ? ['memory'] : []);
      const lines = lineDifferences(diffText(`vms/${name}.xml`, xml), diffText(`vms/${name}.xml`, after));
      if (name === CHANGED) for (const line of lines) expect(line).toMatch(/memory/i);
      else expect(lines, name).toEqual([]);
    }
  }, 180_000);
});
