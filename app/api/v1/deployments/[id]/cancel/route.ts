// POST /api/v1/deployments/{id}/cancel — stop a deployment at its next step boundary.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { cancelDeployment } from '@/lib/deploy/request';

export const POST = route(endpoints.cancelDeployment, async ({ params, principal, ip }) =>
  audited(operations.cancelDeployment, { deploymentId: params.id }, apiActor(principal, ip), () =>
    cancelDeployment(params.id, changeActor(principal)),
  ),
);
