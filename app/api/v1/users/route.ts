// GET /api/v1/users, POST /api/v1/users — user administration (admin).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { createUser, listUsers, UserError } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { ApiError } from '@/lib/api/errors';
import { audit } from '@/lib/auth/audit';

export const GET = route(endpoints.listUsers, async () => ({ users: (await listUsers()).map(apiUser) }));

export const POST = route(endpoints.createUser, async ({ principal, body, ip }) => {
  try {
    const user = await createUser({ ...body, mustChangePassword: true });
    await audit({ action: 'user.create', actor: principal.user, via: 'api', ip, targetType: 'user', targetId: user.id, details: { username: user.username, role: user.role } });
    return { user: apiUser(user) };
  } catch (error) {
    if (error instanceof UserError) throw new ApiError(409, 'conflict', error.message, error.field ? { [error.field]: [error.message] } : undefined);
    throw error;
  }
});
