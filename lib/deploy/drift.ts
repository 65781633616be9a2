// lib/deploy/drift — has someone changed a host outside Hostdeck? Compares each
// domain of the deployed revision with the host's live domain (both normalised,
// lib/libvirt) and its power state with the deployed one (a VM shut down from
// outside drifted too), stores the result on the host (Host.drift,
// driftCheckedAt) for the dashboard, host and VM pages, and offers the two ways
// back: re-apply (lib/changes/service createRollback kind 'reapply': deploy the
// revision again) and adoptLive (below: the live definitions become the desired
// state, as a change to review). Run by the `drift-check` job (lib/jobs/drift-check).
import { getDb, type Prisma } from '@/lib/db';
import { DomainError, notFound } from '@/lib/errors';
import { deployedRevision } from '@/lib/hosts/configuration';
import { hostSpecOf, vmSpecOf } from '@/lib/hosts/columns';
import { saveVm } from '@/lib/hosts/inventory';
import { diffText, domainDifferences, importDomain, normalizeDomainTree, parseXml } from '@/lib/libvirt';
import { vmNameOfXmlFile } from '@/lib/render';
import { readLiveDomains } from '@/lib/deploy/live-domains';
import { refreshOpenChange, type ChangeActor } from '@/lib/changes/service';

export type VmDrift = { drift: string[]; lines: string[] };
export type HostDrift = { checkedAt: Date | null; vms: Record<string, VmDrift> };

/** Lines only in one side, in order: "- deployed" then "+ live". */
export function lineDifferences(deployed: string, live: string): string[] {
  const before = deployed.split('\n');
  const after = live.split('\n');
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  return [
    ...before.filter((line) => !inAfter.has(line)).map((line) => `- ${line.trim()}`),
    ...after.filter((line) => !inBefore.has(line)).map((line) => `+ ${line.trim()}`),
  ];
}

/** Reads the host's live domains, compares, stores and returns the drift (empty when nothing is deployed). */
export async function checkHostDrift(hostId: string): Promise<HostDrift> {
  const deployed = await deployedRevision(hostId);
  const vms: Record<string, VmDrift> = {};
  if (deployed) {
    const live = await readLiveDomains(hostId);
    const power = new Map((deployed.manifest?.vms ?? []).map((vm) => [vm.name, vm.powerState]));
    for (const file of deployed.files) {
      const name = vmNameOfXmlFile(file.path);
      if (!name) continue;
      const liveXml = live.xml.get(name);
      if (liveXml === undefined) {
        vms[name] = { drift: ['missing on host'], lines: [] };
        continue;
      }
      const drift = domainDifferences(normalizeDomainTree(parseXml(file.content)), normalizeDomainTree(parseXml(liveXml)));
      const running = live.running.has(name);
      if (power.get(name) === 'running' && !running) drift.push('not running');
      if (power.get(name) === 'stopped' && running) drift.push('running');
      if (drift.length > 0) vms[name] = { drift, lines: lineDifferences(diffText(file.path, file.content), diffText(file.path, liveXml)) };
    }
  }
  const checkedAt = new Date();
  await getDb().host.update({ where: { id: hostId }, data: { drift: { vms } as Prisma.InputJsonValue, driftCheckedAt: checkedAt } });
  return { checkedAt, vms };
}

/** The drift found by the last check. */
export async function hostDrift(hostId: string): Promise<HostDrift> {
  const host = await getDb().host.findUnique({ where: { id: hostId }, select: { drift: true, driftCheckedAt: true } });
  if (!host) throw notFound('host');
  const stored = host.drift as { vms?: Record<string, VmDrift> } | null;
  return { checkedAt: host.driftCheckedAt, vms: stored?.vms ?? {} };
}

/**
 * The live definitions of the drifted VMs become their desired state (read
 * back like an import, keeping each VM's identity, disk sizes, cloud-init,
 * description and tags), and the host's open change is brought up to date:
 * the approver reviews what adopting means before anything is recorded.
 */
export async function adoptLive(hostId: string, actor: ChangeActor): Promise<{ id: string | null }> {
  const db = getDb();
  const host = await db.host.findUnique({ where: { id: hostId } });
  if (!host) throw notFound('host');
  const drift = await checkHostDrift(hostId);
  const names = Object.keys(drift.vms).filter((name) => !drift.vms[name]!.drift.includes('missing on host'));
  if (names.length === 0) throw new DomainError('conflict', `${host.name} has no drifted VM that runs on it: nothing to adopt`);
  const live = await readLiveDomains(hostId);
  const problems: string[] = [];
  for (const name of names) {
    const row = await db.vm.findFirst({ where: { hostId, name } });
    const liveXml = live.xml.get(name);
    if (!row || !liveXml) continue;
    const current = vmSpecOf(row);
    const imported = importDomain(liveXml, hostSpecOf(host), { running: live.running.has(name), autostart: current.autostart });
    if (!imported.ok) {
      problems.push(`${name}: ${imported.reason}`);
      continue;
    }
    const sizes = new Map(current.disks.map((disk) => [JSON.stringify(disk.source), disk.sizeGiB]));
    const spec = {
      ...imported.vm,
      disks: imported.vm.disks.map((disk) => ({ ...disk, sizeGiB: sizes.get(JSON.stringify(disk.source)) ?? disk.sizeGiB })),
      cloudInit: current.cloudInit,
      description: current.description,
      tags: current.tags,
    };
    const saved = await saveVm({ hostId, id: row.id, spec });
    if (!saved.ok) problems.push(`${name}: ${saved.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
  if (problems.length > 0) throw new DomainError('conflict', `Could not adopt the live state of ${problems.join(' · ')}`);
  const refreshed = await refreshOpenChange(hostId, actor, `Adopt the live state of ${names.join(', ')}`);
  return { id: refreshed.changeId };
}
