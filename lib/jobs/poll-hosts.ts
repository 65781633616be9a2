// The `poll-host` queue: a worker that polls one host per job (lib/hosts/live
// pollHost), and a scheduler that keeps one poll per host per interval.
//
// Every app process runs both. The scheduler inserts, for every host that may
// be contacted, a job with singletonKey = host id and singletonSeconds = the
// interval: pg-boss's unique index on (queue, time slot, key) lets only the
// first insert of each slot through, so N processes still poll a host once per
// interval. The queue's `stately` policy allows at most one waiting and one
// running job per host, so polls of a slow or unreachable host never pile up.
import type PgBoss from 'pg-boss';
import { getDb } from '@/lib/db';
import type { Env } from '@/lib/env';
import { pollHost } from '@/lib/hosts/live';
import { UNSAFE_CONFIG } from '@/lib/hosts/safety';

export const POLL_HOST_QUEUE = 'poll-host';
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export type PollHostJob = { hostId: string };

/** HOSTDECK_POLL_INTERVAL_MS (default 10 s, at least 1 s; pg-boss's slots are whole seconds). */
export function pollIntervalMs(env: Env = process.env): number {
  const raw = env.HOSTDECK_POLL_INTERVAL_MS;
  if (raw === undefined || raw === '') return DEFAULT_POLL_INTERVAL_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 1000) throw new Error(`HOSTDECK_POLL_INTERVAL_MS must be a number of milliseconds ≥ 1000, got "${raw}"`);
  return ms;
}

/** The hosts a poll may contact: key confirmed and not changed since, settings not refused (pollHost checks the URI again). */
function pollableHosts() {
  return getDb().host.findMany({
    where: { hostKeyFingerprint: { not: null }, status: { notIn: ['host_key_changed', UNSAFE_CONFIG] } },
    select: { id: true },
  });
}

/**
 * One scheduler round: offers a poll job for every pollable host, in one insert;
 * pg-boss drops the offers whose host already has a job in this time slot, or
 * one waiting. Returns how many hosts were offered.
 */
export async function schedulePolls(boss: PgBoss, intervalMs: number): Promise<number> {
  const hosts = await pollableHosts();
  if (hosts.length === 0) return 0;
  const singletonSeconds = Math.max(1, Math.round(intervalMs / 1000));
  await boss.insert(
    hosts.map((h) => ({ name: POLL_HOST_QUEUE, data: { hostId: h.id } satisfies PollHostJob, singletonKey: h.id, singletonSeconds })),
  );
  return hosts.length;
}

export type PollHostsOptions = { intervalMs: number; log: (message: string) => void; batchSize?: number; workerPollingSeconds?: number };

/** Creates the queue, starts this process's worker and scheduler; returns a function that stops the scheduler. */
export async function startPollHosts(boss: PgBoss, options: PollHostsOptions): Promise<() => void> {
  const { intervalMs, log } = options;
  await boss.createQueue(POLL_HOST_QUEUE, {
    name: POLL_HOST_QUEUE,
    policy: 'stately',
    retryLimit: 0, // the next slot polls again anyway
    expireInSeconds: 120, // a poll's SSH command gives up after 30 s
    retentionMinutes: 10, // a waiting poll nobody picked up is dropped
  });

  await boss.work<PollHostJob>(
    POLL_HOST_QUEUE,
    { batchSize: options.batchSize ?? 8, pollingIntervalSeconds: options.workerPollingSeconds ?? 1 },
    async (jobs) => {
      // The hosts of one batch are polled side by side; one host's failure is logged, not the batch's.
      await Promise.all(
        jobs.map((job) =>
          pollHost(job.data.hostId).catch((error: unknown) => {
            log(`polling host ${job.data.hostId} failed: ${error instanceof Error ? error.message : String(error)}`);
          }),
        ),
      );
    },
  );

  // The scheduler: several rounds per interval, so each slot's job is created near its start.
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const roundMs = Math.max(500, Math.floor(intervalMs / 4));
  const round = async () => {
    try {
      await schedulePolls(boss, intervalMs);
    } catch (error) {
      if (!stopped) log(`scheduling host polls failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!stopped) timer = setTimeout(round, roundMs).unref();
  };
  void round();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
