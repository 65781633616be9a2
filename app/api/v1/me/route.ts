// GET /api/v1/me — who the caller is.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { findUser } from '@/lib/auth/users';
import { apiUser } from '@/lib/api/serialize';
import { DomainError } from '@/lib/errors';

export const GET = route(endpoints.me, async ({ principal }) => {
  const user = await findUser(principal.user.id);
  if (!user) throw new DomainError('unauthenticated', 'User no longer exists');
  return { user: apiUser(user), effectiveRole: principal.role, via: principal.via };
});
