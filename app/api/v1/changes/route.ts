// GET /api/v1/changes — changes, most recently updated first.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { nextPage } from '@/lib/api/paging';
import { listChanges } from '@/lib/deploy/queries';

export const GET = route(endpoints.listChanges, async ({ query }) => {
  const result = await listChanges(query);
  return { ...result, nextPage: nextPage(result.total, result.page, result.pageSize) };
});
