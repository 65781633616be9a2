// GET /api/v1/users, POST /api/v1/users — user administration (admin).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { createUser, listUsers } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { pageOf } from '@/lib/api/paging';

export const GET = route(endpoints.listUsers, async ({ query }) => {
  const { items, ...paging } = pageOf(await listUsers(), query);
  return { ...paging, users: items.map(apiUser) };
});

export const POST = route(endpoints.createUser, async ({ principal, body, ip }) => {
  const by = { id: principal.user.id, role: principal.role };
  const user = await audited(operations.createUser, body, apiActor(principal, ip), () =>
    createUser({ ...body, mustChangePassword: true }, by),
  );
  return { user: apiUser(user) };
});
