// POST /api/v1/hosts/{id}/import — adopt the host's existing domains.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { importHostDomains } from '@/lib/hosts/import';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const POST = route(endpoints.importHost, async ({ params, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  return audited(operations.importHost, { host }, apiActor(principal, ip), () => importHostDomains(host.id));
});
