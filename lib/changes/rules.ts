// lib/changes/rules — who may do what to a change, in which state (pure, so
// the change page shows only the buttons that fit and the service enforces the
// same answer). Lifecycle:
//   draft → proposed → approved | rejected → deploying → deployed | failed | rolled_back
// Re-planning a proposed or approved change (its base is no longer deployed,
// or the desired state moved) sends it back to proposed: what was approved is
// not what would deploy. A failed or rolled-back change can be re-planned and
// proposed again.
// Four-eyes (an admin setting, on by default): the author cannot approve their
// own change — except an admin's rollback marked urgent, which deploys on the
// admin's own approval (one approval instead of two people).
import { hasRole, type Role } from '@/lib/auth/roles';

export const CHANGE_STATUSES = ['draft', 'proposed', 'approved', 'rejected', 'deploying', 'deployed', 'failed', 'rolled_back'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export const CHANGE_ACTIONS = ['propose', 'approve', 'reject', 'deploy', 'replan', 'comment'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** The states in which a change is still open (it may yet deploy). */
export const OPEN_STATUSES: readonly ChangeStatus[] = ['draft', 'proposed', 'approved'];

export type ChangeFacts = {
  status: ChangeStatus;
  authorId: string | null;
  kind: string;
  urgent: boolean;
  /** Whether the change's base is still the deployed revision. */
  baseCurrent: boolean;
};

export type Actor = { id: string; role: Role };

/** The least role for each action. */
export const ACTION_ROLE: Record<ChangeAction, Role> = {
  propose: 'operator',
  approve: 'approver',
  reject: 'approver',
  deploy: 'operator',
  replan: 'operator',
  comment: 'operator',
};

const FROM: Record<ChangeAction, readonly ChangeStatus[]> = {
  propose: ['draft'],
  approve: ['proposed'],
  reject: ['proposed', 'approved'],
  deploy: ['approved'],
  replan: ['draft', 'proposed', 'approved', 'failed', 'rolled_back'],
  comment: CHANGE_STATUSES,
};

export type Verdict = { ok: true } | { ok: false; code: 'forbidden' | 'conflict'; reason: string };

const STATUS_WORDS: Record<ChangeStatus, string> = {
  draft: 'a draft',
  proposed: 'proposed',
  approved: 'approved',
  rejected: 'rejected',
  deploying: 'being deployed',
  deployed: 'deployed',
  failed: 'failed',
  rolled_back: 'rolled back',
};

/** Whether `actor` may do `action` to the change now, and if not, why (a 403 or a 409). */
export function mayDo(action: ChangeAction, change: ChangeFacts, actor: Actor, options: { fourEyes: boolean }): Verdict {
  const role = ACTION_ROLE[action];
  if (!hasRole(actor.role, role))
    return { ok: false, code: 'forbidden', reason: `To ${action} a change needs the ${role} role; you have ${actor.role}` };
  if (!FROM[action].includes(change.status))
    return { ok: false, code: 'conflict', reason: `The change is ${STATUS_WORDS[change.status]}: it cannot be ${pastTense(action)} now` };
  if (action === 'approve' && options.fourEyes && change.authorId === actor.id) {
    const urgentOwnRollback = change.kind === 'rollback' && change.urgent && actor.role === 'admin';
    if (!urgentOwnRollback) return { ok: false, code: 'forbidden', reason: 'Four-eyes approval: the author of a change cannot approve it' };
  }
  if (action === 'deploy' && !change.baseCurrent)
    return {
      ok: false,
      code: 'conflict',
      reason:
        'What is deployed on the host changed since this change was planned: re-plan it (and have it approved again) before deploying',
    };
  return { ok: true };
}

function pastTense(action: ChangeAction): string {
  return { propose: 'proposed', approve: 'approved', reject: 'rejected', deploy: 'deployed', replan: 're-planned', comment: 'commented' }[
    action
  ];
}

/** The actions the change page offers this user (the buttons), in display order. */
export function availableActions(change: ChangeFacts, actor: Actor, options: { fourEyes: boolean }): ChangeAction[] {
  return CHANGE_ACTIONS.filter((action) => mayDo(action, change, actor, options).ok);
}
