// GET /api/v1/users, POST /api/v1/users — user administration (admin).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { createUser, listUsers } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { principalDetails } from '@/lib/api/principal';
import { audit } from '@/lib/auth/audit';
import { userApiError } from './user-errors';
import { pageOf } from '@/lib/api/paging';

export const GET = route(endpoints.listUsers, async ({ query }) => {
  const { items, ...paging } = pageOf(await listUsers(), query);
  return { ...paging, users: items.map(apiUser) };
});

export const POST = route(endpoints.createUser, async ({ principal, body, ip }) => {
  try {
    const user = await createUser({ ...body, mustChangePassword: true }, { id: principal.user.id, role: principal.role });
    await audit({ action: 'user.create', actor: principal.user, via: 'api', ip, targetType: 'user', targetId: user.id, details: { username: user.username, role: user.role, ...principalDetails(principal) } });
    return { user: apiUser(user) };
  } catch (error) {
    throw await userApiError(error, { action: 'user.create', principal, ip, details: { username: body.username, role: body.role } });
  }
});
