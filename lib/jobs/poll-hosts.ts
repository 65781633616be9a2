// The `poll-host` queue: a worker that polls one host per job (lib/hosts/live
// pollHost), and a scheduler that keeps one poll per host per interval.
//
// Every app process runs both; the scheduler (lib/jobs/host-scheduler) offers
// one job per host per interval across all processes. The queue's `stately` policy allows at most one waiting and one
// running job per host, so polls of a slow or unreachable host never pile up.
import type PgBoss from 'pg-boss';
import type { Env } from '@/lib/env';
import { pollHost } from '@/lib/hosts/live';
import { offerHostJobs, startHostScheduler, type HostJob } from '@/lib/jobs/host-scheduler';

export const POLL_HOST_QUEUE = 'poll-host';
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export type PollHostJob = HostJob;

/** HOSTDECK_POLL_INTERVAL_MS (default 10 s, at least 1 s; pg-boss's slots are whole seconds). */
export function pollIntervalMs(env: Env = process.env): number {
  const raw = env.HOSTDECK_POLL_INTERVAL_MS;
  if (raw === undefined || raw === '') return DEFAULT_POLL_INTERVAL_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 1000) throw new Error(`HOSTDECK_POLL_INTERVAL_MS must be a number of milliseconds ≥ 1000, got "${raw}"`);
  return ms;
}

/** One scheduler round (lib/jobs/host-scheduler): a poll job for every contactable host. */
export function schedulePolls(boss: PgBoss, intervalMs: number): Promise<number> {
  return offerHostJobs(boss, POLL_HOST_QUEUE, intervalMs);
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

  return startHostScheduler(boss, POLL_HOST_QUEUE, { intervalMs, log });
}
