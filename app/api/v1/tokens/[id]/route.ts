// DELETE /api/v1/tokens/{id} — revoke a token.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { publicToken, revokeApiToken } from '@/lib/auth/tokens';
import { ApiError } from '@/lib/api/errors';
import { audit } from '@/lib/auth/audit';
import { principalDetails } from '@/lib/api/principal';

export const DELETE = route(endpoints.revokeToken, async ({ principal, params, ip }) => {
  const token = await revokeApiToken(params.id, { id: principal.user.id, role: principal.role });
  if (!token) throw new ApiError(404, 'not_found', 'No such token');
  await audit({ action: 'token.revoke', actor: principal.user, via: 'api', ip, targetType: 'token', targetId: token.id, details: { name: token.name, ownerId: token.userId, ...principalDetails(principal) } });
  return { token: publicToken(token) };
});
