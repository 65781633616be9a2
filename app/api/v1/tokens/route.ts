// GET /api/v1/tokens, POST /api/v1/tokens — list and create API tokens.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { createApiToken, listApiTokens, TokenError } from '@/lib/auth/tokens';
import { ApiError } from '@/lib/api/errors';
import { audit } from '@/lib/auth/audit';
import { pageOf } from '@/lib/api/paging';

export const GET = route(endpoints.listTokens, async ({ principal, query }) => {
  const all = query.all === '1' && principal.role === 'admin';
  const { items, ...paging } = pageOf(await listApiTokens(all ? undefined : principal.user.id), query);
  return { ...paging, tokens: items };
});

export const POST = route(endpoints.createToken, async ({ principal, body, ip }) => {
  try {
    const { token, secret } = await createApiToken(principal.user.id, body);
    await audit({ action: 'token.create', actor: principal.user, via: 'api', ip, targetType: 'token', targetId: token.id, details: { name: token.name, role: token.role } });
    return { token, secret };
  } catch (error) {
    if (error instanceof TokenError) throw new ApiError(409, 'conflict', error.message, error.field ? { [error.field]: [error.message] } : undefined);
    throw error;
  }
});
