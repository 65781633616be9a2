// GET /api/v1/hosts/{id}/host-key — read the offered key; POST — pin the compared fingerprint.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError } from '@/lib/api/errors';
import { asApiError } from '@/lib/api/host-errors';
import { pinHostKey, probeHost, refreshFacts } from '@/lib/hosts/onboarding';
import { hasRole } from '@/lib/auth/roles';
import { audit } from '@/lib/auth/audit';
import { getDb } from '@/lib/db';

export const GET = route(endpoints.probeHostKey, async ({ params }) => asApiError(() => probeHost(params.id)));

export const POST = route(endpoints.pinHostKey, async ({ params, body, principal, ip }) => {
  const host = await getDb().host.findUnique({ where: { id: params.id }, select: { hostKeyFingerprint: true } });
  if (!host) throw new ApiError(404, 'not_found', 'No such host');
  if (host.hostKeyFingerprint && !hasRole(principal.role, 'admin')) throw new ApiError(403, 'forbidden', 'Only an admin can trust a new host key for a host that had one');
  await asApiError(() => pinHostKey(params.id, body.fingerprint));
  await audit({ action: 'host.pin-key', actor: principal.user, via: 'api', ip, targetType: 'host', targetId: params.id, details: { fingerprint: body.fingerprint, previous: host.hostKeyFingerprint } });
  const factsError = await refreshFacts(params.id).then(() => null, (error: unknown) => (error instanceof Error ? error.message : String(error)));
  return { pinned: true as const, factsError };
});
