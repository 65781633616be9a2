// POST /api/v1/changes/{id}/deploy — queue the approved change: 202 { deploymentId }.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { deployChange } from '@/lib/deploy/request';

export const POST = route(endpoints.deployChange, async ({ params, principal, ip }) =>
  audited(operations.deployChange, { changeId: params.id }, apiActor(principal, ip), () => deployChange(params.id, changeActor(principal))),
);
