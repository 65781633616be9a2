// lib/settings — installation-wide policies an admin sets (Setting rows).
// Four-eyes approval of changes: on unless an admin turns it off; with it on,
// the author of a change cannot approve it.
import { getDb } from '@/lib/db';

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
