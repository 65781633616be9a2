// lib/deploy/runner — runs one deployment (a pg-boss job, lib/deploy/queue.ts):
// takes the host's lock (lib/deploy/lock), runs the strategy of the host's
// flavour step by step (lib/deploy/strategy), appends its log as chunks
// (lib/deploy/log), records steps, progress, generations and the outcome on
// the Deployment and its Change, and releases the lock whatever happened.
//
// Outcomes: succeeded (the revision is now the deployed one; a rollback also
// puts the revision's desired state back in the inventory), failed (with the
// error and the failed step; nothing is recorded as deployed), rolled_back
// (NixOS switched itself back), cancelled (a cancel request seen at a step
// boundary). recoverInterrupted() finds deployments left `running` by a process
// that died (their host lock is free) and marks them interrupted.
import { getDb } from '@/lib/db';
import { messageOf } from '@/lib/errors';
import type { DeploymentStatus } from '@/lib/generated/prisma/enums';
import { deployedRevision } from '@/lib/hosts/configuration';
import { revisionFilesOf } from '@/lib/hosts/columns';
import { restoreDesiredState } from '@/lib/hosts/inventory';
import { unsafeConfigRefusal } from '@/lib/hosts/safety';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';
import { appendLog } from '@/lib/deploy/log';
import { tryLockHost } from '@/lib/deploy/lock';
import { closeSteps, markStep, progressOf, stepsOf, type DeploymentStep } from '@/lib/deploy/steps';
import { type DeployContext, type DeployRevision, type DeployStrategy, SwitchedBackError } from '@/lib/deploy/strategy';
import type { ChangeStatus } from '@/lib/changes/rules';

export type StrategyResolver = (flavour: 'nixos' | 'libvirt') => DeployStrategy;

export type RunnerOptions = {
  strategyFor: StrategyResolver;
  log?: (message: string) => void;
  /** How often a running deployment looks for a cancel request (default 1 s). */
  cancelPollMs?: number;
};

/** A cancel request seen at a safe point. */
class CancelledError extends Error {}

const CHANGE_OUTCOME: Partial<Record<DeploymentStatus, ChangeStatus>> = {
  succeeded: 'deployed',
  failed: 'failed',
  interrupted: 'failed',
  cancelled: 'failed',
  rolled_back: 'rolled_back',
};

function toDeployRevision(row: { id: string; contentHash: string; files: unknown }): DeployRevision | null {
  const { files, manifest } = revisionFilesOf(row);
  return manifest ? { id: row.id, hash: row.contentHash, files, manifest } : null;
}

/** Ends a deployment (and its change) with `status`; the last log line says why. */
async function finish(
  deploymentId: string,
  status: DeploymentStatus,
  message: string,
  extra: { error?: string | null; steps?: DeploymentStep[] } = {},
): Promise<void> {
  const db = getDb();
  await appendLog(deploymentId, null, `${message}\n`);
  const now = new Date();
  // Ended before the strategy ran (no key, a refused setting): its steps never started.
  const steps = extra.steps ?? stepsOf((await db.deployment.findUnique({ where: { id: deploymentId }, select: { steps: true } }))?.steps);
  const deployment = await db.deployment.update({
    where: { id: deploymentId },
    data: {
      status,
      finishedAt: now,
      error: extra.error ?? null,
      steps: closeSteps(steps, now),
      progress: status === 'succeeded' ? 100 : progressOf(steps),
    },
    select: { changeId: true },
  });
  const changeStatus = CHANGE_OUTCOME[status];
  if (deployment.changeId && changeStatus)
    await db.change.updateMany({ where: { id: deployment.changeId, status: 'deploying' }, data: { status: changeStatus } });
}

/** Runs a queued deployment to its end. Never throws for a deployment's own failure (that is recorded). */
export async function runDeployment(deploymentId: string, options: RunnerOptions): Promise<void> {
  const db = getDb();
  const log = options.log ?? ((m: string) => console.error(`[hostdeck deploy] ${m}`));
  const queued = await db.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, hostId: true } });
  if (queued?.status !== 'queued') return; // cancelled while waiting, or already handled
  const lock = await tryLockHost(queued.hostId);
  if (!lock) {
    await finish(deploymentId, 'failed', 'Another deployment is running on this host; nothing was done.', {
      error: 'another deployment holds the host',
    });
    return;
  }
  try {
    const started = await db.deployment.updateMany({
      where: { id: deploymentId, status: 'queued' },
      data: { status: 'running', startedAt: new Date() },
    });
    if (started.count !== 1) return;
    await execute(deploymentId, options);
  } catch (error) {
    log(`deployment ${deploymentId}: ${messageOf(error)}`);
    await finish(deploymentId, 'failed', `Failed: ${messageOf(error)}`, { error: messageOf(error) }).catch(() => {});
  } finally {
    await lock.release();
  }
}

async function execute(deploymentId: string, options: RunnerOptions): Promise<void> {
  const db = getDb();
  const deployment = await db.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: { host: true, revision: true, change: { select: { kind: true } } },
  });
  const { host } = deployment;
  const strategy = options.strategyFor(host.flavour);
  let steps = stepsOf(deployment.steps);
  if (steps.length === 0) steps = strategy.steps.map((name) => ({ name, status: 'pending', startedAt: null, finishedAt: null }));

  const refusal = await unsafeConfigRefusal(host);
  if (refusal) throw new Error(refusal);
  const revision = toDeployRevision(deployment.revision);
  if (!revision) throw new Error('The revision has no manifest: it was not rendered by Hostdeck and cannot be deployed');
  const deployed = await deployedRevision(host.id);
  const previous: DeployRevision | null = deployed?.manifest
    ? { id: deployed.id, hash: deployed.hash, files: deployed.files, manifest: deployed.manifest }
    : null;
  const target = await sshTargetFor(host);

  const abort = new AbortController();
  let cancelRequested = false;
  const cancelTimer = setInterval(() => {
    db.deployment
      .findUnique({ where: { id: deploymentId }, select: { cancelRequestedAt: true } })
      .then((row) => {
        if (row?.cancelRequestedAt && !cancelRequested) {
          cancelRequested = true;
          abort.abort(new CancelledError('cancelled'));
        }
      })
      .catch(() => {});
  }, options.cancelPollMs ?? 1000);
  cancelTimer.unref();

  let currentStep: string | null = null;
  const saveSteps = (next: DeploymentStep[]) => {
    steps = next;
    return db.deployment.update({ where: { id: deploymentId }, data: { steps: steps, progress: progressOf(steps) } });
  };
  const ctx: DeployContext = {
    deploymentId,
    host: { id: host.id, name: host.name, flavour: host.flavour, libvirtUri: host.libvirtUri },
    target,
    revision,
    previous,
    signal: abort.signal,
    log: (text) => appendLog(deploymentId, currentStep, text.endsWith('\n') ? text : `${text}\n`),
    recordGenerations: async (before, after) => {
      await db.deployment.update({ where: { id: deploymentId }, data: { generationBefore: before, generationAfter: after } });
    },
    async step(name, run) {
      const row = await db.deployment.findUnique({ where: { id: deploymentId }, select: { cancelRequestedAt: true } });
      if (cancelRequested || row?.cancelRequestedAt) throw new CancelledError(`Cancelled before step ${name}`);
      currentStep = name;
      // The header first: a step shown as running always has its place in the log.
      await appendLog(deploymentId, name, `── ${name}\n`);
      await saveSteps(markStep(steps, name, 'running', new Date()));
      try {
        const result = await run();
        await saveSteps(markStep(steps, name, 'done', new Date()));
        return result;
      } catch (error) {
        await saveSteps(markStep(steps, name, 'failed', new Date()));
        throw error;
      } finally {
        currentStep = null;
      }
    },
  };

  try {
    await appendLog(deploymentId, null, `Deploying revision ${revision.hash.slice(0, 12)} to ${host.name} (${host.flavour})\n`);
    await strategy.run(ctx);
  } catch (error) {
    if (error instanceof CancelledError || (cancelRequested && abort.signal.aborted))
      return finish(deploymentId, 'cancelled', `Cancelled at a step boundary: ${messageOf(error)}`, { steps });
    if (error instanceof SwitchedBackError) {
      await ctx.recordGenerations(error.generationBefore, error.generationAfter);
      return finish(deploymentId, 'rolled_back', `Switched back: ${error.message}`, { error: error.message, steps });
    }
    return finish(deploymentId, 'failed', `Failed: ${messageOf(error)}`, { error: messageOf(error), steps });
  } finally {
    clearInterval(cancelTimer);
  }
  if (deployment.change?.kind === 'rollback') await restoreDesiredState(host.id, deployment.revision.spec);
  await finish(deploymentId, 'succeeded', `Deployed revision ${revision.hash.slice(0, 12)}.`, { steps });
}

/**
 * Deployments that no process runs any more: `running` ones whose host lock is
 * free (their process died), and `queued` ones never handed to the queue. Marks
 * them interrupted (their changes failed); returns how many.
 */
export async function recoverInterrupted(log: (message: string) => void = () => {}): Promise<number> {
  const db = getDb();
  const stale = await db.deployment.findMany({
    where: { OR: [{ status: 'running' }, { status: 'queued', jobId: null, createdAt: { lt: new Date(Date.now() - 120_000) } }] },
    select: { id: true, hostId: true, status: true },
  });
  let recovered = 0;
  for (const deployment of stale) {
    const lock = await tryLockHost(deployment.hostId);
    if (!lock) continue; // a live process runs it
    try {
      const row = await db.deployment.findUnique({ where: { id: deployment.id }, select: { status: true, steps: true } });
      if (row?.status !== deployment.status) continue;
      await finish(
        deployment.id,
        'interrupted',
        'Interrupted: the app process running this deployment stopped. Check the host, then re-plan or roll back.',
        {
          error: 'interrupted: the app process stopped',
          steps: stepsOf(row.steps),
        },
      );
      recovered++;
      log(`deployment ${deployment.id} was interrupted (its process stopped)`);
    } finally {
      await lock.release();
    }
  }
  return recovered;
}
