// The dashboard's figures, computed in the database (aggregates, not row scans
// in Node) so they stay fast with thousands of hosts and tens of thousands of VMs.
import { getDb } from '@/lib/db';

export async function dashboardSummary() {
  const db = getDb();
  // Hosts whose last drift check found VMs that differ from what was deployed (Host.drift, lib/deploy/drift).
  const drifted = await db.$queryRaw<{ id: string; vms: string[] }[]>`
    SELECT id::text AS id, ARRAY(SELECT jsonb_object_keys(drift->'vms') ORDER BY 1) AS vms
    FROM "Host"
    WHERE jsonb_typeof(drift->'vms') = 'object' AND drift->'vms' <> '{}'::jsonb
    ORDER BY name
    LIMIT 10`;
  const driftedVms = new Map(drifted.map((h) => [h.id, h.vms]));
  const [hostsByStatus, vmsByState, allocated, capacity, attention, pendingChanges] = await Promise.all([
    db.host.groupBy({ by: ['status'], _count: true }),
    db.vm.groupBy({ by: ['liveState'], _count: true, where: { removed: false } }),
    db.vm.aggregate({ _sum: { vcpus: true, memoryMiB: true }, where: { removed: false } }),
    db.$queryRaw<{ cpus: bigint | null; memory: bigint | null }[]>`
      SELECT sum((facts->'cpu'->>'count')::bigint) AS cpus, sum((facts->'memory'->>'totalMiB')::bigint) AS memory
      FROM "Host" WHERE facts IS NOT NULL`,
    db.host.findMany({
      where: {
        OR: [
          { status: { in: ['unreachable', 'host_key_changed', 'unsafe_config'] } },
          { changes: { some: { status: 'proposed' } } },
          { id: { in: [...driftedVms.keys()] } },
        ],
      },
      orderBy: [{ status: 'desc' }, { name: 'asc' }],
      take: 10,
      select: {
        id: true,
        name: true,
        status: true,
        statusReason: true,
        _count: { select: { changes: { where: { status: 'proposed' } } } },
      },
    }),
    db.change.count({ where: { status: 'proposed' } }),
  ]);
  return {
    hostsByStatus: hostsByStatus.map((h) => ({ status: h.status, count: h._count })),
    vmsByState: vmsByState.map((v) => ({ state: v.liveState, count: v._count })),
    allocated: { vcpus: allocated._sum.vcpus ?? 0, memoryMiB: allocated._sum.memoryMiB ?? 0 },
    capacity: { cpus: Number(capacity[0]?.cpus ?? 0), memoryMiB: Number(capacity[0]?.memory ?? 0) },
    attention: attention.map((h) => ({
      id: h.id,
      name: h.name,
      status: h.status,
      reason: h.statusReason,
      pendingChanges: h._count.changes,
      driftedVms: driftedVms.get(h.id) ?? [],
    })),
    pendingChanges,
  };
}
