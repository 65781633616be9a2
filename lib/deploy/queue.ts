// lib/deploy/queue — the pg-boss queue of deployments. Each job carries one
// deployment id; every app process runs a few workers (HOSTDECK_DEPLOY_WORKERS,
// default 4), so different hosts deploy side by side while the host lock
// (lib/deploy/lock) keeps one host to one deployment. Jobs are never retried:
// a deployment that stopped half-way is recorded as failed or interrupted, and
// the operator decides what comes next. A minute's maintenance round marks
// deployments whose process died as interrupted (lib/deploy/runner).
import type PgBoss from 'pg-boss';
import { recoverInterrupted, runDeployment, type StrategyResolver } from '@/lib/deploy/runner';

export const DEPLOY_QUEUE = 'deploy';
export type DeployJob = { deploymentId: string };

/** One hour: the job's lease in pg-boss; the deployment's own timeouts end it long before. */
const DEPLOY_EXPIRE_SECONDS = 3600;

export async function createDeployQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(DEPLOY_QUEUE, { name: DEPLOY_QUEUE, policy: 'standard', retryLimit: 0, expireInSeconds: DEPLOY_EXPIRE_SECONDS });
}

export type DeployWorkerOptions = {
  strategyFor: StrategyResolver;
  log: (message: string) => void;
  workers?: number;
  workerPollingSeconds?: number;
};

/** Starts this process's deploy workers and the interrupted-deployment sweep; returns a stop function for the sweep. */
export async function startDeployWorkers(boss: PgBoss, options: DeployWorkerOptions): Promise<() => void> {
  await createDeployQueue(boss);
  const workers = options.workers ?? Number(process.env.HOSTDECK_DEPLOY_WORKERS ?? 4);
  for (let i = 0; i < Math.max(1, workers); i++) {
    await boss.work<DeployJob>(DEPLOY_QUEUE, { batchSize: 1, pollingIntervalSeconds: options.workerPollingSeconds ?? 1 }, async (jobs) => {
      for (const job of jobs) await runDeployment(job.data.deploymentId, { strategyFor: options.strategyFor, log: options.log });
    });
  }
  const sweep = () =>
    recoverInterrupted(options.log).catch((error: unknown) => options.log(`interrupted-deployment sweep failed: ${String(error)}`));
  await sweep();
  const timer = setInterval(sweep, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
