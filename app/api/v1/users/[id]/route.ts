// PATCH /api/v1/users/{id} — change a role, reset a password, disable or enable
// a user (admin). Admin API tokens may, for automation: never granting a role
// above the token's own (effective) role, and audited with the token's id.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { findUser, resetPassword, setUserDisabled, setUserRole } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { ApiError } from '@/lib/api/errors';
import { principalDetails } from '@/lib/api/principal';
import { audit } from '@/lib/auth/audit';
import { userApiError } from '../user-errors';

export const PATCH = route(endpoints.updateUser, async ({ principal, params, body, ip }) => {
  const user = await findUser(params.id);
  if (!user) throw new ApiError(404, 'not_found', 'No such user');
  const by = { id: principal.user.id, role: principal.role };
  const entry = { actor: principal.user, via: 'api' as const, ip, targetType: 'user', targetId: user.id };
  let action = 'user.update';
  try {
    if (body.role) {
      action = 'user.set-role';
      await setUserRole(user.id, body.role, by);
      await audit({ ...entry, action, details: { username: user.username, role: body.role, ...principalDetails(principal) } });
    }
    if (body.disabled !== undefined) {
      action = body.disabled ? 'user.disable' : 'user.enable';
      const result = await setUserDisabled(user.id, body.disabled, by);
      await audit({ ...entry, action, details: { username: user.username, sessionsEnded: result.sessionsEnded, ...principalDetails(principal) } });
    }
    if (body.password) {
      action = 'user.reset-password';
      const revoked = await resetPassword(user.id, body.password, true, by);
      await audit({ ...entry, action, details: { username: user.username, ...revoked, ...principalDetails(principal) } });
    }
  } catch (error) {
    throw await userApiError(error, { action, principal, ip, targetId: user.id, details: { username: user.username } });
  }
  return { user: apiUser((await findUser(user.id))!) };
});
