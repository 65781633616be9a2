// GET /api/v1/tokens, POST /api/v1/tokens — list and create API tokens.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { createApiToken, listApiTokens } from '@/lib/auth/tokens';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { pageOf } from '@/lib/api/paging';

export const GET = route(endpoints.listTokens, async ({ principal, query }) => {
  const all = query.all === '1' && principal.role === 'admin';
  const { items, ...paging } = pageOf(await listApiTokens(all ? undefined : principal.user.id), query);
  return { ...paging, tokens: items };
});

export const POST = route(endpoints.createToken, async ({ principal, body, ip }) => {
  return audited(operations.createToken, { owner: principal.user, name: body.name }, apiActor(principal, ip), () =>
    createApiToken(principal.user.id, body),
  );
});
