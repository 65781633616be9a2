// POST /api/v1/hosts/{id}/changes — the host's desired state now, as its open change.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { createChange } from '@/lib/changes/service';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const POST = route(endpoints.createChange, async ({ params, body, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  return audited(operations.createChange, { hostId: host.id, title: body.title }, apiActor(principal, ip), () =>
    createChange(host.id, body, changeActor(principal)),
  );
});
