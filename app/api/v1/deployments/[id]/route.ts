// GET /api/v1/deployments/{id} — status, steps, progress, error, generations.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { getDeployment } from '@/lib/deploy/queries';

export const GET = route(endpoints.getDeployment, async ({ params }) => ({ deployment: await getDeployment(params.id) }));
