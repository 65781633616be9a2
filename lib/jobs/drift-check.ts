// The `drift-check` queue: every HOSTDECK_DRIFT_INTERVAL_MS (default 60 s, at
// least 5 s) each contactable host's live domains are compared with its
// deployed revision (lib/deploy/drift checkHostDrift), one SSH round trip per
// host. Skipped while the host is being deployed (the comparison would catch
// it half-way). Scheduling as for polls (lib/jobs/host-scheduler).
import type PgBoss from 'pg-boss';
import { getDb } from '@/lib/db';
import type { Env } from '@/lib/env';
import { checkHostDrift } from '@/lib/deploy/drift';
import { startHostScheduler, type HostJob } from '@/lib/jobs/host-scheduler';

export const DRIFT_CHECK_QUEUE = 'drift-check';

export function driftIntervalMs(env: Env = process.env): number {
  const raw = env.HOSTDECK_DRIFT_INTERVAL_MS;
  if (raw === undefined || raw === '') return 60_000;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 5000)
    throw new Error(`HOSTDECK_DRIFT_INTERVAL_MS must be a number of milliseconds ≥ 5000, got "${raw}"`);
  return ms;
}

export async function driftCheckHost(hostId: string): Promise<void> {
  const busy = await getDb().deployment.count({ where: { hostId, status: { in: ['queued', 'running'] } } });
  if (busy === 0) await checkHostDrift(hostId);
}

export async function startDriftChecks(
  boss: PgBoss,
  options: { intervalMs: number; log: (message: string) => void; workerPollingSeconds?: number | undefined },
): Promise<() => void> {
  await boss.createQueue(DRIFT_CHECK_QUEUE, {
    name: DRIFT_CHECK_QUEUE,
    policy: 'stately',
    retryLimit: 0,
    expireInSeconds: 300,
    retentionMinutes: 10,
  });
  await boss.work<HostJob>(DRIFT_CHECK_QUEUE, { batchSize: 4, pollingIntervalSeconds: options.workerPollingSeconds ?? 1 }, async (jobs) => {
    await Promise.all(
      jobs.map((job) =>
        driftCheckHost(job.data.hostId).catch((error: unknown) => {
          options.log(`drift check of host ${job.data.hostId} failed: ${error instanceof Error ? error.message : String(error)}`);
        }),
      ),
    );
  });
  return startHostScheduler(boss, DRIFT_CHECK_QUEUE, options);
}
