// Live state of a real lab host (lab4: OpenSSH + libvirtd): one SSH round trip
// reads every domain, polling stores VM states and metrics (a short history),
// a stopped sshd marks the host unreachable with the reason and a later poll
// brings it back; the pg-boss job polls hosts on its own, once per interval
// even with two "processes" scheduling; pg-boss's schema is invisible to
// Prisma's drift check.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { addLabHost } from '@/tests/helpers/lab-host';
import { ensureLab, labCtl, labIndex, sshArgs, type LabHost } from '@/tests/helpers/lab';
import { waitFor } from '@/tests/helpers/wait';
import { getDb } from '@/lib/db';
import { diffSql, isEmptyDiff } from '@/scripts/schema-engine';
import { METRICS_RETENTION_MS, pollHost, readLiveState } from '@/lib/hosts/live';
import { POLL_HOST_QUEUE, startJobs, stopJobs } from '@/lib/jobs';
import { startPollHosts } from '@/lib/jobs/poll-hosts';
import { closeAll } from '@/lib/ssh';

const run = promisify(execFile);
const database = useTestDatabase();
let lab: LabHost;
let hostId: string;
const vmIds: Record<string, string> = {};

async function virsh(...argv: string[]): Promise<string> {
  return (await run('ssh', [...sshArgs(lab), 'virsh', ...argv])).stdout.trim();
}

const host = () => getDb().host.findUniqueOrThrow({ where: { id: hostId } });
const vmRow = (name: string) => getDb().vm.findUniqueOrThrow({ where: { id: vmIds[name]! } });

beforeAll(async () => {
  lab = (await ensureLab(4))[3]!;
  hostId = await addLabHost(lab);
  for (const name of ['lab-vm-1', 'lab-vm-2']) {
    const row = await getDb().vm.create({ data: { hostId, name, uuid: await virsh('domuuid', name), vcpus: 1, memoryMiB: 64, spec: {} } });
    vmIds[name] = row.id;
  }
  // Managed by Hostdeck but not defined on the host (e.g. not deployed yet).
  vmIds.ghost = (
    await getDb().vm.create({
      data: { hostId, name: 'ghost', uuid: '5b0c1a8e-0000-4000-8000-000000000002', vcpus: 1, memoryMiB: 64, spec: {} },
    })
  ).id;
}, 180_000);

afterAll(async () => {
  await stopJobs();
  if (lab) await labCtl(['sshd-start', String(labIndex(lab))]).catch(() => undefined);
  await closeAll();
});

describe('reading and polling live state', () => {
  it('reads every domain of the host in one SSH round trip, matching virsh', async () => {
    const snap = await readLiveState(hostId);
    const names = (await virsh('list', '--all', '--name'))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(snap.domains.map((d) => d.name).sort()).toEqual(names.sort());
    for (const d of snap.domains) {
      const state = await virsh('domstate', d.name);
      expect(d.state, d.name).toBe(state === 'shut off' ? 'shut_off' : state);
    }
    const one = snap.domains.find((d) => d.name === 'lab-vm-1')!;
    expect(one.cpuTimeNs! > 0n).toBe(true);
    expect(one.memoryKiB).toBe(65536);
    expect(snap.memTotalKiB).toBeGreaterThan(0);
    expect(snap.cpu!.total).toBeGreaterThan(snap.cpu!.busy);
    expect(snap.virshError).toBeNull();
    console.log(`readLiveState: ${snap.at.getTime() - snap.startedAt.getTime()} ms`);
  });

  it('a poll stores the VM states, a metric row per running VM and one for the host; the next one has CPU percentages', async () => {
    await getDb().host.update({ where: { id: hostId }, data: { status: 'unreachable', statusReason: 'old' } });
    const first = await pollHost(hostId);
    expect(first).toMatchObject({ status: 'online', unmanaged: [], virshError: null });
    expect((await vmRow('lab-vm-1')).liveState).toBe('running');
    expect((await vmRow('lab-vm-2')).liveState).toBe('shut_off');
    expect((await vmRow('ghost')).liveState).toBe('unknown');
    expect((await vmRow('lab-vm-1')).liveAt).not.toBeNull();
    const h = await host();
    expect(h.status).toBe('online');
    expect(h.statusReason).toBeNull();
    expect(h.lastSeenAt).not.toBeNull();

    // the second sample once the guest has used some CPU since the first
    const firstSample = await getDb().vmMetric.findFirstOrThrow({ where: { vmId: vmIds['lab-vm-1'] } });
    await waitFor(
      async () => BigInt(/^\s*cpu\.time=(\d+)$/m.exec(await virsh('domstats', '--cpu-total', 'lab-vm-1'))![1]!) > firstSample.cpuTimeNs!,
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: 'lab-vm-1 to use CPU time',
      },
    );
    const second = await pollHost(hostId);
    expect(second.status).toBe('online');
    const m1 = await getDb().vmMetric.findMany({ where: { vmId: vmIds['lab-vm-1'] }, orderBy: { at: 'asc' } });
    expect(m1).toHaveLength(2);
    expect(m1[0]!.cpuPercent).toBeNull(); // nothing to compare with yet
    expect(m1[1]!.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(m1[1]!.cpuPercent).toBeLessThanOrEqual(100);
    expect(m1[1]!.cpuTimeNs! >= m1[0]!.cpuTimeNs!).toBe(true);
    expect(m1[1]!.memUsedMiB).toBeGreaterThan(0);
    expect(m1[1]!.netRxB).not.toBeNull();
    expect(await getDb().vmMetric.count({ where: { vmId: vmIds['lab-vm-2'] } })).toBe(0); // shut off: no samples
    const hm = await getDb().hostMetric.findMany({ where: { hostId }, orderBy: { at: 'asc' } });
    expect(hm).toHaveLength(2);
    expect(hm[1]!.cpuPercent).not.toBeNull();
    expect(hm[1]!.memTotalMiB).toBeGreaterThan(hm[1]!.memUsedMiB!);
    console.log(`lab-vm-1 CPU ${m1[1]!.cpuPercent} %, host CPU ${hm[1]!.cpuPercent} %`);
  });

  it('keeps only a short history', async () => {
    const old = new Date(Date.now() - METRICS_RETENTION_MS - 60_000);
    await getDb().vmMetric.create({ data: { vmId: vmIds['lab-vm-1']!, at: old, cpuPercent: 1 } });
    await getDb().hostMetric.create({ data: { hostId, at: old, cpuPercent: 1 } });
    await pollHost(hostId);
    expect(await getDb().vmMetric.count({ where: { at: { lt: new Date(Date.now() - METRICS_RETENTION_MS) } } })).toBe(0);
    expect(await getDb().hostMetric.count({ where: { at: { lt: new Date(Date.now() - METRICS_RETENTION_MS) } } })).toBe(0);
    expect(await getDb().hostMetric.count({ where: { hostId } })).toBe(3);
  });

  it('does not contact hosts whose key is not confirmed or changed', async () => {
    await getDb().host.update({ where: { id: hostId }, data: { status: 'host_key_changed' } });
    expect(await pollHost(hostId)).toEqual({ status: 'skipped', reason: 'the host key changed; an admin must re-pin it' });
    expect((await host()).status).toBe('host_key_changed');
    await expect(readLiveState(hostId)).rejects.toThrow(/Not contacting lab4/);
    await getDb().host.update({ where: { id: hostId }, data: { status: 'online' } });
  });

  it('sshd stopped → the host is marked unreachable with the reason; after sshd-start the next poll marks it online again', async () => {
    await labCtl(['sshd-stop', String(labIndex(lab))]);
    try {
      const down = await pollHost(hostId);
      expect(down.status).toBe('unreachable');
      const h = await host();
      expect(h.status).toBe('unreachable');
      expect(h.statusReason).toMatch(/host unreachable.*(refused|connection-lost)/);
      expect((await vmRow('lab-vm-1')).liveState).toBe('unknown');
    } finally {
      await labCtl(['sshd-start', String(labIndex(lab))]);
    }
    const t0 = Date.now();
    const up = await pollHost(hostId);
    console.log(`first poll after sshd-start: ${Date.now() - t0} ms`);
    expect(up.status).toBe('online');
    const h = await host();
    expect(h.status).toBe('online');
    expect(h.statusReason).toBeNull();
    expect((await vmRow('lab-vm-1')).liveState).toBe('running');
  });
});

describe('the poll-host job', () => {
  it('polls hosts on its own within seconds, and two processes still poll a host once per interval', async () => {
    const intervalMs = 2000;
    await getDb().vm.update({ where: { id: vmIds['lab-vm-1']! }, data: { liveState: 'unknown', liveAt: null } });
    const before = await getDb().hostMetric.count({ where: { hostId } });
    const t0 = Date.now();
    await startJobs({ databaseUrl: database.url(), pollIntervalMs: intervalMs, log: (m) => console.log(`[jobs] ${m}`) });
    // A second app process: its own pg-boss on the same database, with its own worker and scheduler.
    const other = new PgBoss({ connectionString: database.url(), schema: 'pgboss', max: 2, schedule: false });
    other.on('error', () => {});
    await other.start();
    const stopOther = await startPollHosts(other, { intervalMs, log: () => {} });
    try {
      await waitFor(async () => (await vmRow('lab-vm-1')).liveState === 'running', {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'lab-vm-1 polled by the job',
      });
      console.log(`first job poll stored after ${Date.now() - t0} ms`);
      // five polls take at least four intervals unless a host is polled twice in one
      const polls = await waitFor(
        async () => {
          const count = (await getDb().hostMetric.count({ where: { hostId } })) - before;
          return count >= 5 && count;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: 'five polls by the job' },
      );
      const elapsed = Date.now() - t0;
      const slots = Math.ceil(elapsed / intervalMs) + 1;
      console.log(`${polls} polls in ${elapsed} ms (${slots} slots of ${intervalMs} ms, 2 processes)`);
      expect(polls).toBeGreaterThanOrEqual(3);
      expect(polls).toBeLessThanOrEqual(slots);
      const c = new pg.Client({ connectionString: database.url() });
      await c.connect();
      try {
        const dup = await c.query(
          `SELECT singleton_on, count(*)::int AS n FROM pgboss.job WHERE name = $1 AND singleton_key = $2 GROUP BY singleton_on HAVING count(*) > 1`,
          [POLL_HOST_QUEUE, hostId],
        );
        expect(dup.rows).toEqual([]);
      } finally {
        await c.end();
      }
    } finally {
      stopOther();
      await other.stop({ graceful: true, wait: true, timeout: 5000 });
      await stopJobs();
    }
    expect((await host()).status).toBe('online');
  });

  it("pg-boss's own schema does not show up in Prisma's drift check (live database → schema.prisma is empty)", async () => {
    const c = new pg.Client({ connectionString: database.url() });
    await c.connect();
    const tables = await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'pgboss'`);
    await c.end();
    expect(tables.rows[0].n).toBeGreaterThan(0);
    const sql = await diffSql({
      url: database.url(),
      from: { kind: 'url', url: database.url() },
      to: { kind: 'schema', path: path.join(process.cwd(), 'prisma/schema.prisma') },
    });
    expect(isEmptyDiff(sql), sql).toBe(true);
  });
});
