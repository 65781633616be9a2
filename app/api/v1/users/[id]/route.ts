// PATCH /api/v1/users/{id} — change a role, reset a password, disable or enable
// a user (admin). Admin API tokens may, for automation: never granting a role
// above the token's own (effective) role, and audited with the token's id.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { findUser, findUserOrThrow, resetPassword, setUserDisabled, setUserRole } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

export const PATCH = route(endpoints.updateUser, async ({ principal, params, body, ip }) => {
  const user = await findUserOrThrow(params.id);
  const by = { id: principal.user.id, role: principal.role };
  const actor = apiActor(principal, ip);
  const role = body.role;
  if (role) await audited(operations.setUserRole, { user, role }, actor, () => setUserRole(user.id, role, by));
  const disabled = body.disabled;
  if (disabled !== undefined)
    await audited(operations.setUserDisabled, { user, disabled }, actor, () => setUserDisabled(user.id, disabled, by));
  const password = body.password;
  if (password) await audited(operations.resetPassword, { user }, actor, () => resetPassword(user.id, password, true, by));
  return { user: apiUser((await findUser(user.id))!) };
});
