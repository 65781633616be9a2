// lib/jobs — background work on pg-boss, a job queue kept in PostgreSQL (the
// app's own database, schema `pgboss`, which Prisma neither manages nor sees:
// its datasource covers `public` only). Several app processes may run against
// one database; pg-boss hands each job to one of them.
//
// startJobs() is called once by the app server after the database is up, and
// stopJobs() on shutdown. Today's queue: `poll-host` (lib/jobs/poll-hosts.ts).
// Before the first poll is scheduled, hosts whose stored settings Hostdeck
// refuses (an unsafe libvirt URI) are marked unsafe_config (lib/hosts/safety).
import PgBoss from 'pg-boss';
import type { Env } from '@/lib/env';
import { pollIntervalMs, startPollHosts } from '@/lib/jobs/poll-hosts';
import { markUnsafeHostConfigs } from '@/lib/hosts/safety';

export { POLL_HOST_QUEUE, pollIntervalMs, schedulePolls } from '@/lib/jobs/poll-hosts';

export type JobsOptions = {
  databaseUrl: string;
  /** Default: HOSTDECK_POLL_INTERVAL_MS, else 10 s. */
  pollIntervalMs?: number;
  /** How often an idle worker asks for jobs, seconds (default 1). */
  workerPollingSeconds?: number;
  env?: Env;
  log?: (message: string) => void;
};

type Running = { boss: PgBoss; stopScheduler: () => void };

// On globalThis so a dev-server module reload does not start a second set.
const state = globalThis as unknown as { hostdeckJobs?: Promise<Running> };

async function start(options: JobsOptions): Promise<Running> {
  const log = options.log ?? ((m: string) => console.error(`[hostdeck jobs] ${m}`));
  const intervalMs = options.pollIntervalMs ?? pollIntervalMs(options.env);
  await markUnsafeHostConfigs(log);
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: 'pgboss',
    max: 4,
    application_name: 'hostdeck-jobs',
    schedule: false, // no cron schedules; the poll scheduler is ours
    // Finished jobs are only bookkeeping (deployments keep their own records).
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 2,
  });
  // pg-boss reports connection trouble and failed maintenance as 'error' events; unhandled they would crash the process.
  boss.on('error', (error: Error) => log(`pg-boss: ${error.message}`));
  await boss.start();
  try {
    const stopScheduler = await startPollHosts(boss, { intervalMs, log, workerPollingSeconds: options.workerPollingSeconds });
    return { boss, stopScheduler };
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw error;
  }
}

/** Starts this process's job workers and the poll scheduler (idempotent). */
export async function startJobs(options: JobsOptions): Promise<void> {
  state.hostdeckJobs ??= start(options).catch((error: unknown) => {
    state.hostdeckJobs = undefined;
    throw error;
  });
  await state.hostdeckJobs;
}

/** Stops scheduling, lets running jobs finish (up to `timeoutMs`), and closes pg-boss's connections. */
export async function stopJobs(timeoutMs = 15_000): Promise<void> {
  const running = state.hostdeckJobs;
  state.hostdeckJobs = undefined;
  if (!running) return;
  const { boss, stopScheduler } = await running.catch(() => ({ boss: null, stopScheduler: () => {} }));
  stopScheduler();
  await boss?.stop({ graceful: true, wait: true, timeout: timeoutMs });
}

/** The running pg-boss instance, for other modules to queue jobs (null before startJobs). */
export async function jobQueue(): Promise<PgBoss | null> {
  return state.hostdeckJobs ? (await state.hostdeckJobs).boss : null;
}
