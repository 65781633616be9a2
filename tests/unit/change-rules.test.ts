// The change lifecycle's rules (lib/changes/rules): every action against every
// state and role, four-eyes and its one exception, a stale base; and the
// deployment steps' bookkeeping (lib/deploy/steps).
import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '@/lib/auth/roles';
import { ACTION_ROLE, availableActions, CHANGE_ACTIONS, CHANGE_STATUSES, mayDo, type ChangeFacts } from '@/lib/changes/rules';
import { closeSteps, initialSteps, markStep, progressOf, stepsOf } from '@/lib/deploy/steps';
import { lineDifferences } from '@/lib/deploy/drift';
import { parseLogCursor } from '@/lib/deploy/log';

const author = { id: 'author', role: 'approver' as Role };
const other = (role: Role) => ({ id: 'other', role });
const change = (over: Partial<ChangeFacts> = {}): ChangeFacts => ({
  status: 'proposed',
  authorId: 'author',
  kind: 'edit',
  urgent: false,
  baseCurrent: true,
  ...over,
});

describe('change rules', () => {
  it('four-eyes: the author cannot approve their own change, another approver can', () => {
    const own = mayDo('approve', change(), author, { fourEyes: true });
    expect(own).toEqual({ ok: false, code: 'forbidden', reason: expect.stringContaining('Four-eyes') });
    expect(mayDo('approve', change(), other('approver'), { fourEyes: true }).ok).toBe(true);
    // With four-eyes off (an admin setting), the author may.
    expect(mayDo('approve', change(), author, { fourEyes: false }).ok).toBe(true);
  });

  it('approving needs the approver role: viewers and operators are refused with 403', () => {
    for (const role of ['viewer', 'operator'] as const) {
      const verdict = mayDo('approve', change(), other(role), { fourEyes: true });
      expect(verdict).toMatchObject({ ok: false, code: 'forbidden' });
    }
  });

  it('viewers cannot deploy, propose, re-plan or comment', () => {
    for (const action of ['deploy', 'propose', 'replan', 'comment'] as const)
      expect(
        mayDo(action, change({ status: action === 'deploy' ? 'approved' : 'draft' }), other('viewer'), { fourEyes: true }),
      ).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
  });

  it("an admin's urgent rollback deploys on their own approval; an urgent edit or an approver's does not", () => {
    const admin = { id: 'author', role: 'admin' as Role };
    expect(mayDo('approve', change({ kind: 'rollback', urgent: true }), admin, { fourEyes: true }).ok).toBe(true);
    expect(mayDo('approve', change({ kind: 'edit', urgent: true }), admin, { fourEyes: true }).ok).toBe(false);
    expect(mayDo('approve', change({ kind: 'rollback', urgent: false }), admin, { fourEyes: true }).ok).toBe(false);
    expect(mayDo('approve', change({ kind: 'rollback', urgent: true }), author, { fourEyes: true }).ok).toBe(false);
  });

  it('a change whose base is no longer deployed must be re-planned before it deploys', () => {
    const verdict = mayDo('deploy', change({ status: 'approved', baseCurrent: false }), other('operator'), { fourEyes: true });
    expect(verdict).toMatchObject({ ok: false, code: 'conflict', reason: expect.stringContaining('re-plan') });
    expect(mayDo('replan', change({ status: 'approved', baseCurrent: false }), other('operator'), { fourEyes: true }).ok).toBe(true);
  });

  it('each action only from its states (409 otherwise), for every state and role', () => {
    const from: Record<string, string[]> = {
      propose: ['draft'],
      approve: ['proposed'],
      reject: ['proposed', 'approved'],
      deploy: ['approved'],
      replan: ['draft', 'proposed', 'approved', 'failed', 'rolled_back'],
      comment: [...CHANGE_STATUSES],
    };
    for (const status of CHANGE_STATUSES)
      for (const action of CHANGE_ACTIONS)
        for (const role of ROLES) {
          const verdict = mayDo(action, change({ status }), other(role), { fourEyes: true });
          const roleOk = ROLES.indexOf(role) >= ROLES.indexOf(ACTION_ROLE[action]);
          const stateOk = from[action]!.includes(status);
          expect(verdict.ok, `${action} ${status} ${role}`).toBe(roleOk && stateOk);
          if (!verdict.ok) expect(verdict.code).toBe(roleOk ? 'conflict' : 'forbidden');
        }
  });

  it('the buttons are exactly the allowed actions', () => {
    expect(availableActions(change({ status: 'proposed' }), author, { fourEyes: true })).toEqual(['reject', 'replan', 'comment']);
    expect(availableActions(change({ status: 'proposed' }), other('approver'), { fourEyes: true })).toEqual([
      'approve',
      'reject',
      'replan',
      'comment',
    ]);
    expect(availableActions(change({ status: 'deployed' }), other('viewer'), { fourEyes: true })).toEqual([]);
  });
});

describe('deployment steps', () => {
  it('tracks start, end, failure and progress; unstarted steps are skipped at the end', () => {
    const t0 = new Date('2026-12-02T10:00:00Z');
    let steps = initialSteps(['upload', 'apply', 'verify']);
    expect(progressOf(steps)).toBe(0);
    steps = markStep(steps, 'upload', 'running', t0);
    steps = markStep(steps, 'upload', 'done', new Date(t0.getTime() + 1000));
    expect(steps[0]).toEqual({ name: 'upload', status: 'done', startedAt: t0.toISOString(), finishedAt: '2026-12-02T10:00:01.000Z' });
    expect(progressOf(steps)).toBe(33);
    steps = markStep(steps, 'apply', 'running', t0);
    const closed = closeSteps(steps, t0);
    expect(closed.map((s) => s.status)).toEqual(['done', 'failed', 'skipped']);
    expect(stepsOf('nonsense')).toEqual([]);
    expect(stepsOf([{ name: 'x', status: 'done' }, 7, null])).toHaveLength(1);
  });
});

describe('drift lines and log cursors', () => {
  it('lists the lines only in one side', () => {
    expect(lineDifferences('a\n  <memory>1</memory>\nc', 'a\n  <memory>2</memory>\nc')).toEqual([
      '- <memory>1</memory>',
      '+ <memory>2</memory>',
    ]);
    expect(lineDifferences('same', 'same')).toEqual([]);
  });
  it('accepts only chunk ids as resume points', () => {
    expect(parseLogCursor('42')).toBe('42');
    expect(parseLogCursor('4 2')).toBeNull();
    expect(parseLogCursor("1' OR 1=1")).toBeNull();
    expect(parseLogCursor(undefined)).toBeNull();
  });
});
