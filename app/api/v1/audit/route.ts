// GET /api/v1/audit — the audit log, filtered and paged.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { listAuditEvents } from '@/lib/auth/audit';
import { nextPage } from '@/lib/api/paging';

export const GET = route(endpoints.listAudit, async ({ query }) => {
  const result = await listAuditEvents(query);
  return {
    ...result,
    nextPage: nextPage(result.total, result.page, result.pageSize),
    events: result.events.map((e) => ({ ...e, id: e.id.toString(), actorId: undefined })),
  };
});
