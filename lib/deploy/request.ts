// lib/deploy/request — asking for a deployment (never running it: that is the
// job's, lib/deploy/runner). deployChange checks the change may deploy
// (lib/changes/rules: approved, base still deployed, role), then — under the
// host's row lock, which host removal and other deploy requests take too —
// refuses when the host already has a deployment queued or running, moves the
// change to `deploying`, creates the queued Deployment and hands it to pg-boss.
// cancelDeployment asks a deployment to stop at its next step boundary (a
// queued one stops at once).
import { getDb } from '@/lib/db';
import { DomainError, notFound } from '@/lib/errors';
import { hasRole } from '@/lib/auth/roles';
import { sendJob } from '@/lib/jobs';
import { assertMay, type ChangeActor } from '@/lib/changes/service';
import { initialSteps } from '@/lib/deploy/steps';
import { appendLog } from '@/lib/deploy/log';
import { createDeployQueue, DEPLOY_QUEUE, type DeployJob } from '@/lib/deploy/queue';
import { strategyFor } from '@/lib/deploy/strategies';

const DEPLOYMENT_KIND: Record<string, string> = { edit: 'deploy', rollback: 'rollback', reapply: 'reapply' };

export async function deployChange(changeId: string, actor: ChangeActor): Promise<{ deploymentId: string }> {
  const db = getDb();
  const change = await db.change.findUnique({ where: { id: changeId }, include: { host: { select: { name: true, flavour: true } } } });
  if (!change) throw notFound('change');
  await assertMay('deploy', change, actor);
  const steps = initialSteps(strategyFor(change.host.flavour).steps);

  const deployment = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM "Host" WHERE id = ${change.hostId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound('host');
    const active = await tx.deployment.findFirst({
      where: { hostId: change.hostId, status: { in: ['queued', 'running'] } },
      select: { id: true },
    });
    if (active)
      throw new DomainError(
        'conflict',
        `${change.host.name} is being deployed now (deployment ${active.id}); wait for it to finish or cancel it`,
        {
          details: { deploymentId: active.id },
        },
      );
    const moved = await tx.change.updateMany({ where: { id: changeId, status: 'approved' }, data: { status: 'deploying' } });
    if (moved.count !== 1)
      throw new DomainError('conflict', 'The change is no longer approved (someone deployed or re-planned it meanwhile)');
    return tx.deployment.create({
      data: {
        hostId: change.hostId,
        changeId,
        revisionId: change.revisionId,
        kind: DEPLOYMENT_KIND[change.kind] ?? 'deploy',
        status: 'queued',
        steps,
        startedById: actor.id,
      },
      select: { id: true },
    });
  });
  try {
    const jobId = await sendJob(DEPLOY_QUEUE, { deploymentId: deployment.id } satisfies DeployJob, createDeployQueue);
    await db.deployment.update({ where: { id: deployment.id }, data: { jobId } });
  } catch (error) {
    // Nothing ran: record why, and give the change back.
    await appendLog(deployment.id, null, 'Could not queue the deployment; nothing was done.\n');
    await db.deployment.update({
      where: { id: deployment.id },
      data: { status: 'failed', error: 'could not queue the job', finishedAt: new Date() },
    });
    await db.change.updateMany({ where: { id: changeId, status: 'deploying' }, data: { status: 'approved' } });
    throw error;
  }
  return { deploymentId: deployment.id };
}

export async function cancelDeployment(deploymentId: string, actor: ChangeActor): Promise<{ status: string }> {
  if (!hasRole(actor.role, 'operator'))
    throw new DomainError('forbidden', `Cancelling a deployment needs the operator role; you have ${actor.role}`);
  const db = getDb();
  const deployment = await db.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, changeId: true } });
  if (!deployment) throw notFound('deployment');
  if (deployment.status !== 'queued' && deployment.status !== 'running')
    throw new DomainError('conflict', `The deployment has already ended (${deployment.status.replace('_', ' ')})`);
  const now = new Date();
  const stoppedQueued = await db.deployment.updateMany({
    where: { id: deploymentId, status: 'queued' },
    data: { status: 'cancelled', cancelRequestedAt: now, finishedAt: now, error: `cancelled by ${actor.username}` },
  });
  if (stoppedQueued.count === 1) {
    await appendLog(deploymentId, null, `Cancelled by ${actor.username} before it started; nothing was done.\n`);
    if (deployment.changeId)
      await db.change.updateMany({ where: { id: deployment.changeId, status: 'deploying' }, data: { status: 'approved' } });
    return { status: 'cancelled' };
  }
  await db.deployment.updateMany({ where: { id: deploymentId, status: 'running' }, data: { cancelRequestedAt: now } });
  await appendLog(deploymentId, null, `Cancel requested by ${actor.username}: stopping at the next step boundary.\n`);
  return { status: 'cancelling' };
}
