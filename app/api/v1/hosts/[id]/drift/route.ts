// GET /api/v1/hosts/{id}/drift — the last drift check; POST — check now.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { checkHostDrift, hostDrift } from '@/lib/deploy/drift';
import { getHostOrThrow } from '@/lib/hosts/queries';

export const GET = route(endpoints.hostDrift, async ({ params }) => hostDrift((await getHostOrThrow(params.id)).id));

export const POST = route(endpoints.checkDrift, async ({ params }) => checkHostDrift((await getHostOrThrow(params.id)).id));
