// DELETE /api/v1/tokens/{id} — revoke a token.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { publicToken, revokeApiTokenOrThrow } from '@/lib/auth/tokens';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

export const DELETE = route(endpoints.revokeToken, async ({ principal, params, ip }) => {
  const by = { id: principal.user.id, role: principal.role };
  const token = await audited(operations.revokeToken, { tokenId: params.id }, apiActor(principal, ip), () =>
    revokeApiTokenOrThrow(params.id, by),
  );
  return { token: publicToken(token) };
});
