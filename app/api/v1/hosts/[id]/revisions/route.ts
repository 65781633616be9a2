// GET /api/v1/hosts/{id}/revisions — the host's deployed revisions, newest first.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { revisionHistory } from '@/lib/changes/revisions';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const GET = route(endpoints.listRevisions, async ({ params }) => {
  const host = await getHostOrThrow(params.id);
  return { revisions: await revisionHistory(host.id) };
});
