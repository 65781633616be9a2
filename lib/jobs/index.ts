// lib/jobs — background work on pg-boss, a job queue kept in PostgreSQL (the
// app's own database, schema `pgboss`, which Prisma neither manages nor sees:
// its datasource covers `public` only). Several app processes may run against
// one database; pg-boss hands each job to one of them.
//
// startJobs() is called once by the app server after the database is up, and
// stopJobs() on shutdown. Queues: `poll-host` (lib/jobs/poll-hosts.ts),
// `deploy` (lib/deploy/queue.ts), `drift-check` (lib/deploy/drift.ts).
// Before the first poll is scheduled, hosts whose stored settings Hostdeck
// refuses (an unsafe libvirt URI) are marked unsafe_config (lib/hosts/safety).
import PgBoss from 'pg-boss';
import type { Env } from '@/lib/env';
import { pollIntervalMs, startPollHosts } from '@/lib/jobs/poll-hosts';
import { markUnsafeHostConfigs } from '@/lib/hosts/safety';
import { startDeployWorkers } from '@/lib/deploy/queue';
import { driftIntervalMs, startDriftChecks } from '@/lib/jobs/drift-check';
import { strategyFor } from '@/lib/deploy/strategies';

export { POLL_HOST_QUEUE, pollIntervalMs, schedulePolls } from '@/lib/jobs/poll-hosts';

export type JobsOptions = {
  databaseUrl: string;
  /** Default: HOSTDECK_POLL_INTERVAL_MS, else 10 s. */
  pollIntervalMs?: number;
  /** Default: HOSTDECK_DRIFT_INTERVAL_MS, else 60 s. */
  driftIntervalMs?: number;
  /** How often an idle worker asks for jobs, seconds (default 1). */
  workerPollingSeconds?: number;
  env?: Env;
  log?: (message: string) => void;
};

type Running = { boss: PgBoss; stopScheduler: () => void };

const BOSS_SCHEMA = 'pgboss';

// On globalThis so a dev-server module reload does not start a second set.
const state = globalThis as unknown as { hostdeckJobs?: Promise<Running> };

async function start(options: JobsOptions): Promise<Running> {
  const log = options.log ?? ((m: string) => console.error(`[hostdeck jobs] ${m}`));
  const intervalMs = options.pollIntervalMs ?? pollIntervalMs(options.env);
  await markUnsafeHostConfigs(log);
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: BOSS_SCHEMA,
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
    const stopPolls = await startPollHosts(boss, { intervalMs, log, workerPollingSeconds: options.workerPollingSeconds });
    const stopSweep = await startDeployWorkers(boss, { strategyFor, log, workerPollingSeconds: options.workerPollingSeconds });
    const stopDrift = await startDriftChecks(boss, {
      intervalMs: options.driftIntervalMs ?? driftIntervalMs(options.env),
      log,
      workerPollingSeconds: options.workerPollingSeconds,
    });
    return {
      boss,
      stopScheduler: () => {
        stopPolls();
        stopSweep();
        stopDrift();
      },
    };
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

/**
 * Queues a job: through this process's pg-boss when the jobs run here (the app
 * server), else (the CLI) through a short-lived pg-boss connection that only
 * sends. Returns the job id.
 */
export async function sendJob(queue: string, data: object, ensureQueue?: (boss: PgBoss) => Promise<void>): Promise<string> {
  const running = await jobQueue();
  if (running) {
    const id = await running.send(queue, data);
    if (!id) throw new Error(`pg-boss refused a job for ${queue}`);
    return id;
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    max: 1,
    supervise: false,
    schedule: false,
    application_name: 'hostdeck-send',
  });
  boss.on('error', () => {});
  await boss.start();
  try {
    await ensureQueue?.(boss);
    const id = await boss.send(queue, data);
    if (!id) throw new Error(`pg-boss refused a job for ${queue} (is the queue created? start the app server once)`);
    return id;
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
  }
}
