// PATCH /api/v1/users/{id} — change a role or reset a password (admin).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { findUser, resetPassword, setUserRole, UserError } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { ApiError } from '@/lib/api/errors';
import { audit } from '@/lib/auth/audit';

export const PATCH = route(endpoints.updateUser, async ({ principal, params, body, ip }) => {
  const user = await findUser(params.id);
  if (!user) throw new ApiError(404, 'not_found', 'No such user');
  try {
    if (body.role) {
      await setUserRole(user.id, body.role);
      await audit({ action: 'user.set-role', actor: principal.user, via: 'api', ip, targetType: 'user', targetId: user.id, details: { username: user.username, role: body.role } });
    }
    if (body.password) {
      await resetPassword(user.id, body.password);
      await audit({ action: 'user.reset-password', actor: principal.user, via: 'api', ip, targetType: 'user', targetId: user.id, details: { username: user.username } });
    }
  } catch (error) {
    if (error instanceof UserError) throw new ApiError(409, 'conflict', error.message, error.field ? { [error.field]: [error.message] } : undefined);
    throw error;
  }
  return { user: apiUser((await findUser(user.id))!) };
});
