// GET /api/v1/hosts/{id}/host-key — read the offered key; POST — pin the compared fingerprint.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { confirmHostKey, probeHost } from '@/lib/hosts/onboarding';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const GET = route(endpoints.probeHostKey, async ({ params }) => probeHost((await getHostOrThrow(params.id)).id));

export const POST = route(endpoints.pinHostKey, async ({ params, body, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  return audited(operations.pinHostKey, { host, fingerprint: body.fingerprint }, apiActor(principal, ip), () =>
    confirmHostKey(host.id, body.fingerprint, principal),
  );
});
