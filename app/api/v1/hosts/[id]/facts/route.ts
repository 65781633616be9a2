// POST /api/v1/hosts/{id}/facts — read the host's facts again.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { asApiError } from '@/lib/api/host-errors';
import { refreshFacts } from '@/lib/hosts/onboarding';
import { audit } from '@/lib/auth/audit';

export const POST = route(endpoints.refreshFacts, async ({ params, principal, ip }) => {
  const facts = await asApiError(() => refreshFacts(params.id));
  await audit({ action: 'host.refresh-facts', actor: principal.user, via: 'api', ip, targetType: 'host', targetId: params.id });
  return { facts };
});
