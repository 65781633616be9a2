// lib/settings — installation-wide policies an admin sets (Setting rows).
// Four-eyes approval of changes: on unless an admin turns it off; with it on,
// the author of a change cannot approve it. The least role that may open
// consoles lives with the tickets (lib/console/tickets). Settings → Policies,
// its server action and PATCH /api/v1/settings all change them through
// changePolicies, audited the same way whoever calls.
import { getDb } from '@/lib/db';
import { audited, defineOperation, type AuditActor } from '@/lib/audited';
import type { Role } from '@/lib/auth/roles';
import { consoleMinRole, setConsoleMinRole } from '@/lib/console/tickets';

export const FOUR_EYES_SETTING = 'changes.fourEyes';

/** Whether a change needs an approver other than its author (default true). */
export async function fourEyesRequired(): Promise<boolean> {
  const row = await getDb().setting.findUnique({ where: { key: FOUR_EYES_SETTING } });
  return row?.value !== false;
}

/** Admins only (the caller checks). */
export async function setFourEyesRequired(required: boolean): Promise<void> {
  await getDb().setting.upsert({
    where: { key: FOUR_EYES_SETTING },
    create: { key: FOUR_EYES_SETTING, value: required },
    update: { value: required },
  });
}

/** The policies as everyone may read them (Settings → Policies, GET /api/v1/settings). */
export type Policies = { consoleMinRole: Role; fourEyes: boolean };

export async function readPolicies(): Promise<Policies> {
  const [minRole, fourEyes] = await Promise.all([consoleMinRole(), fourEyesRequired()]);
  return { consoleMinRole: minRole, fourEyes };
}

/** What an admin changes; a field left out stays as it is. */
export type PoliciesChange = { consoleMinRole?: Role; fourEyes?: boolean };

/** The audit entry of a policy change: what was asked for and what it was before (fixed keys; null = not changed). */
export const changePoliciesOperation = defineOperation<{ change: PoliciesChange; before: Policies }, Policies>({
  action: 'settings.update',
  targetType: 'settings',
  targetId: () => 'policies',
  details: ({ change, before }) => ({
    consoleMinRole: change.consoleMinRole ?? null,
    fourEyes: change.fourEyes ?? null,
    consoleMinRoleBefore: before.consoleMinRole,
    fourEyesBefore: before.fourEyes,
  }),
});

/** Admins only (the caller checks the role). Audited; a viewer as the console role is refused (409). */
export async function changePolicies(change: PoliciesChange, actor: AuditActor): Promise<Policies> {
  const before = await readPolicies();
  return audited(changePoliciesOperation, { change, before }, actor, async () => {
    if (change.consoleMinRole !== undefined) await setConsoleMinRole(change.consoleMinRole);
    if (change.fourEyes !== undefined) await setFourEyesRequired(change.fourEyes);
    return readPolicies();
  });
}
