// GET /api/v1/hosts/{id}/vms, POST /api/v1/hosts/{id}/vms — a host's VMs.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { apiActor, changeActor } from '@/lib/api/principal';
import { saveVmDesired } from '@/lib/changes/desired-state';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { getHostOrThrow, listVms } from '@/lib/hosts/queries';

export const GET = route(endpoints.listHostVms, async ({ params, query }) => {
  const host = await getHostOrThrow(params.id);
  return listVms({ ...query, hostId: host.id });
});

export const POST = route(endpoints.createVm, async ({ params, body, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  const input = { hostId: host.id, spec: body.spec };
  const result = await audited(operations.vmSave, input, apiActor(principal, ip), () => saveVmDesired(input, changeActor(principal)));
  if (!result.ok) throw specIssuesError(result.issues);
  return { id: result.id };
});
