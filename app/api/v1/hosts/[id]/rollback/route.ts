// POST /api/v1/hosts/{id}/rollback — a change that deploys an earlier revision again.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { createRollback } from '@/lib/changes/service';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const POST = route(endpoints.rollbackHost, async ({ params, body, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  const input = { hostId: host.id, revisionId: body.revisionId, urgent: Boolean(body.urgent), kind: 'rollback' as const };
  return audited(operations.createRollback, input, apiActor(principal, ip), () =>
    createRollback(host.id, { revisionId: body.revisionId, title: body.title, urgent: body.urgent }, changeActor(principal)),
  );
});
