'use server';
// Server actions of the change and deployment pages: create, propose, approve,
// reject, re-plan, comment on and deploy a change; cancel a deployment; roll a
// host back to an earlier revision (or re-apply the current one over drift), or
// adopt its drifted live definitions as the desired state (a change to review).
// lib/changes and lib/deploy check who may do what in which state (the
// metadata role is only the first gate); every attempt is audited with the
// same operation the API uses (lib/operations), and the pages are revalidated.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction, webActor } from '@/lib/actions/safe-action';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import {
  approveChange,
  commentOnChange,
  createChange,
  createRollback,
  proposeChange,
  rejectChange,
  replanChange,
  type ChangeActor,
} from '@/lib/changes/service';
import { cancelDeployment, deployChange } from '@/lib/deploy/request';
import { adoptLive } from '@/lib/deploy/drift';

const changeId = z.uuid('Not a valid change id');
const title = z.string().trim().min(1, 'Give the change a title').max(200, 'At most 200 characters');

function actorOf(ctx: { user: { id: string; username: string; role: ChangeActor['role'] } }): ChangeActor {
  return { id: ctx.user.id, username: ctx.user.username, role: ctx.user.role };
}

function revalidateChange(id: string): void {
  revalidatePath(`/changes/${id}`);
  revalidatePath('/changes');
}

export const createChangeAction = authedAction
  .metadata({ actionName: 'change.create', role: 'operator' })
  .inputSchema(z.object({ hostId: z.uuid('Not a valid host id'), title, description: z.string().max(10_000).optional() }))
  .action(async ({ parsedInput: { hostId, title, description }, ctx }) => {
    const created = await audited(operations.createChange, { hostId, title }, webActor(ctx), () =>
      createChange(hostId, { title, description }, actorOf(ctx)),
    );
    revalidatePath('/changes');
    revalidatePath(`/hosts/${hostId}/history`);
    return created;
  });

export const proposeChangeAction = authedAction
  .metadata({ actionName: 'change.propose', role: 'operator' })
  .inputSchema(z.object({ changeId }))
  .action(async ({ parsedInput: { changeId }, ctx }) => {
    await audited(operations.changeAction, { changeId, action: 'propose' }, webActor(ctx), () => proposeChange(changeId, actorOf(ctx)));
    revalidateChange(changeId);
    return { ok: true };
  });

export const approveChangeAction = authedAction
  .metadata({ actionName: 'change.approve', role: 'approver' })
  .inputSchema(z.object({ changeId, note: z.string().trim().max(2000, 'At most 2000 characters').optional() }))
  .action(async ({ parsedInput: { changeId, note }, ctx }) => {
    await audited(operations.changeAction, { changeId, action: 'approve', ...(note ? { note } : {}) }, webActor(ctx), () =>
      approveChange(changeId, actorOf(ctx), note || undefined),
    );
    revalidateChange(changeId);
    return { ok: true };
  });

export const rejectChangeAction = authedAction
  .metadata({ actionName: 'change.reject', role: 'approver' })
  .inputSchema(
    z.object({ changeId, reason: z.string().trim().min(1, 'Say why the change is rejected').max(2000, 'At most 2000 characters') }),
  )
  .action(async ({ parsedInput: { changeId, reason }, ctx }) => {
    await audited(operations.changeAction, { changeId, action: 'reject', note: reason }, webActor(ctx), () =>
      rejectChange(changeId, actorOf(ctx), reason),
    );
    revalidateChange(changeId);
    return { ok: true };
  });

export const replanChangeAction = authedAction
  .metadata({ actionName: 'change.replan', role: 'operator' })
  .inputSchema(z.object({ changeId, live: z.boolean().optional() }))
  .action(async ({ parsedInput: { changeId, live }, ctx }) => {
    await audited(operations.changeAction, { changeId, action: 'replan' }, webActor(ctx), () =>
      replanChange(changeId, actorOf(ctx), { live: Boolean(live) }),
    );
    revalidateChange(changeId);
    return { ok: true };
  });

export const commentChangeAction = authedAction
  .metadata({ actionName: 'change.comment', role: 'operator' })
  .inputSchema(z.object({ changeId, body: z.string().trim().min(1, 'Write a comment').max(10_000, 'At most 10000 characters') }))
  .action(async ({ parsedInput: { changeId, body }, ctx }) => {
    const comment = await audited(operations.changeAction, { changeId, action: 'comment' }, webActor(ctx), () =>
      commentOnChange(changeId, actorOf(ctx), body),
    );
    revalidatePath(`/changes/${changeId}`);
    return comment;
  });

export const deployChangeAction = authedAction
  .metadata({ actionName: 'change.deploy', role: 'operator' })
  .inputSchema(z.object({ changeId }))
  .action(async ({ parsedInput: { changeId }, ctx }) => {
    const result = await audited(operations.deployChange, { changeId }, webActor(ctx), () => deployChange(changeId, actorOf(ctx)));
    revalidateChange(changeId);
    revalidatePath('/deployments');
    return result;
  });

export const cancelDeploymentAction = authedAction
  .metadata({ actionName: 'deployment.cancel', role: 'operator' })
  .inputSchema(z.object({ deploymentId: z.uuid('Not a valid deployment id') }))
  .action(async ({ parsedInput: { deploymentId }, ctx }) => {
    const result = await audited(operations.cancelDeployment, { deploymentId }, webActor(ctx), () =>
      cancelDeployment(deploymentId, actorOf(ctx)),
    );
    revalidatePath(`/deployments/${deploymentId}`);
    revalidatePath('/deployments');
    return result;
  });

export const rollbackHostAction = authedAction
  .metadata({ actionName: 'host.rollback', role: 'operator' })
  .inputSchema(
    z.object({
      hostId: z.uuid('Not a valid host id'),
      revisionId: z.uuid('Not a valid revision id'),
      title: title.optional(),
      urgent: z.boolean().optional(),
      kind: z.enum(['rollback', 'reapply']).optional(),
    }),
  )
  .action(async ({ parsedInput: { hostId, revisionId, title, urgent, kind = 'rollback' }, ctx }) => {
    const created = await audited(operations.createRollback, { hostId, revisionId, urgent: Boolean(urgent), kind }, webActor(ctx), () =>
      createRollback(hostId, { revisionId, title, urgent, kind }, actorOf(ctx)),
    );
    revalidatePath('/changes');
    revalidatePath(`/hosts/${hostId}/history`);
    return created;
  });

export const adoptLiveAction = authedAction
  .metadata({ actionName: 'host.adopt-live', role: 'operator' })
  .inputSchema(z.object({ hostId: z.uuid('Not a valid host id') }))
  .action(async ({ parsedInput: { hostId }, ctx }) => {
    const result = await audited(operations.adoptLive, { hostId }, webActor(ctx), () => adoptLive(hostId, actorOf(ctx)));
    revalidatePath('/changes');
    revalidatePath(`/hosts/${hostId}`);
    revalidatePath(`/hosts/${hostId}/history`);
    return result;
  });
