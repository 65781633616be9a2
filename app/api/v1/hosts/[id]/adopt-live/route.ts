// POST /api/v1/hosts/{id}/adopt-live — drifted VMs' live definitions become the desired state (a change to review).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { adoptLive } from '@/lib/deploy/drift';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const POST = route(endpoints.adoptLive, async ({ params, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  return audited(operations.adoptLive, { hostId: host.id }, apiActor(principal, ip), () => adoptLive(host.id, changeActor(principal)));
});
