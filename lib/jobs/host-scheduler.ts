// lib/jobs/host-scheduler — one job per contactable host per interval, for
// every app process at once: each round inserts, for every host that may be
// contacted, a job with singletonKey = host id and singletonSeconds = the
// interval; pg-boss's unique index on (queue, time slot, key) lets only the
// first insert of each slot through, so N processes still act on a host once
// per interval. Used by the `poll-host` and `drift-check` queues.
import type PgBoss from 'pg-boss';
import { getDb } from '@/lib/db';
import { UNSAFE_CONFIG } from '@/lib/hosts/safety';

export type HostJob = { hostId: string };

/** The hosts a job may contact: key confirmed and not changed since, settings not refused (the job checks the URI again). */
export function contactableHosts() {
  return getDb().host.findMany({
    where: { hostKeyFingerprint: { not: null }, status: { notIn: ['host_key_changed', UNSAFE_CONFIG] } },
    select: { id: true },
  });
}

/** One round: offers a job for every contactable host, in one insert. Returns how many hosts were offered. */
export async function offerHostJobs(boss: PgBoss, queue: string, intervalMs: number): Promise<number> {
  const hosts = await contactableHosts();
  if (hosts.length === 0) return 0;
  const singletonSeconds = Math.max(1, Math.round(intervalMs / 1000));
  await boss.insert(hosts.map((h) => ({ name: queue, data: { hostId: h.id } satisfies HostJob, singletonKey: h.id, singletonSeconds })));
  return hosts.length;
}

/** Several rounds per interval, so each slot's job is created near its start; returns a stop function. */
export function startHostScheduler(
  boss: PgBoss,
  queue: string,
  options: { intervalMs: number; log: (message: string) => void },
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const roundMs = Math.max(500, Math.floor(options.intervalMs / 4));
  const round = async () => {
    try {
      await offerHostJobs(boss, queue, options.intervalMs);
    } catch (error) {
      if (!stopped) options.log(`scheduling ${queue} jobs failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!stopped) timer = setTimeout(round, roundMs).unref();
  };
  void round();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
