// POST /api/v1/hosts/{id}/facts — read the host's facts again.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { refreshFacts } from '@/lib/hosts/onboarding';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const POST = route(endpoints.refreshFacts, async ({ params, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  const facts = await audited(operations.refreshFacts, { host }, apiActor(principal, ip), () => refreshFacts(host.id));
  return { facts };
});
