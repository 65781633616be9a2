// GET /api/v1/audit — the audit log, filtered and paged.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { listAuditEvents } from '@/lib/auth/audit';

export const GET = route(endpoints.listAudit, async ({ query }) => {
  const result = await listAuditEvents(query);
  return { ...result, events: result.events.map((e) => ({ ...e, id: e.id.toString(), actorId: undefined })) };
});
